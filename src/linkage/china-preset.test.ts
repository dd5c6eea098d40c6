import { describe, expect, it } from 'vitest';
import { checkCharacter } from '../core/id-number.js';
import type { CalendarDate } from '../core/time.js';
import type { Beneficiary, DeathRecord } from '../records/schemas.js';
import { chinaAnchors, chinaComparisons, createPersonNormaliser, matchDeathRecords } from './china-preset.js';
import { IdLevel } from './comparisons/id-number.js';
import { fuseDeathFindings } from './fusion.js';
import { scoreLinks } from './link-quality.js';
import { createRandom } from './random.js';

const SURNAMES = ['王', '李', '张', '刘', '陈', '杨', '黄', '赵', '周', '吴', '单', '欧阳'];
const GIVEN = [
  '秀英',
  '桂英',
  '建国',
  '志强',
  '丽',
  '伟',
  '芳',
  '国华',
  '明远',
  '德胜',
  '玉兰',
  '春梅',
  '淑珍',
  '海',
];
const HOMOPHONE: Record<string, string> = { 丽: '莉', 伟: '威', 芳: '方', 海: '还', 国华: '国化' };
const TRADITIONAL: Record<string, string> = {
  刘: '劉',
  陈: '陳',
  杨: '楊',
  黄: '黃',
  赵: '趙',
  国华: '國華',
};
const REGIONS = ['430422', '430423', '430481', '430102'];

function fixture(seed: number) {
  const random = createRandom(seed);
  const pick = <T>(xs: readonly T[]) => xs[random.int(xs.length)]!;
  const beneficiaries: Beneficiary[] = [];
  for (let i = 0; i < 1500; i++) {
    const region = pick(REGIONS);
    const y = 1930 + random.int(30);
    const m = 1 + random.int(12);
    const d = 1 + random.int(28);
    const birth = `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
    const first17 = `${region}${birth.replace(/-/g, '')}${String(random.int(1000)).padStart(3, '0')}`;
    beneficiaries.push({
      beneficiaryId: `B${i}`,
      name: pick(SURNAMES) + pick(GIVEN),
      idNumber: first17 + checkCharacter(first17),
      sex: Number(first17[16]) % 2 === 1 ? 'M' : 'F',
      birthDate: birth as CalendarDate,
      regionCode: region,
      address: `${region}某镇${random.int(50)}号`,
      status: 'active',
      flags: [],
    } as unknown as Beneficiary);
  }
  const deaths: DeathRecord[] = [];
  const truth: [string, string][] = [];
  const sources = ['civil_affairs', 'cremation', 'household_register', 'hospital'] as const;
  for (let i = 0; i < 300; i++) {
    const b = beneficiaries[i * 5]!;
    const copies = 1 + random.int(2);
    for (let c = 0; c < copies; c++) {
      let name = b.name;
      let id: string | undefined = b.idNumber;
      let birth: string | undefined = b.birthDate;
      const noise = random.next();
      const given = name.slice(-1);
      if (noise < 0.15) id = undefined;
      else if (noise < 0.25) id = `${id!.slice(0, 10)}${(Number(id![10]) + 1) % 10}${id!.slice(11)}`;
      else if (noise < 0.3) id = id!.slice(0, 14) + id![15] + id![14] + id!.slice(16);
      if (random.next() < 0.2 && HOMOPHONE[given]) name = name.slice(0, -1) + HOMOPHONE[given];
      const surname = name.slice(0, 1);
      if (random.next() < 0.2 && TRADITIONAL[surname]) name = TRADITIONAL[surname] + name.slice(1);
      // a record without an ID keeps its birth date (otherwise it could not be told from a namesake)
      if (id !== undefined && random.next() < 0.5) birth = undefined;
      const key = `${sources[c]}|D${i}-${c}`;
      deaths.push({
        recordId: `D${i}-${c}`,
        source: sources[c]!,
        name,
        idNumber: id,
        birthDate: birth,
        deathDate: `2019-0${1 + c}-15`,
        regionCode: random.next() < 0.8 ? b.regionCode : undefined,
        flags: [],
      } as unknown as DeathRecord);
      truth.push([key, b.beneficiaryId]);
    }
  }
  // Deaths of people not on the roll: namesakes of beneficiaries, other birth dates and IDs.
  for (let i = 0; i < 150; i++) {
    const b = beneficiaries[i * 7 + 1]!;
    const first17 = `${b.regionCode}1965${String(1 + random.int(9)).padStart(2, '0')}10${String(random.int(1000)).padStart(3, '0')}`;
    deaths.push({
      recordId: `N${i}`,
      source: 'cremation',
      name: b.name,
      idNumber: random.next() < 0.5 ? first17 + checkCharacter(first17) : undefined,
      birthDate: `1965-0${1 + random.int(9)}-10`,
      deathDate: '2020-03-01',
      regionCode: b.regionCode,
      flags: [],
    } as unknown as DeathRecord);
  }
  return { beneficiaries, deaths, truth };
}

describe('China preset: death records ↔ roll', () => {
  it('normalises once: traditional names, pinyin, birth date and sex from the ID', () => {
    const normalise = createPersonNormaliser();
    const p = normalise({ id: 'x', name: '單田芳', idNumber: '11010519491231002X' });
    expect(p.name?.chars).toBe('单田芳');
    expect(p.name?.surnamePinyin).toBe('shan');
    expect(p.birthDate).toBe(19491231);
    expect(p.sex).toBe('F');
    const q = normalise({
      id: 'y',
      name: '王丽',
      idNumber: '11010519491231002X',
      sex: 'M',
      birthDate: '1950-01-01',
    });
    expect([q.sex, q.birthDate]).toEqual(['M', 19500101]);
  });

  it('links typo-ridden death records, leaves namesakes alone, and fuses sources', () => {
    const { beneficiaries, deaths, truth } = fixture(42);
    const { links, findings, result } = matchDeathRecords(deaths, beneficiaries, {
      labels: truth,
      uSamplePairs: 200_000,
    });
    const quality = scoreLinks(
      links.map((l) => [l.deathRecordKey, l.beneficiaryId] as const),
      truth,
    );
    expect(quality.precision).toBeGreaterThanOrEqual(0.98);
    expect(quality.recall).toBeGreaterThanOrEqual(0.98);
    expect(result.blocking.recall).toBeGreaterThanOrEqual(0.98);
    // a death record links to at most one beneficiary
    expect(new Set(links.map((l) => l.deathRecordKey)).size).toBe(links.length);
    // no namesake death (N…) reaches a beneficiary
    expect(links.filter((l) => l.deathRecordKey.startsWith('cremation|N'))).toEqual([]);
    // each linked beneficiary is one finding, whatever the number of sources
    expect(findings.length).toBe(new Set(links.map((l) => l.beneficiaryId)).size);
    expect(findings.some((f) => f.sources.length === 2)).toBe(true);
    // every link explains itself, and the terms add up
    const link = result.links[0]!;
    const score = result.explain(link.leftIndex, link.rightIndex);
    const sum = score.explanation.priorWeight + score.explanation.terms.reduce((s, t) => s + t.weight, 0);
    expect(sum).toBeCloseTo(link.matchWeight, 9);
    expect(score.explanation.terms.map((t) => t.comparison)).toEqual([
      'id_number',
      'name',
      'birth_date',
      'sex',
      'region_code',
      'address',
    ]);
  });
});

describe('fusion', () => {
  const evidence = (recordId: string, source: string, deathDate: string, matchProbability = 0.99) => ({
    beneficiaryId: 'B1',
    evidence: { recordId, source, deathDate: deathDate as CalendarDate, matchWeight: 20, matchProbability },
  });
  it('takes the date most reliable sources agree on', () => {
    const [finding] = fuseDeathFindings([
      evidence('a', 'civil_affairs', '2019-03-02'),
      evidence('b', 'cremation', '2019-03-02'),
      evidence('c', 'hospital', '2019-02-20'),
    ]);
    expect(finding!.deathDate).toBe('2019-03-02');
    expect(finding!.sources).toEqual(['civil_affairs', 'cremation', 'hospital']);
    expect(finding!.dateSpreadDays).toBe(10);
    expect(finding!.dateSupport).toBeGreaterThan(0.6);
  });
  it('counts a source repeating itself once, and breaks an even vote towards the later date', () => {
    const [finding] = fuseDeathFindings([
      evidence('a', 'other', '2019-01-01'),
      evidence('b', 'other', '2019-01-01'),
      evidence('c', 'other', '2019-01-01'),
      evidence('d', 'cremation', '2019-05-01'),
    ]);
    expect(finding!.deathDate).toBe('2019-05-01');
    const [tie] = fuseDeathFindings([
      evidence('a', 'cremation', '2019-01-01'),
      evidence('b', 'cremation', '2019-02-01'),
    ]);
    expect(tie!.deathDate).toBe('2019-02-01');
  });
});

describe('China preset: a namesake born the same day', () => {
  const normalise = createPersonNormaliser();
  const id = chinaComparisons()[0]!;
  const level = (a: string, b: string) =>
    id.compare(
      id.prepare(normalise({ id: 'a', idNumber: a })),
      id.prepare(normalise({ id: 'b', idNumber: b })),
    );
  const valid = (first17: string) => first17 + checkCharacter(first17);

  it('two valid IDs differing only in the sequence are different people, not "birth-date part equal"', () => {
    // Same county, same birth date, sequences 123 and 157: two people (every single typo breaks the check).
    expect(level(valid('43042219500315123'), valid('43042219500315157'))).toBe(IdLevel.different);
    // With one number failing its check it may be one person's number mistyped twice: the weaker level stays.
    const broken = `${valid('43042219500315157').slice(0, 17)}${checkCharacter('43042219500315157') === '0' ? '1' : '0'}`;
    expect(level(valid('43042219500315123'), broken)).toBe(IdLevel.birthDatePart);
    expect(level(valid('43042219500315123'), valid('43042219500315123'))).toBe(IdLevel.exact);
  });

  it("the ID's anchor does not rest on the birth date (the ID embeds it)", () => {
    const [idAnchor] = chinaAnchors();
    // levels: id, name, birth date, sex, region, address. Name, sex and the exact address agree:
    expect(idAnchor!([IdLevel.different, 0, 5, 0, 0, 0])).toBe(true);
    // Name, birth date and sex agree, but the address is another one: a same-day namesake, not an anchor.
    expect(idAnchor!([IdLevel.different, 0, 0, 0, 0, 1])).toBe(false);
  });
});
