import { describe, expect, it } from 'vitest';
import { createProgressReporter, formatProgress } from './progress.js';

describe('formatProgress', () => {
  it('shows rows, rate, share read and time left', () => {
    expect(
      formatProgress(
        { rows: 1_200_000, bytesRead: 50e6, bytesTotal: 200e6, elapsedMs: 3000 },
        'payments.csv',
      ),
    ).toBe('payments.csv  1,200,000 rows  400,000 rows/s  25%  ETA 0:09');
    expect(formatProgress({ rows: 10, bytesRead: 1, bytesTotal: 3600, elapsedMs: 1000 })).toBe(
      '10 rows  10 rows/s  0%  ETA 59:59',
    );
    expect(formatProgress({ rows: 5, bytesRead: 1, bytesTotal: 7200, elapsedMs: 1000 })).toContain(
      'ETA 1:59:59',
    );
  });

  it('leaves out what it cannot know', () => {
    expect(formatProgress({ rows: 0, bytesRead: 0, bytesTotal: 0, elapsedMs: 0 })).toBe('0 rows');
  });
});

describe('createProgressReporter', () => {
  const reading = (rows: number) => ({ rows, bytesRead: rows, bytesTotal: 100, elapsedMs: 1000 });

  it('redraws one line on a terminal at most every 250 ms', () => {
    const written: string[] = [];
    let now = 0;
    const reporter = createProgressReporter({
      stream: { isTTY: true, write: (t: string) => written.push(t) },
      clock: () => now,
    });
    reporter.update(reading(1));
    now = 100;
    reporter.update(reading(2));
    now = 260;
    reporter.update(reading(3));
    reporter.done(reading(100));
    expect(written).toHaveLength(4);
    expect(written[0]?.startsWith('\r1 rows ')).toBe(true);
    expect(written[0]?.endsWith('\u001b[K')).toBe(true);
    expect(written[1]).toMatch(/^\r3 rows/);
    expect(written[2]).toMatch(/^\r100 rows/);
    expect(written[3]).toBe('\n');
  });

  it('prints nothing when not on a terminal', () => {
    const written: string[] = [];
    const reporter = createProgressReporter({
      stream: { isTTY: false, write: (t: string) => written.push(t) },
      clock: () => 0,
    });
    reporter.update(reading(1));
    reporter.done(reading(2));
    expect(written).toEqual([]);
  });
});
