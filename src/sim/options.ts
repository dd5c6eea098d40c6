import { z } from 'zod';
import type { Issue, Result } from '../core/result.js';
import { parseDate } from '../core/time.js';

/**
 * The simulator's options, as a zod schema with every default, so that the CLI only has to validate its flags
 * through it. Rates are probabilities (0..1); see docs/simulator.md for what each one means in the county.
 */

const rate = (value: number) => z.coerce.number().min(0).max(1).default(value);
const dateText = () =>
  z
    .string()
    .refine((s) => /^\d{4}-\d{2}-\d{2}$/.test(s) && parseDate(s).ok, { error: 'must be a date YYYY-MM-DD' });
const calendarDate = (fallback: string) => dateText().default(fallback);
const flag = (value: boolean) =>
  z
    .union([z.boolean(), z.enum(['on', 'off', 'true', 'false', 'yes', 'no', '1', '0'])])
    .transform((v) => v === true || v === 'on' || v === 'true' || v === 'yes' || v === '1')
    .default(value);

export const ringOptionsSchema = z
  .object({
    /** The Hengnan ring: an insider, colluding station heads, fake certifications, multi-card ATM sweeps. */
    enabled: flag(true),
    /** Townships whose labour-station heads collude. */
    stations: z.coerce.number().int().min(1).max(20).default(2),
    /** Dead beneficiaries' cards the ring holds; default 0.5 % of the roll (Hengnan: 900 of ~200,000). */
    cards: z.coerce.number().int().min(0).optional(),
    /** ATMs the insider sweeps the cards at. */
    terminals: z.coerce.number().int().min(1).max(20).default(3),
    /** When the ring began taking cards of the dead. */
    start: calendarDate('2015-11-01'),
    /** Share of sweeping nights that start between 21:00 and 02:00. */
    nightShare: rate(0.7),
    /** Share of the ring's dead whose card had been suspended and is reactivated by the insider. */
    reactivationShare: rate(0.35),
  })
  .prefault({});

export const simulationOptionsSchema = z.object({
  /** Directory the county is written to; the truth goes to `<out>/truth`. */
  out: z.string().min(1, { error: 'give the output directory (--out DIR)' }),
  /** Beneficiaries on the roll (aged 60 and over at some time up to the as-of date). */
  size: z.coerce.number().int().min(10).max(50_000_000).default(20_000),
  seed: z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER).default(1),
  /** The day the agency's files were extracted: nothing after it is written. */
  asOf: calendarDate('2021-06-30'),
  /** Encoding of the CSV files (`gbk` as many Chinese agency systems export); JSONL and truth stay UTF-8. */
  encoding: z.enum(['utf8', 'gbk']).default('utf8'),
  /** First day of card events; default twelve months before the as-of date (volume stays sane). */
  eventsFrom: dateText().optional(),
  /** First period written to payments.csv (`YYYY-MM`); default the enrolment month of each beneficiary. */
  paymentsFrom: z
    .string()
    .regex(/^\d{4}-(0[1-9]|1[0-2])$/, { error: 'must be a month YYYY-MM' })
    .optional(),
  /** Average beneficiaries per village (each village has one agent). */
  villageSize: z.coerce.number().int().min(10).max(5000).default(120),
  /** Share of beneficiaries who live with a spouse who is also on the roll. */
  coupleShare: rate(0.4),
  /** Share in the urban employees' scheme (the rest are in the urban and rural residents' scheme). */
  employeeShare: rate(0.15),
  ring: ringOptionsSchema,
  /** Share of the dead (outside the ring) whose relatives keep the card and collect. */
  relatives: rate(0.05),
  /** Share of the dead whose pension is switched near death onto another beneficiary's card. */
  cardSwitch: rate(0.02),
  /** Phones the ring uses to pass face-app certifications of many dead (0: none). */
  sharedDevices: z.coerce.number().int().min(0).max(100).default(2),
  /** Probability that any written row is damaged (quarantinable) and, separately, flagged-but-loadable. */
  noise: rate(0.002),
  /** Death records of non-beneficiaries per beneficiary (decoys: the province feed, all ages). */
  decoys: z.coerce.number().min(0).max(20).default(0.8),
  /** Share of decoy deaths that are namesakes of living beneficiaries (same name, other person). */
  namesakeShare: rate(0.1),
  /** Share of beneficiaries' deaths that no source ever records. */
  unrecordedDeaths: rate(0.02),
  /** Share of living beneficiaries with one wrong death record (a single source, their ID number). */
  falseDeaths: rate(0.002),
  /** Share of card events delivered twice (same event_id). */
  duplicates: rate(0.003),
  /** Share of card events delivered late, by up to `maxLatenessSeconds`. */
  outOfOrder: rate(0.03),
  maxLatenessSeconds: z.coerce.number().int().min(0).max(3600).default(300),
});

/** The options as a caller gives them (every field but `out` optional). */
export type SimulationOptionsInput = z.input<typeof simulationOptionsSchema>;
/** The options with every default applied. */
export type SimulationOptions = z.output<typeof simulationOptionsSchema>;

/**
 * Validates options (defaults filled in); a wrong value is an issue naming the option.
 * @example parseSimulationOptions({ out: 'county', size: '5000' })
 */
export function parseSimulationOptions(input: unknown): Result<SimulationOptions> {
  const parsed = simulationOptionsSchema.safeParse(input);
  if (parsed.success) return { ok: true, value: parsed.data };
  return { ok: false, issues: parsed.error.issues.map(toIssue) };
}

function toIssue(issue: z.core.$ZodIssue): Issue {
  const path = issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p));
  return { code: `option.${issue.code}`, path, message: `--${path.map(kebab).join('-')} ${issue.message}` };
}

const kebab = (p: string | number): string => String(p).replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** The CLI flags the options answer to, kebab-case (`--ring-cards`, `--events-from`), for help text. */
export const SIMULATION_FLAGS: readonly string[] = [
  'out',
  'size',
  'seed',
  'as-of',
  'encoding',
  'events-from',
  'payments-from',
  'village-size',
  'couple-share',
  'employee-share',
  'ring',
  'ring-stations',
  'ring-cards',
  'ring-terminals',
  'ring-start',
  'ring-night-share',
  'ring-reactivation-share',
  'relatives',
  'card-switch',
  'shared-devices',
  'noise',
  'decoys',
  'namesake-share',
  'unrecorded-deaths',
  'false-deaths',
  'duplicates',
  'out-of-order',
  'max-lateness-seconds',
];

/**
 * Turns parsed command-line flags (`{ 'ring-cards': '50', ring: 'off', size: '2000' }`) into options and
 * validates them. Unknown flags are an issue, so that a typo is not silently ignored.
 * @example simulationOptionsFromFlags({ out: 'county', size: '2000', 'ring-cards': '40' })
 */
export function simulationOptionsFromFlags(
  flags: Readonly<Record<string, string | boolean | undefined>>,
): Result<SimulationOptions> {
  const input: Record<string, unknown> = {};
  const ring: Record<string, unknown> = {};
  const issues: Issue[] = [];
  for (const [name, value] of Object.entries(flags)) {
    if (value === undefined) continue;
    if (!SIMULATION_FLAGS.includes(name)) {
      issues.push({ code: 'option.unknown', path: [name], message: `--${name} is not a simulate option` });
      continue;
    }
    const camel = name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
    if (name === 'ring') ring.enabled = value;
    else if (camel.startsWith('ring')) ring[camel.charAt(4).toLowerCase() + camel.slice(5)] = value;
    else input[camel] = value;
  }
  if (issues.length > 0) return { ok: false, issues };
  if (Object.keys(ring).length > 0) input.ring = ring;
  return parseSimulationOptions(input);
}
