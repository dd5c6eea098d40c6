import { drawGivenName, drawSurname, villageName } from './names.js';
import type { Rng } from './prng.js';

/**
 * The county: Hunan (43) / Hengyang (4304) / Hengnan (430422), its townships with their labour stations, the
 * county pension centre's staff, the village agents and the terminals where pensioners take their money.
 */

export const PROVINCE = { code: '43', name: '湖南省' } as const;
export const PREFECTURE = { code: '4304', name: '衡阳市' } as const;
export const COUNTY = { code: '430422', name: '衡南县' } as const;

/** Hengnan's towns (乡镇), whose labour stations handle the villagers' pensions. */
export const TOWNSHIPS: readonly string[] = [
  '云集镇',
  '谭子山镇',
  '泉溪镇',
  '宝盖镇',
  '花桥镇',
  '鸡笼镇',
  '茅市镇',
  '栗江镇',
  '近尾洲镇',
  '廖田镇',
  '向阳镇',
  '相市乡',
  '江口镇',
  '硫市镇',
  '洪山镇',
  '松江镇',
  '三塘镇',
  '咸塘镇',
  '车江镇',
  '冠市镇',
  '铁丝塘镇',
  '柞市镇',
];

/** Other divisions deaths are registered in: the rest of Hengyang, other Hunan cities, Guangdong (migrants). */
export const OTHER_REGIONS: readonly { readonly code: string; readonly name: string }[] = [
  { code: '430421', name: '湖南省衡阳市衡阳县' },
  { code: '430423', name: '湖南省衡阳市衡山县' },
  { code: '430424', name: '湖南省衡阳市衡东县' },
  { code: '430426', name: '湖南省衡阳市祁东县' },
  { code: '430481', name: '湖南省衡阳市耒阳市' },
  { code: '430482', name: '湖南省衡阳市常宁市' },
  { code: '430405', name: '湖南省衡阳市珠晖区' },
  { code: '430406', name: '湖南省衡阳市雁峰区' },
  { code: '430407', name: '湖南省衡阳市石鼓区' },
  { code: '430408', name: '湖南省衡阳市蒸湘区' },
  { code: '430102', name: '湖南省长沙市芙蓉区' },
  { code: '430202', name: '湖南省株洲市荷塘区' },
  { code: '440304', name: '广东省深圳市福田区' },
  { code: '440106', name: '广东省广州市天河区' },
];

/** Hengyang city districts: county people die in their hospitals and withdraw at their ATMs. */
export const CITY_REGIONS = ['430405', '430406', '430407', '430408'] as const;

export type HandlerRole = 'director' | 'section_head' | 'clerk' | 'disbursement' | 'station_head' | 'agent';

export interface SimHandler {
  readonly handlerId: string;
  readonly name: string;
  readonly role: HandlerRole;
  readonly unit: string;
  readonly regionCode: string;
  readonly township: number | undefined;
  colluding: boolean;
}

export interface Village {
  readonly index: number;
  readonly township: number;
  readonly name: string;
  /** First beneficiary index and how many live there. */
  readonly start: number;
  readonly size: number;
  readonly agentId: string;
  readonly posId: string;
}

export interface Township {
  readonly index: number;
  readonly name: string;
  readonly stationHeadId: string;
  readonly stationClerkIds: readonly string[];
  readonly atmIds: readonly string[];
  readonly counterId: string;
}

export interface County {
  readonly townships: readonly Township[];
  readonly villages: readonly Village[];
  readonly handlers: readonly SimHandler[];
  readonly countyClerkIds: readonly string[];
  readonly sectionHeadIds: readonly string[];
  readonly disbursementIds: readonly string[];
  /** The insider (a section head) and the colleague in the disbursement unit, when the ring is on. */
  readonly insiderId: string | undefined;
  readonly reactivatorId: string | undefined;
  readonly ringTownships: ReadonlySet<number>;
  readonly ringTerminals: readonly string[];
  readonly cityAtmIds: readonly string[];
}

const CENTRE = '衡南县社会保险服务中心';
const SECTIONS = ['待遇审核股', '基金财务股', '稽核股', '城乡居民养老保险股'] as const;

export interface CountyPlan {
  readonly size: number;
  readonly villageSize: number;
  readonly ringEnabled: boolean;
  readonly ringStations: number;
  readonly ringTerminals: number;
}

function personName(rng: Rng): string {
  const sex = rng.chance(0.6) ? 'M' : 'F';
  return drawSurname(rng) + drawGivenName(rng, sex);
}

const pad = (n: number, width: number) => String(n).padStart(width, '0');

/**
 * Builds the county for a roll of `size`: villages of about `villageSize` beneficiaries spread over the
 * townships (the first townships a little larger, as county seats are), one agent per village, a station head and
 * clerks per township, and the county centre's staff, which grows with the roll.
 */
export function buildCounty(plan: CountyPlan, rng: Rng): County {
  const handlers: SimHandler[] = [];
  let handlerSeq = 0;
  const addHandler = (role: HandlerRole, unit: string, township: number | undefined): string => {
    handlerSeq++;
    const handlerId = `H${pad(handlerSeq, 5)}`;
    handlers.push({
      handlerId,
      name: personName(rng),
      role,
      unit,
      regionCode: COUNTY.code,
      township,
      colluding: false,
    });
    return handlerId;
  };

  addHandler('director', CENTRE, undefined);
  const sectionHeadIds = SECTIONS.map((s) => addHandler('section_head', `${CENTRE}${s}`, undefined));
  const clerkCount = Math.max(4, Math.min(60, Math.round(plan.size / 5000)));
  const countyClerkIds = Array.from({ length: clerkCount }, (_, i) =>
    addHandler('clerk', `${CENTRE}${SECTIONS[i % SECTIONS.length]}`, undefined),
  );
  const disbursementIds = Array.from({ length: Math.max(2, Math.min(10, Math.round(clerkCount / 3))) }, () =>
    addHandler('disbursement', `${CENTRE}基金财务股`, undefined),
  );

  let atmSeq = 0;
  let counterSeq = 0;
  const townships: Township[] = TOWNSHIPS.map((name, index) => {
    const unit = `${name}劳动保障站`;
    const stationHeadId = addHandler('station_head', unit, index);
    const stationClerkIds = [addHandler('clerk', unit, index), addHandler('clerk', unit, index)];
    const atmIds = Array.from({ length: index < 4 ? 4 : 2 }, () => `ATM-${COUNTY.code}-${pad(++atmSeq, 4)}`);
    return {
      index,
      name,
      stationHeadId,
      stationClerkIds,
      atmIds,
      counterId: `CTR-${COUNTY.code}-${pad(++counterSeq, 3)}`,
    };
  });
  const cityAtmIds = CITY_REGIONS.flatMap((code) => [1, 2, 3].map((i) => `ATM-${code}-${pad(100 + i, 4)}`));

  // Township weights: the first few (county seat and market towns) hold more people.
  const weights = TOWNSHIPS.map((_, i) => (i < 4 ? 1.6 : 1) * (0.8 + rng.next() * 0.4));
  const totalWeight = weights.reduce((a, b) => a + b, 0);
  const villages: Village[] = [];
  let start = 0;
  let villageIndex = 0;
  const villageCount = Math.max(1, Math.round(plan.size / plan.villageSize));
  const perTownship = weights.map((w) => Math.max(1, Math.round((w / totalWeight) * villageCount)));
  for (let t = 0; start < plan.size; t = (t + 1) % TOWNSHIPS.length) {
    const count = perTownship[t] ?? 1;
    for (let v = 0; v < count && start < plan.size; v++) {
      const remaining = plan.size - start;
      const size = Math.min(remaining, Math.max(10, Math.round(plan.villageSize * (0.6 + rng.next() * 0.8))));
      const township = townships[t]!;
      const unit = `${township.name}${villageName(villageIndex)}`;
      const agentId = addHandler('agent', `${unit}村委会`, t);
      villages.push({
        index: villageIndex,
        township: t,
        name: villageName(villageIndex),
        start,
        size: remaining - size < 10 ? remaining : size,
        agentId,
        posId: `POS-${COUNTY.code}-${pad(villageIndex + 1, 5)}`,
      });
      start += remaining - size < 10 ? remaining : size;
      villageIndex++;
    }
  }

  let insiderId: string | undefined;
  let reactivatorId: string | undefined;
  const ringTownships = new Set<number>();
  let ringTerminals: string[] = [];
  if (plan.ringEnabled) {
    insiderId = sectionHeadIds[3];
    reactivatorId = disbursementIds[0];
    // Rural townships away from the county seat, as in Hengnan (any township with villages in a small county).
    const peopled = new Set(villages.map((v) => v.township));
    const rural = townships.slice(4).filter((t) => peopled.has(t.index));
    const pool = rural.length >= plan.ringStations ? rural : townships.filter((t) => peopled.has(t.index));
    const candidates = rng.shuffle(pool.map((t) => t.index));
    for (const t of candidates.slice(0, plan.ringStations)) ringTownships.add(t);
    const ringAtms = [...ringTownships].flatMap((t) => townships[t]?.atmIds ?? []);
    const seatAtms = townships.slice(0, 4).flatMap((t) => t.atmIds);
    ringTerminals = rng.shuffle([...seatAtms, ...ringAtms]).slice(0, plan.ringTerminals);
    for (const h of handlers) {
      if (h.handlerId === insiderId || h.handlerId === reactivatorId) h.colluding = true;
      if (h.role === 'station_head' && h.township !== undefined && ringTownships.has(h.township))
        h.colluding = true;
    }
  }

  return {
    townships,
    villages,
    handlers,
    countyClerkIds,
    sectionHeadIds,
    disbursementIds,
    insiderId,
    reactivatorId,
    ringTownships,
    ringTerminals,
    cityAtmIds,
  };
}

export function townshipAddress(township: Township, village: Village): string {
  return `${PROVINCE.name}${PREFECTURE.name}${COUNTY.name}${township.name}${village.name}`;
}
