import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runLink } from './link-files.js';
import { scoreLinks } from './link-quality.js';

const data = join(import.meta.dirname, '../../../shared/data/febrl');
const config = join(import.meta.dirname, '../../examples/febrl-config.json');

const readPairs = (path: string): [string, string][] =>
  readFileSync(path, 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => {
      const [l, r] = line.split(',');
      return [l!.trim(), r!.trim()];
    });

describe('FEBRL 4a ↔ 4b with examples/febrl-config.json (no labels used for training)', () => {
  it('reaches F1 ≥ 0.99 against the truth file', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'ghostwatch-febrl-')), 'pairs.csv');
    const result = await runLink({
      left: join(data, 'dataset4a.csv'),
      right: join(data, 'dataset4b.csv'),
      config,
      out,
    });
    if (!result.ok) throw new Error(result.issues.map((i) => i.message).join('; '));
    expect(result.value.leftRows).toBe(5000);
    expect(result.value.rightRows).toBe(5000);
    const header = readFileSync(out, 'utf8').split('\n')[0];
    expect(header).toBe('left_id,right_id,match_weight,match_probability');
    const quality = scoreLinks(readPairs(out), readPairs(join(data, 'truth_4a_4b.csv')));
    expect(quality.f1).toBeGreaterThanOrEqual(0.99);
    expect(quality.precision).toBeGreaterThanOrEqual(0.99);
    expect(quality.recall).toBeGreaterThanOrEqual(0.99);
  });
});
