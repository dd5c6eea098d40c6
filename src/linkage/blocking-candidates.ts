import type { BlockingRule } from './blocking.js';
import { blockingKeyHash } from './blocking-key-hash.js';
import type { ChinaPerson } from './china-preset.js';

/**
 * A beneficiary's normalised person (the China preset's `ChinaPerson`, less its id) as the short text the store
 * keeps beside the blocking keys (`match_candidates`), so that matching a death record on arrival reads each
 * candidate once and never normalises it again (names, pinyin, OpenCC, ID classification are paid once, at the
 * batch or when the beneficiary is loaded). A JSON array, its first element the format version: a row of another
 * version decodes to undefined and the caller normalises the beneficiary from the roll instead.
 */

/** Bump when `ChinaPerson` or the normaliser changes what it produces: old rows then fall back until a batch. */
export const CANDIDATE_FORMAT = 1;

type Encoded = [
  version: number,
  chars: string | null,
  pinyin: string | null,
  surnamePinyin: string | null,
  givenPinyin: string | null,
  idText: string | null,
  idFull: string | null,
  idValid: 0 | 1,
  sex: string | null,
  birthDate: number,
  regionCode: string | null,
  address: string | null,
];

/**
 * @example encodeCandidate(normalise(personFromBeneficiary(b))) // '[1,"王秀英","wangxiuying",…]'
 */
export function encodeCandidate(person: ChinaPerson): string {
  const { name, idNumber } = person;
  const row: Encoded = [
    CANDIDATE_FORMAT,
    name?.chars ?? null,
    name?.pinyin ?? null,
    name?.surnamePinyin ?? null,
    name?.givenPinyin ?? null,
    idNumber?.text ?? null,
    idNumber?.full ?? null,
    idNumber?.valid ? 1 : 0,
    person.sex ?? null,
    person.birthDate,
    person.regionCode ?? null,
    person.address ?? null,
  ];
  return JSON.stringify(row);
}

const opt = (v: string | null): string | undefined => (v === null ? undefined : v);

/**
 * The person back, with `id` = the beneficiary's id; undefined for a row of another format (or not a row).
 * @example decodeCandidate('B17', encodeCandidate(person)) // deep-equals person when person.id is 'B17'
 */
export function decodeCandidate(id: string, text: string): ChinaPerson | undefined {
  let row: Encoded;
  try {
    row = JSON.parse(text) as Encoded;
  } catch {
    return undefined;
  }
  if (!Array.isArray(row) || row.length !== 12 || row[0] !== CANDIDATE_FORMAT) return undefined;
  const [
    ,
    chars,
    pinyin,
    surnamePinyin,
    givenPinyin,
    idText,
    idFull,
    idValid,
    sex,
    birthDate,
    region,
    address,
  ] = row;
  return {
    id,
    name:
      chars === null
        ? undefined
        : {
            chars,
            pinyin: pinyin ?? '',
            surnamePinyin: surnamePinyin ?? '',
            givenPinyin: givenPinyin ?? '',
          },
    idNumber: idText === null ? undefined : { text: idText, full: idFull ?? idText, valid: idValid === 1 },
    sex: opt(sex) as ChinaPerson['sex'],
    birthDate,
    regionCode: opt(region),
    address: opt(address),
  };
}

/**
 * The stored rows of a beneficiary: its encoded person once per clustering rule (`BlockingRule.cluster`: in the China
 * preset every rule but the ID rules, whose blocks hold one or two), each row in the block of the beneficiary's key under
 * that rule (its `blockingKeyHash`), so that such a block is read as one range; one row in block -1 when the person
 * has none of these keys (it is then read by id).
 * @example const rows = candidateRows(chinaBlockingRules()); store.upsertCandidateRows(persons.flatMap(rows.rows));
 */
export function candidateRows(rules: readonly BlockingRule<ChinaPerson>[]) {
  const clusterRules = rules.flatMap((rule, r) => (rule.cluster === true ? [r] : []));
  /** The person's blocks under the clustering rules (each once). */
  const blocksOf = (person: ChinaPerson): number[] => {
    const out: number[] = [];
    for (const r of clusterRules) {
      const key = rules[r]!.key(person);
      if (key === undefined || key === '') continue;
      const hash = blockingKeyHash(r, key);
      if (!out.includes(hash)) out.push(hash);
    }
    return out;
  };
  return {
    blocksOf,
    rows: (person: ChinaPerson): { beneficiaryId: string; block: number; candidate: string }[] => {
      const candidate = encodeCandidate(person);
      const blocks = blocksOf(person);
      return (blocks.length === 0 ? [-1] : blocks).map((block) => ({
        beneficiaryId: person.id,
        block,
        candidate,
      }));
    },
  };
}
