import * as OpenCC from 'opencc-js/t2cn';
import { pinyin } from 'pinyin-pro';
import { type Comparison, levelsOf } from '../comparison.js';
import { createJaroWinkler } from './jaro-winkler.js';

/** A name ready to compare: folded characters, toneless pinyin (surname readings), and the surname's pinyin. */
export interface NameParts {
  /** Simplified, half-width, no spaces or middle dots, lower case: 王麗 → 王丽. */
  readonly chars: string;
  /** Toneless pinyin without separators, surname readings applied: 单田芳 → shantianfang. */
  readonly pinyin: string;
  /** The surname's pinyin (compound surnames such as 欧阳 give ouyang). */
  readonly surnamePinyin: string;
  /** The given name's pinyin. */
  readonly givenPinyin: string;
}

// The two-character surnames that occur in practice; a name starting with one splits after two characters.
const COMPOUND_SURNAMES = new Set([
  '欧阳',
  '司马',
  '上官',
  '诸葛',
  '东方',
  '皇甫',
  '尉迟',
  '公孙',
  '慕容',
  '长孙',
  '宇文',
  '司徒',
  '夏侯',
  '令狐',
  '轩辕',
  '端木',
  '独孤',
  '南宫',
  '西门',
  '百里',
  '呼延',
  '万俟',
  '澹台',
  '公羊',
  '赫连',
  '单于',
  '闻人',
  '钟离',
]);

/** Folds full-width ASCII and the ideographic space to half-width, drops spaces and middle dots, lower-cases. */
export function foldWidth(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    let c = text.charCodeAt(i);
    if (c >= 0xff01 && c <= 0xff5e) c -= 0xfee0;
    else if (c === 0x3000) c = 0x20;
    // spaces, tabs, the middle dots of transliterated names (· ・ •) and full stops between name parts
    if (
      c === 0x20 ||
      c === 0x09 ||
      c === 0xb7 ||
      c === 0x30fb ||
      c === 0x2022 ||
      c === 0x2e ||
      c === 0xff65
    ) {
      continue;
    }
    out += String.fromCharCode(c >= 0x41 && c <= 0x5a ? c + 32 : c);
  }
  return out;
}

/** Turns a raw name into `NameParts`. */
export type NameNormaliser = (raw: string | undefined) => NameParts | undefined;

/**
 * Creates a name normaliser (traditional → simplified with OpenCC, width folding, pinyin with pinyin-pro).
 * Names repeat, so results are cached per normaliser (up to `cacheSize` names).
 * @example createNameNormaliser()('單田芳') // { chars: '单田芳', pinyin: 'shantianfang', surnamePinyin: 'shan', … }
 */
export function createNameNormaliser(cacheSize = 200_000): NameNormaliser {
  const toSimplified = OpenCC.Converter({ from: 't', to: 'cn' });
  const cache = new Map<string, NameParts>();
  return (raw) => {
    if (raw === undefined) return undefined;
    const hit = cache.get(raw);
    if (hit !== undefined) return hit;
    const chars = toSimplified(foldWidth(raw));
    if (chars === '') return undefined;
    const syllables = pinyin(chars, { toneType: 'none', surname: 'head', type: 'array', v: true }).map((s) =>
      s.toLowerCase().replace(/\s+/g, ''),
    );
    const surnameLength = COMPOUND_SURNAMES.has(chars.slice(0, 2)) ? 2 : 1;
    const parts: NameParts = {
      chars,
      pinyin: syllables.join(''),
      surnamePinyin: syllables.slice(0, surnameLength).join(''),
      givenPinyin: syllables.slice(surnameLength).join(''),
    };
    if (cache.size >= cacheSize) cache.clear();
    cache.set(raw, parts);
    return parts;
  };
}

export const CHINESE_NAME_LEVELS = [
  'exact',
  'same pinyin (homophone)',
  'similar pinyin',
  'one character different',
  'different',
] as const;

export interface ChineseNameOptions<T> {
  readonly name: string;
  /** The prepared name parts of a record (normalise once with `createNameNormaliser`). */
  readonly value: (record: T) => NameParts | undefined;
  /** Jaro-Winkler threshold on the pinyin for "similar pinyin" (default 0.9). */
  readonly pinyinThreshold?: number;
  /** Adjust the exact and homophone weights by the name's frequency (default true). */
  readonly termFrequency?: boolean;
}

/**
 * Chinese names. Levels: exact (characters after folding), same pinyin (homophones such as 王丽/王莉), similar
 * pinyin (Jaro-Winkler), one character different (same length), different, missing.
 * @example chineseNameComparison<Person>({ name: 'name', value: (p) => p.name })
 */
export function chineseNameComparison<T>(
  options: ChineseNameOptions<T>,
): Comparison<T, NameParts | undefined> {
  const threshold = options.pinyinThreshold ?? 0.9;
  const similarity = createJaroWinkler();
  const tf = options.termFrequency ?? true;
  return {
    name: options.name,
    levels: levelsOf(CHINESE_NAME_LEVELS),
    prepare: (record) => options.value(record),
    compare: (a, b) => {
      if (a === undefined || b === undefined) return 5;
      if (a.chars === b.chars) return 0;
      if (a.pinyin === b.pinyin) return 1;
      if (similarity(a.pinyin, b.pinyin, threshold) >= threshold) return 2;
      const x = a.chars;
      const y = b.chars;
      if (x.length === y.length) {
        let differences = 0;
        for (let i = 0; i < x.length && differences < 2; i++)
          if (x.charCodeAt(i) !== y.charCodeAt(i)) differences++;
        if (differences === 1) return 3;
      }
      return 4;
    },
    ...(tf
      ? {
          termFrequency: [
            { level: 0, value: (p: NameParts | undefined) => p?.chars },
            { level: 1, value: (p: NameParts | undefined) => p?.pinyin },
          ],
        }
      : {}),
  };
}
