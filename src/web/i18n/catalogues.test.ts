import { describe, expect, it } from 'vitest';
import { en } from './en.js';
import { createTranslator, format } from './messages.js';
import { zhCN } from './zh-CN.js';

describe('message catalogues', () => {
  it('zh-CN and en have exactly the same keys', () => {
    expect(Object.keys(en).sort()).toEqual(Object.keys(zhCN).sort());
  });

  it('every message is non-empty and both languages use the same placeholders', () => {
    const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    for (const [key, zh] of Object.entries(zhCN)) {
      const english = en[key as keyof typeof en];
      expect(zh.length, key).toBeGreaterThan(0);
      expect(english.length, key).toBeGreaterThan(0);
      expect(placeholders(english), key).toEqual(placeholders(zh));
    }
  });

  it('fills placeholders and falls back to the raw value for unknown API terms', () => {
    expect(format('第 {from}–{to} 条', { from: 1, to: 20 })).toBe('第 1–20 条');
    const t = createTranslator('en', en);
    expect(t.term('caseStatus', 'investigating')).toBe('investigating');
    expect(t.term('severity', 'critical')).toBe('critical');
    expect(t.term('severity', 'unheard-of')).toBe('unheard-of');
    expect(createTranslator('zh-CN', zhCN).term('caseStatus', 'closed')).toBe('已结案');
  });
});
