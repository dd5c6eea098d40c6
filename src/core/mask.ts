import { maskCardNumber } from './card-number.js';
import { maskIdNumber } from './id-number.js';

const ID_IN_TEXT = /(?<![\dA-Za-z])(\d{17}[\dXx]|\d{15})(?![\dA-Za-z])/g;
const CARD_IN_TEXT = /(?<!\d)(\d{16}|\d{19})(?!\d)/g;

/**
 * Masks anything in free text that looks like an ID or card number, for log lines and error messages.
 * @example maskText('bad id 430422195003151234') // 'bad id 430422********1234'
 */
export function maskText(text: string): string {
  return text.replace(ID_IN_TEXT, (m) => maskIdNumber(m)).replace(CARD_IN_TEXT, (m) => maskCardNumber(m));
}

/**
 * Masks a personal name for exports: the surname and one character kept.
 * @example maskName('王秀英') // '王*英'
 */
export function maskName(name: string): string {
  const chars = [...name.trim()];
  if (chars.length <= 1) return chars.join('');
  if (chars.length === 2) return `${chars[0]}*`;
  return `${chars[0]}${'*'.repeat(chars.length - 2)}${chars[chars.length - 1]}`;
}
