import { describe, expect, it } from 'vitest';
import { DEFAULT_RULES_FILE, defaultRules } from './default-rules.js';
import { parseRules, parseRulesText } from './rules.js';

describe('rules file', () => {
  it('the default rules are valid, versioned, and fill in every parameter', () => {
    const rules = defaultRules();
    expect(rules.version).toBe(DEFAULT_RULES_FILE.version);
    expect(rules.allowedLatenessMs).toBe(5 * 60_000);
    const multi = rules.detectors.find((d) => d.id === 'multi-card-terminal');
    expect(multi?.params).toMatchObject({
      windowMinutes: 30,
      minCards: 5,
      nightFromHour: 22,
      bySession: true,
    });
  });

  it('names the place and the problem of each error', () => {
    const file = structuredClone(DEFAULT_RULES_FILE) as Record<string, unknown> & typeof DEFAULT_RULES_FILE;
    (file.detectors[0]!.params as Record<string, unknown>).minCards = 1;
    (file.detectors[1] as { kind: string }).kind = 'nonsense';
    file.typologies[0]!.detectors.push({ detector: 'no-such-detector', weight: 1 });
    const result = parseRules(file);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const messages = result.issues.map((i) => i.message).join('\n');
    expect(messages).toContain('detectors.1.kind: must be one of multi_card_session');
    const again = structuredClone(DEFAULT_RULES_FILE);
    (again.detectors[0]!.params as Record<string, unknown>).minCards = 1;
    again.typologies[0]!.detectors.push({ detector: 'no-such-detector', weight: 1 });
    const second = parseRules(again);
    expect(second.ok).toBe(false);
    if (second.ok) return;
    const text = second.issues.map((i) => i.message).join('\n');
    expect(text).toMatch(/detectors\.0\.params\.minCards: .*2/);
    expect(text).toContain('typologies.0.detectors.2.detector: no detector with id "no-such-detector"');
  });

  it('refuses a missing version, unknown fields, duplicate ids, disordered severities, unreachable entities', () => {
    const { version: _v, ...noVersion } = DEFAULT_RULES_FILE;
    const r1 = parseRules(noVersion);
    expect(r1.ok === false && r1.issues[0]?.path).toEqual(['version']);

    const r2 = parseRules({ ...DEFAULT_RULES_FILE, extra: 1 });
    expect(r2.ok).toBe(false);

    const dup = structuredClone(DEFAULT_RULES_FILE);
    dup.detectors.push({ ...dup.detectors[0]! });
    dup.typologies[0]!.severity = { medium: 0.9, high: 0.8, critical: 0.95 };
    dup.typologies[1]!.entityType = 'handler';
    const r3 = parseRules(dup);
    expect(r3.ok).toBe(false);
    if (r3.ok) return;
    const codes = r3.issues.map((i) => i.code);
    expect(codes).toEqual(
      expect.arrayContaining(['rules.duplicate_id', 'rules.severity_order', 'rules.entity_unreachable']),
    );
  });

  it('reports invalid JSON in one line', () => {
    const r = parseRulesText('{ "version": ');
    expect(r).toMatchObject({ ok: false, issues: [{ code: 'rules.invalid_json' }] });
  });
});
