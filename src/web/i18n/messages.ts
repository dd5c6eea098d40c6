import { type MessageKey, zhCN } from './zh-CN.js';

export type { MessageKey };
export type Messages = { readonly [K in MessageKey]: string };
export const LOCALES = ['zh-CN', 'en'] as const;
export type Locale = (typeof LOCALES)[number];

/**
 * A message with its `{name}` placeholders filled in.
 * @example format('第 {from} 条', { from: 3 }) // '第 3 条'
 */
export function format(template: string, params: Readonly<Record<string, string | number>> = {}): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in params ? String(params[name]) : whole,
  );
}

export function isMessageKey(key: string): key is MessageKey {
  return Object.hasOwn(zhCN, key);
}

export interface Translator {
  readonly locale: Locale;
  t(key: MessageKey, params?: Readonly<Record<string, string | number>>): string;
  /** A value from the API (`caseStatus`, `open`) in words, or the value itself when the catalogue lacks it. */
  term(prefix: string, value: string): string;
}

export function createTranslator(locale: Locale, messages: Messages): Translator {
  return {
    locale,
    t: (key, params) => format(messages[key], params),
    term(prefix, value) {
      const key = `${prefix}.${value}`;
      return isMessageKey(key) ? messages[key] : value;
    },
  };
}
