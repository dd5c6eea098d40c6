import * as OpenCC from 'opencc-js/t2cn';
import { classifyIdNumber, type Sex } from '../core/id-number.js';
import type { CalendarDate } from '../core/time.js';
import type { Beneficiary, DeathRecord } from '../records/schemas.js';
import type { Anchor } from './anchor-training.js';
import type { BlockingRule } from './blocking.js';
import type { AnyComparison, Comparison } from './comparison.js';
import {
  chineseNameComparison,
  createNameNormaliser,
  foldWidth,
  type NameParts,
} from './comparisons/chinese-name.js';
import { dateComparison } from './comparisons/date.js';
import { exactComparison } from './comparisons/exact.js';
import {
  compareIdNumbers,
  IdLevel,
  idNumberComparison,
  type PreparedIdNumber,
  prepareIdNumber,
} from './comparisons/id-number.js';
import { jaroWinklerComparison } from './comparisons/jaro-winkler.js';
import { regionCodeComparison } from './comparisons/region-code.js';
import { DEFAULT_SOURCE_RELIABILITY, type DeathFinding, fuseDeathFindings } from './fusion.js';
import { type LinkOptions, type LinkResult, type LinkSettings, linkRecords } from './link-records.js';
import type { ModelParameters } from './model.js';
import type { OneToOne } from './one-to-one.js';

/** The fields the preset compares, common to death records and beneficiaries. */
export interface PersonInput {
  readonly id: string;
  readonly name?: string | undefined;
  readonly idNumber?: string | undefined;
  readonly sex?: Sex | undefined;
  readonly birthDate?: string | undefined;
  readonly regionCode?: string | undefined;
  readonly address?: string | undefined;
}

/** A prepared ID number and whether it passes every check (check character, embedded birth date). */
export interface ChinaIdNumber extends PreparedIdNumber {
  readonly valid: boolean;
}

/** A person normalised once for linkage: every comparison and blocking key reads these fields. */
export interface ChinaPerson {
  readonly id: string;
  readonly name: NameParts | undefined;
  readonly idNumber: ChinaIdNumber | undefined;
  /** From the sex column, or from a valid ID number when the column is empty. */
  readonly sex: Sex | undefined;
  /** Packed YYYYMMDD from the birth-date column, or from a valid ID number when empty; -1 when unknown. */
  readonly birthDate: number;
  readonly regionCode: string | undefined;
  /** Simplified, width-folded, no spaces. */
  readonly address: string | undefined;
}

export type PersonNormaliser = (person: PersonInput) => ChinaPerson;

/**
 * Creates the normaliser (OpenCC and pinyin-pro are set up once; names are cached).
 * @example const normalise = createPersonNormaliser(); normalise(personFromBeneficiary(b));
 */
export function createPersonNormaliser(): PersonNormaliser {
  const normaliseName = createNameNormaliser();
  const toSimplified = OpenCC.Converter({ from: 't', to: 'cn' });
  return (person) => {
    const prepared = prepareIdNumber(person.idNumber);
    const classified = prepared === undefined ? undefined : classifyIdNumber(prepared.full);
    const info = classified?.kind === 'valid' ? classified.info : undefined;
    const idNumber = prepared === undefined ? undefined : { ...prepared, valid: info !== undefined };
    const birthText = person.birthDate ?? info?.birthDate;
    const address = person.address === undefined ? '' : toSimplified(foldWidth(person.address));
    return {
      id: person.id,
      name: normaliseName(person.name),
      idNumber,
      sex: person.sex ?? info?.sex,
      birthDate: birthText === undefined ? -1 : Number(birthText.replace(/-/g, '')),
      regionCode: person.regionCode,
      address: address === '' ? undefined : address,
    };
  };
}

export function personFromBeneficiary(b: Beneficiary): PersonInput {
  return {
    id: b.beneficiaryId,
    name: b.name,
    idNumber: b.idNumber,
    sex: b.sex,
    birthDate: b.birthDate,
    regionCode: b.regionCode,
    address: b.address,
  };
}

/** The id is `source|record_id`, the death record's natural key. */
export function personFromDeathRecord(d: DeathRecord): PersonInput {
  return {
    id: deathRecordKey(d),
    name: d.name,
    idNumber: d.idNumber,
    sex: d.sex,
    birthDate: d.birthDate,
    regionCode: d.regionCode,
    address: d.address,
  };
}

export function deathRecordKey(d: Pick<DeathRecord, 'source' | 'recordId'>): string {
  return `${d.source}|${d.recordId}`;
}

/**
 * The ID comparison of the preset: as `idNumberComparison`, except that two VALID numbers differing only in the
 * sequence part (same region and birth date) are `different`. The check character catches every single
 * substitution and adjacent transposition, so two valid numbers that differ belong to two people: typically a
 * namesake born the same day in the same county. Left at "birth-date part equal" they would count the birth date
 * a second time (the birth-date field already agrees) and link the namesake (docs/linkage.md).
 */
function chinaIdComparison(): Comparison<ChinaPerson, ChinaIdNumber | undefined> {
  const base = idNumberComparison<ChinaPerson>({ name: 'id_number', prepared: (p) => p.idNumber });
  return { ...base, prepare: (p) => p.idNumber, compare: chinaIdLevel };
}

/**
 * The preset's ID level of two normalised numbers (`IdLevel`): as `compareIdNumbers`, with two valid numbers that
 * differ only in the sequence at `different`.
 * @example chinaIdLevel(a.idNumber, b.idNumber) === IdLevel.exact
 */
export function chinaIdLevel(a: ChinaIdNumber | undefined, b: ChinaIdNumber | undefined): number {
  const level = compareIdNumbers(a, b);
  return level === IdLevel.birthDatePart && a!.valid && b!.valid ? IdLevel.different : level;
}

/** Whether an ID level says the two numbers belong to two people (`different`, `birth-date part equal`). */
export const idLevelConflicts = (level: number): boolean =>
  level === IdLevel.different || level === IdLevel.birthDatePart;

/** id number, name, birth date, sex, region, address: the comparisons of the China preset, in that order. */
export function chinaComparisons(): AnyComparison<ChinaPerson>[] {
  const erase = <P>(c: Comparison<ChinaPerson, P>) => c as AnyComparison<ChinaPerson>;
  return [
    erase(chinaIdComparison()),
    erase(chineseNameComparison<ChinaPerson>({ name: 'name', value: (p) => p.name })),
    erase(dateComparison<ChinaPerson>({ name: 'birth_date', value: (p) => p.birthDate, digitTypo: true })),
    erase(exactComparison<ChinaPerson>({ name: 'sex', value: (p) => p.sex })),
    erase(regionCodeComparison<ChinaPerson>({ name: 'region_code', value: (p) => p.regionCode })),
    erase(
      jaroWinklerComparison<ChinaPerson>({
        name: 'address',
        value: (p) => p.address,
        thresholds: [0.9, 0.75],
      }),
    ),
  ];
}

const year = (packed: number) => (packed > 0 ? String(Math.floor(packed / 10000)) : undefined);

/** Largest "region + name" block (roll-wide beneficiaries) that is still paired: see `chinaBlockingRules`. */
export const REGION_NAME_MAX_BLOCK = 500;

/**
 * The blocking rules of DESIGN.md: ID exact, ID first 17, pinyin surname + birth date, pinyin name + birth year,
 * region + name.
 */
export function chinaBlockingRules(): BlockingRule<ChinaPerson>[] {
  return [
    { name: 'id exact', key: (p) => p.idNumber?.full },
    {
      name: 'id first 17',
      key: (p) => (p.idNumber?.full.length === 18 ? p.idNumber.full.slice(0, 17) : undefined),
    },
    {
      name: 'pinyin surname + birth date',
      key: (p) =>
        p.name === undefined || p.birthDate < 0 ? undefined : `${p.name.surnamePinyin}|${p.birthDate}`,
      cluster: true,
    },
    {
      name: 'pinyin name + birth year',
      key: (p) => {
        const y = year(p.birthDate);
        return p.name === undefined || y === undefined ? undefined : `${p.name.pinyin}|${y}`;
      },
      cluster: true,
    },
    {
      name: 'region + name',
      key: (p) =>
        p.name === undefined || p.regionCode === undefined ? undefined : `${p.regionCode}|${p.name.chars}`,
      // A common name fills a county's block with namesakes (quadratic pairs); such a block is skipped, by its
      // roll-wide size, in the batch and on arrival alike (docs/linkage.md, "Blocking").
      maxBlockSize: REGION_NAME_MAX_BLOCK,
      cluster: true,
    },
  ];
}

export interface ChinaPresetOptions {
  /** Match probability at or above which a death record links (default 0.5). */
  readonly threshold?: number;
  /** Default `left`: a death record links to at most one beneficiary; a beneficiary may gather several. */
  readonly oneToOne?: OneToOne;
  /** Reuse a trained model (e.g. the batch model for incremental matching). */
  readonly parameters?: ModelParameters;
  /**
   * λ from exact-ID pairs divided by this recall (the share of true matches expected to agree exactly on the ID);
   * without it, λ comes from EM.
   */
  readonly exactIdRecall?: number;
  readonly seed?: number;
  readonly uSamplePairs?: number;
}

/**
 * The linkage settings for death records (left) ↔ beneficiaries (right) over normalised persons.
 * @example const settings = chinaLinkSettings(); linkRecords(settings, deaths.map(normalise), roll.map(normalise));
 */
export function chinaLinkSettings(options: ChinaPresetOptions = {}): LinkSettings<ChinaPerson> {
  return {
    comparisons: chinaComparisons(),
    blockingRules: chinaBlockingRules(),
    leftId: (p) => p.id,
    rightId: (p) => p.id,
    threshold: options.threshold ?? 0.5,
    oneToOne: options.oneToOne ?? 'left',
    training: {
      u: { pairs: options.uSamplePairs ?? 1_000_000, seed: options.seed ?? 1 },
      prior: { kind: 'em' },
    },
    ...(options.exactIdRecall === undefined
      ? {}
      : {
          deterministicRules: {
            rules: [{ name: 'id exact', key: (p: ChinaPerson) => p.idNumber?.full }],
            recall: options.exactIdRecall,
          },
        }),
    ...(options.parameters === undefined ? {} : { parameters: options.parameters }),
  };
}

/**
 * The anchors of the China preset's comparisons (id number, name, birth date, sex, region, address): the ID's m is
 * learnt from pairs agreeing on name (exact or homophone), sex and the exact address; every other field's m from
 * pairs whose ID numbers agree exactly (also after 15→18 conversion). See `trainFromAnchors`.
 * The ID's anchor leaves the birth date out on purpose: the ID embeds it, and an anchor on it let in strangers of the
 * same name born the same day (whose IDs differ only in the sequence), so m of the ID's non-exact levels came out
 * far too high. A namesake of the same town writes a different address, so the exact address keeps them out.
 */
export function chinaAnchors(): Anchor[] {
  const idExact: Anchor = (levels) => levels[0]! <= 1;
  const nameSexAddress: Anchor = (levels) => levels[1]! <= 1 && levels[3] === 0 && levels[5] === 0;
  return [nameSexAddress, idExact, idExact, idExact, idExact, idExact];
}

/** A death record linked to a beneficiary. */
export interface DeathLink {
  readonly deathRecordKey: string;
  readonly beneficiaryId: string;
  readonly matchWeight: number;
  readonly matchProbability: number;
}

export interface DeathMatching {
  readonly links: readonly DeathLink[];
  /** One per beneficiary with any linked death record, sources fused. */
  readonly findings: readonly DeathFinding[];
  readonly result: LinkResult;
}

/**
 * Links death records to the roll with the China preset and fuses the sources per beneficiary.
 * Pure: arrays in, links and findings out (explanations via `result.explain`).
 * @example const { findings } = matchDeathRecords(deaths, beneficiaries);
 */
export function matchDeathRecords(
  deaths: readonly DeathRecord[],
  beneficiaries: readonly Beneficiary[],
  options: ChinaPresetOptions &
    LinkOptions & { readonly reliability?: Readonly<Record<string, number>> } = {},
): DeathMatching {
  const normalise = createPersonNormaliser();
  const left = deaths.map((d) => normalise(personFromDeathRecord(d)));
  const right = beneficiaries.map((b) => normalise(personFromBeneficiary(b)));
  const result = linkRecords(
    chinaLinkSettings(options),
    left,
    right,
    options.labels === undefined ? {} : { labels: options.labels },
  );
  const links = result.links.map((l) => ({
    deathRecordKey: l.leftId,
    beneficiaryId: l.rightId,
    matchWeight: l.matchWeight,
    matchProbability: l.matchProbability,
  }));
  const findings = fuseDeathFindings(
    result.links.map((l) => {
      const d = deaths[l.leftIndex]!;
      return {
        beneficiaryId: l.rightId,
        evidence: {
          recordId: d.recordId,
          source: d.source,
          deathDate: d.deathDate as CalendarDate,
          matchWeight: l.matchWeight,
          matchProbability: l.matchProbability,
        },
      };
    }),
    options.reliability ?? DEFAULT_SOURCE_RELIABILITY,
  );
  return { links, findings, result };
}
