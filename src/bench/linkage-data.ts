import { checkCharacter } from '../core/id-number.js';
import type { CalendarDate } from '../core/time.js';
import { trainFromAnchors } from '../linkage/anchor-training.js';
import { generateCandidatePairs } from '../linkage/blocking.js';
import { chinaColumnarPairs } from '../linkage/china-columns.js';
import {
  chinaAnchors,
  chinaBlockingRules,
  chinaComparisons,
  createPersonNormaliser,
  type PersonInput,
} from '../linkage/china-preset.js';
import { IdLevel } from '../linkage/comparisons/id-number.js';
import { type DeathEvidence, fuseDeathFindings } from '../linkage/fusion.js';
import { type ModelParameters, weightFromProbability } from '../linkage/model.js';
import { chinaColumnarPairsInWorkers } from '../linkage/parallel-scoring.js';
import { createRandom } from '../linkage/random.js';
import type { Beneficiary } from '../records/schemas.js';

const SURNAMES = [
  ...'王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤',
];
const GIVEN = [...'秀英桂兰玉华芳明建国志强丽敏德胜春梅'];
const REGIONS = ['430422', '430421', '430481', '430405'];

/**
 * A synthetic roll and death feed for benchmarks, generated in memory (deterministic for a seed): names with the
 * collisions of a real county, valid ID numbers, deaths that are noisy copies of beneficiaries (missing or
 * mistyped ID, homophone-free) beside decoys who are not on the roll.
 */
export function syntheticPerson(
  i: number,
  random: ReturnType<typeof createRandom>,
  prefix: string,
): PersonInput {
  const region = REGIONS[random.int(REGIONS.length)]!;
  const y = 1930 + random.int(30);
  const m = 1 + random.int(12);
  const d = 1 + random.int(28);
  const birth = `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
  const first17 = `${region}${birth.replace(/-/g, '')}${String(random.int(1000)).padStart(3, '0')}`;
  const given =
    GIVEN[random.int(GIVEN.length)]! + (random.next() < 0.7 ? GIVEN[random.int(GIVEN.length)]! : '');
  return {
    id: `${prefix}${i}`,
    name: SURNAMES[random.int(SURNAMES.length)]! + given,
    idNumber: first17 + checkCharacter(first17),
    sex: Number(first17[16]) % 2 === 1 ? 'M' : 'F',
    birthDate: birth,
    regionCode: region,
  };
}

export function syntheticRoll(size: number, seed = 1, offset = 0): PersonInput[] {
  const random = createRandom(seed * 7919 + offset);
  return Array.from({ length: size }, (_, i) => syntheticPerson(offset + i, random, 'B'));
}

/** Death records: `dead` share copies of roll members (noisy), the rest decoys. */
export function syntheticDeaths(
  roll: readonly PersonInput[],
  size: number,
  seed = 2,
  dead = 0.2,
): PersonInput[] {
  const random = createRandom(seed);
  return Array.from({ length: size }, (_, i) => {
    if (random.next() >= dead || roll.length === 0) return syntheticPerson(i, random, 'D');
    const b = roll[random.int(roll.length)]!;
    const noise = random.next();
    const id = b.idNumber!;
    return {
      ...b,
      id: `D${i}`,
      idNumber:
        noise < 0.2
          ? undefined
          : noise < 0.23
            ? `${id.slice(0, 12)}${(Number(id[12]) + 1) % 10}${id.slice(13)}`
            : id,
      birthDate: noise < 0.2 ? b.birthDate : random.next() < 0.4 ? undefined : b.birthDate,
    };
  });
}

/** A roll member as a stored beneficiary (for building a store). */
export function beneficiaryOf(p: PersonInput): Beneficiary {
  return {
    beneficiaryId: p.id,
    name: p.name!,
    idNumber: p.idNumber,
    sex: p.sex,
    birthDate: p.birthDate as CalendarDate | undefined,
    regionCode: p.regionCode,
    address: undefined,
    phone: undefined,
    bankCard: undefined,
    scheme: 'urban_rural_resident',
    monthlyAmountFen: 15_000,
    enrolledAt: undefined,
    handlerId: undefined,
    status: 'active',
    flags: [],
  };
}

export interface InMemoryMatch {
  readonly parameters: ModelParameters;
  readonly candidatePairs: number;
  readonly links: number;
  readonly findings: number;
  readonly timings: Readonly<Record<string, number>>;
}

/**
 * The batch pipeline of `ghostwatch match` in memory: normalise, blocking, columns (prepare once, name counts over
 * the roll), comparison (in `threads` worker threads when more than one), anchor training, scoring, best link per
 * death record, fusion per beneficiary.
 */
export async function matchInMemory(
  roll: readonly PersonInput[],
  deaths: readonly PersonInput[],
  threads = 1,
): Promise<InMemoryMatch> {
  const timings: Record<string, number> = {};
  let t = performance.now();
  const lap = (name: string) => {
    const now = performance.now();
    timings[name] = Math.round(now - t);
    t = now;
  };
  const comparisons = chinaComparisons();
  const rules = chinaBlockingRules();
  const normalise = createPersonNormaliser();
  const R = roll.map(normalise);
  const D = deaths.map(normalise);
  lap('prepare');
  const candidates = generateCandidatePairs(rules, D, R);
  lap('blocking');
  const columnar =
    threads > 1
      ? await chinaColumnarPairsInWorkers(D, R, candidates, threads)
      : chinaColumnarPairs(comparisons, D, R, candidates);
  lap('compare');
  const exactId = candidates.report.rules[0]!.pairs;
  const over = columnar.training();
  const parameters = trainFromAnchors(over.comparisons, over.left, over.right, columnar.compared, {
    anchors: chinaAnchors(),
    prior: { matches: exactId, comparison: 0, level: IdLevel.exact },
    u: { pairs: 1_000_000, seed: 1 },
  });
  lap('training');
  const weight = columnar.score(parameters);
  const minimum = weightFromProbability(0.5);
  const best = new Int32Array(D.length).fill(-1);
  for (let i = 0; i < candidates.count; i++) {
    if (weight[i]! < minimum) continue;
    const l = candidates.left[i]!;
    const c = best[l]!;
    if (c < 0 || weight[i]! > weight[c]!) best[l] = i;
  }
  lap('scoring');
  const links: { beneficiaryId: string; evidence: DeathEvidence }[] = [];
  for (let l = 0; l < D.length; l++) {
    const i = best[l]!;
    if (i < 0) continue;
    links.push({
      beneficiaryId: R[candidates.right[i]!]!.id,
      evidence: {
        recordId: D[l]!.id,
        source: 'civil_affairs',
        deathDate: '2020-01-01' as CalendarDate,
        matchWeight: weight[i]!,
        matchProbability: 1,
      },
    });
  }
  const findings = fuseDeathFindings(links);
  lap('fusion');
  return {
    parameters,
    candidatePairs: candidates.count,
    links: links.length,
    findings: findings.length,
    timings,
  };
}
