import { cumulative, type Rng, type WeightedTable } from './prng.js';

/**
 * Chinese names as the elderly of a Hunan county carry them. Surname shares follow the national figures
 * (王 7.1 %, 李 7.1 %, 张 6.4 % …: the top three are a fifth of people); given names are the common ones of
 * people born 1925-1960, Zipf-weighted, so exact namesakes (王秀英) are frequent, as they are in real rolls.
 */

/** Percent of the population, by surname (China, 2020 census order). */
export const SURNAME_SHARES: readonly (readonly [string, number])[] = [
  ['王', 7.12],
  ['李', 7.09],
  ['张', 6.39],
  ['刘', 5.43],
  ['陈', 4.56],
  ['杨', 3.08],
  ['黄', 2.23],
  ['赵', 2.03],
  ['吴', 1.93],
  ['周', 1.89],
  ['徐', 1.48],
  ['孙', 1.47],
  ['马', 1.44],
  ['朱', 1.32],
  ['胡', 1.29],
  ['郭', 1.13],
  ['何', 1.11],
  ['林', 1.05],
  ['罗', 1.02],
  ['高', 1.0],
  ['郑', 0.83],
  ['梁', 0.82],
  ['谢', 0.77],
  ['宋', 0.7],
  ['唐', 0.67],
  ['许', 0.66],
  ['韩', 0.65],
  ['冯', 0.62],
  ['邓', 0.62],
  ['曹', 0.61],
  ['彭', 0.58],
  ['曾', 0.55],
  ['肖', 0.54],
  ['田', 0.52],
  ['董', 0.51],
  ['袁', 0.48],
  ['潘', 0.47],
  ['于', 0.46],
  ['蒋', 0.46],
  ['蔡', 0.45],
  ['余', 0.45],
  ['杜', 0.44],
  ['叶', 0.43],
  ['程', 0.42],
  ['苏', 0.4],
  ['魏', 0.39],
  ['吕', 0.38],
  ['丁', 0.37],
  ['任', 0.36],
  ['沈', 0.35],
  ['姚', 0.34],
  ['卢', 0.33],
  ['姜', 0.32],
  ['崔', 0.31],
  ['钟', 0.3],
  ['谭', 0.3],
  ['陆', 0.29],
  ['汪', 0.28],
  ['范', 0.27],
  ['金', 0.26],
  ['石', 0.26],
  ['廖', 0.25],
  ['贾', 0.25],
  ['夏', 0.24],
  ['韦', 0.24],
  ['付', 0.23],
  ['方', 0.23],
  ['白', 0.22],
  ['邹', 0.22],
  ['孟', 0.21],
  ['熊', 0.21],
  ['秦', 0.2],
  ['邱', 0.2],
  ['江', 0.2],
  ['尹', 0.19],
  ['薛', 0.19],
  ['段', 0.18],
  ['雷', 0.18],
  ['侯', 0.17],
  ['龙', 0.17],
  ['史', 0.16],
  ['陶', 0.16],
  ['黎', 0.16],
  ['贺', 0.15],
  ['顾', 0.15],
  ['毛', 0.15],
  ['郝', 0.14],
  ['龚', 0.14],
  ['邵', 0.14],
  ['万', 0.13],
  ['钱', 0.13],
  ['严', 0.13],
  ['武', 0.12],
  ['戴', 0.12],
];

/** Rarer surnames that share the remaining percent equally. */
const RARE_SURNAMES = [
  ...'莫孔向常汤康易乔赖文施洪辛柯庄邢欧阳凌岳左阮萧安殷聂鲁葛伍古焦童祝俞颜甘柴包游涂房封宁盛单饶傅郎梅耿凤'.split(
    '',
  ),
  ...'皮卞齐谷宫连车邬舒牛桂屈翁滕喻池景翟匡蒲卜苗柳裴盘阎宗敖温晏粟蓝巫左伏佘冉'.split(''),
];

const listedShare = SURNAME_SHARES.reduce((sum, [, share]) => sum + share, 0);
const rareShare = Math.max(0, 100 - listedShare) / RARE_SURNAMES.length;

const SURNAME_TABLE: WeightedTable<string> = cumulative([
  ...SURNAME_SHARES,
  ...RARE_SURNAMES.map((s) => [s, rareShare] as const),
]);

/** Share of the population with a surname (percent / 100), for tests and docs. */
export function surnameShare(surname: string): number {
  const listed = SURNAME_SHARES.find(([s]) => s === surname);
  if (listed) return listed[1] / 100;
  return RARE_SURNAMES.includes(surname) ? rareShare / 100 : 0;
}

const FEMALE_GIVEN = [
  '秀英',
  '桂英',
  '秀兰',
  '玉兰',
  '桂兰',
  '秀珍',
  '凤英',
  '玉珍',
  '玉英',
  '兰英',
  '玉梅',
  '凤兰',
  '桂珍',
  '秀云',
  '桂香',
  '冬梅',
  '淑珍',
  '菊英',
  '春兰',
  '金凤',
  '秀华',
  '桂芳',
  '丽',
  '英',
  '兰',
  '珍',
  '芳',
  '梅',
  '秀梅',
  '月英',
  '腊梅',
  '满秀',
  '翠兰',
  '淑英',
  '桂花',
  '菊香',
  '春梅',
  '秀莲',
  '玉华',
  '细妹',
];

const MALE_GIVEN = [
  '建华',
  '建国',
  '国华',
  '德明',
  '志明',
  '国强',
  '春生',
  '建军',
  '福生',
  '长生',
  '金生',
  '国庆',
  '志强',
  '德华',
  '文华',
  '明华',
  '建平',
  '国平',
  '国良',
  '德福',
  '桂生',
  '永生',
  '海',
  '明',
  '伟',
  '军',
  '华',
  '平',
  '勇',
  '强',
  '林',
  '斌',
  '正华',
  '玉明',
  '新华',
  '光明',
  '忠',
  '文',
  '国安',
  '满生',
];

const zipf = (names: readonly string[]): WeightedTable<string> =>
  cumulative(names.map((n, i) => [n, 1 / (i + 1) ** 0.9] as const));

const FEMALE_TABLE = zipf(FEMALE_GIVEN);
const MALE_TABLE = zipf(MALE_GIVEN);

export function drawSurname(rng: Rng): string {
  return rng.pickWeighted(SURNAME_TABLE);
}

export function drawGivenName(rng: Rng, sex: 'M' | 'F'): string {
  return rng.pickWeighted(sex === 'F' ? FEMALE_TABLE : MALE_TABLE);
}

/** Characters read the same (pinyin without tone) that clerks type for one another: 王丽 / 王莉. */
const HOMOPHONES: Readonly<Record<string, readonly string[]>> = {
  丽: ['莉', '利', '俐'],
  英: ['瑛', '莹'],
  秀: ['绣'],
  兰: ['岚', '蓝'],
  珍: ['贞', '真'],
  华: ['化', '桦'],
  明: ['鸣', '铭'],
  芳: ['方'],
  梅: ['眉', '玫'],
  云: ['芸', '运'],
  凤: ['风', '峰'],
  桂: ['贵'],
  玉: ['钰', '育'],
  国: ['果'],
  建: ['健', '剑'],
  军: ['君', '均'],
  生: ['升', '胜'],
  德: ['得'],
  志: ['智', '治'],
  福: ['富'],
  金: ['今', '锦'],
  林: ['琳', '霖'],
  伟: ['卫', '炜'],
  平: ['萍', '坪'],
  勇: ['永', '涌'],
  文: ['雯', '闻'],
  庆: ['清', '青'],
  香: ['湘'],
  花: ['华'],
  春: ['椿'],
  张: ['章'],
  王: ['汪'],
  李: ['黎', '里'],
  刘: ['柳'],
  杨: ['阳'],
  徐: ['许'],
  吴: ['武'],
  陈: ['晨'],
};

/**
 * The name with one character replaced by a homophone, or the name unchanged when none of its characters has one.
 * @example homophoneOf(rng, '王丽') // '王莉'
 */
export function homophoneOf(rng: Rng, name: string): string {
  const chars = [...name];
  const candidates = chars.map((c, i) => [i, HOMOPHONES[c]] as const).filter(([, h]) => h !== undefined);
  if (candidates.length === 0) return name;
  const [index, options] = rng.pick(candidates);
  chars[index] = rng.pick(options ?? []);
  return chars.join('');
}

const VILLAGE_PREFIXES = '新大石白长黄龙竹桃杨枫柏松荷清凤金高平双'.split('');
const VILLAGE_SUFFIXES = '塘桥山岭冲湾坪田湖江溪源铺坝洲峰'.split('');

/** A village name from its number, e.g. `新塘村`. */
export function villageName(index: number): string {
  const prefix = VILLAGE_PREFIXES[index % VILLAGE_PREFIXES.length];
  const suffix = VILLAGE_SUFFIXES[Math.floor(index / VILLAGE_PREFIXES.length) % VILLAGE_SUFFIXES.length];
  return `${prefix}${suffix}村`;
}
