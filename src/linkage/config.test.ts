import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { blockingRuleFromConfig, parseLinkConfig, settingsFromConfig } from './config.js';
import { splitCsvLine } from './csv.js';
import { soundex } from './soundex.js';

describe('link config', () => {
  it('accepts the shipped FEBRL config and builds its comparisons', () => {
    const json = JSON.parse(
      readFileSync(join(import.meta.dirname, '../../examples/febrl-config.json'), 'utf8'),
    );
    const config = parseLinkConfig(json);
    expect(config.ok).toBe(true);
    if (!config.ok) return;
    const settings = settingsFromConfig(config.value);
    expect(settings.comparisons.map((c) => c.name)).toContain('soc_sec_id');
    expect(settings.oneToOne).toBe('both');
  });
  it('refuses a config with an unknown comparison type or a duplicate name, saying where', () => {
    const bad = parseLinkConfig({
      leftId: 'id',
      comparisons: [{ type: 'fuzzy', column: 'x' }],
      blocking: [{ keys: ['x'] }],
    });
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.issues[0]!.path).toEqual(['comparisons', 0, 'type']);
    const duplicate = parseLinkConfig({
      leftId: 'id',
      comparisons: [
        { type: 'exact', column: 'x' },
        { type: 'jaro-winkler', column: 'x', thresholds: [0.9] },
      ],
      blocking: [{ keys: ['x'] }],
    });
    expect(duplicate.ok).toBe(false);
  });
  it('builds blocking keys from transformed columns; an empty part leaves the record out', () => {
    const rule = blockingRuleFromConfig({
      keys: [
        { column: 'surname', transform: 'soundex' },
        { column: 'dob', transform: 'year' },
      ],
    });
    expect(rule.name).toBe('soundex(surname) + year(dob)');
    expect(rule.key({ surname: 'Robert', dob: '19491231' })).toBe(
      rule.key({ surname: 'Rupert', dob: '1949-01-01' }),
    );
    expect(rule.key({ surname: 'Robert' })).toBeUndefined();
    expect(soundex('Tymczak')).toBe('T522');
    expect(soundex('Ashcraft')).toBe('A261');
  });
  it('reads CSV lines with spaces after commas and quoted cells', () => {
    expect(splitCsvLine('rec-1-org, michaela, , 0042')).toEqual(['rec-1-org', 'michaela', '', '0042']);
    expect(splitCsvLine('a,"b, ""c""",d')).toEqual(['a', 'b, "c"', 'd']);
    expect(splitCsvLine('a,"b')).toBeUndefined();
  });
});
