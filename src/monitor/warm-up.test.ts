import { describe, expect, it } from 'vitest';
import { defaultRules } from './default-rules.js';
import { warmUp } from './warm-up.js';

describe('warmUp', () => {
  it('runs every made-up event through the parser and the detectors, and raises alerts in its own engine', () => {
    const { accepted, alerts } = warmUp(defaultRules(), 5_000);
    // Every line is valid (an invalid one would warm only the error path) and the detectors fire.
    expect(accepted).toBe(5_000);
    expect(alerts).toBeGreaterThan(0);
  });
});
