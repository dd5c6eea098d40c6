import { describe, expect, it } from 'vitest';
import { createCoUseDetector, isNight, ringIdOf } from './co-use.js';
import type { TerminalUse } from './ports.js';

const DAY = 86_400_000;
/** 2021-01-11 22:00 Asia/Shanghai. */
const NIGHT = Date.parse('2021-01-11T22:00:00+08:00');
/** 2021-01-12 10:00 Asia/Shanghai. */
const MORNING = Date.parse('2021-01-12T10:00:00+08:00');

let seq = 0;
/** One ATM session: card in, withdrawal, card out over 50 seconds; returns the uses and when it ended. */
function session(terminalId: string, card: string, at: number, fen = 100_000): TerminalUse[] {
  const use = (ts: number, type: TerminalUse['type'], withdrawnFen = 0): TerminalUse => ({
    terminalId,
    ts,
    eventId: `E${String(++seq).padStart(8, '0')}`,
    card,
    type,
    withdrawnFen,
  });
  return [use(at, 'card_inserted'), use(at + 20_000, 'withdrawal', fen), use(at + 50_000, 'card_ejected')];
}

/** Cards used one after another, `gapMs` between one session's end and the next one's start. */
function sweep(terminalId: string, cards: readonly string[], start: number, gapMs = 40_000): TerminalUse[] {
  const out: TerminalUse[] = [];
  let t = start;
  for (const card of cards) {
    out.push(...session(terminalId, card, t));
    t += 50_000 + gapMs;
  }
  return out;
}

/** A deterministic shuffle, so that each month's order differs. */
function shuffled<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  let s = seed;
  for (let i = out.length - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

function detect(uses: readonly TerminalUse[]) {
  const sorted = [...uses].sort((a, b) =>
    a.terminalId !== b.terminalId ? (a.terminalId < b.terminalId ? -1 : 1) : a.ts - b.ts,
  );
  const detector = createCoUseDetector();
  for (let i = 0; i < sorted.length; i += 7) detector.add(sorted.slice(i, i + 7));
  return detector.finish();
}

const ringCards = Array.from({ length: 10 }, (_, i) => `62170000000000000${String(i).padStart(2, '0')}`);

describe('card co-use rings', () => {
  it('finds cards swept together month after month, whatever their order, as one ring', () => {
    const uses: TerminalUse[] = [];
    for (let month = 0; month < 6; month++) {
      const terminal = month % 2 === 0 ? 'ATM-1' : 'ATM-2';
      uses.push(...sweep(terminal, shuffled(ringCards, month + 1), NIGHT + month * 30 * DAY));
    }
    const { rings } = detect(uses);
    expect(rings).toHaveLength(1);
    const ring = rings[0]!;
    expect([...ring.cards.keys()].sort()).toEqual([...ringCards].sort());
    expect([...ring.cards.values()].every((c) => c.membership === 'core' && c.sweeps === 6)).toBe(true);
    expect(ring.terminals).toEqual(['ATM-1', 'ATM-2']);
    expect(ring.sweeps).toHaveLength(6);
    expect(ring.nightSweeps).toBe(6);
    expect(ring.withdrawnFen).toBe(6 * 10 * 100_000);
    expect(ring.ringId).toBe(ringIdOf(ringCards));
    expect(ring.ringId).not.toContain(ringCards[0]);
  });

  it('attaches a card swept once among the ring, and leaves out a stranger swept once elsewhere', () => {
    const uses: TerminalUse[] = [];
    for (let month = 0; month < 4; month++) uses.push(...sweep('ATM-1', ringCards, NIGHT + month * 30 * DAY));
    // The ring's newest card: only the last sweep.
    uses.push(...sweep('ATM-1', ['6217000000000000099'], NIGHT + 3 * 30 * DAY + 10 * 90_000));
    const { rings } = detect(uses);
    expect(rings[0]?.cards.get('6217000000000000099')).toEqual({ sweeps: 1, membership: 'attached' });
  });

  it('does not make rings of couples, village agents, or a one-off crowd', () => {
    const uses: TerminalUse[] = [];
    for (let month = 0; month < 12; month++) {
      const base = MORNING + month * 30 * DAY;
      // A couple: one spouse uses both cards back to back, every month, at the same ATM.
      uses.push(...sweep('ATM-1', ['6217000000000001001', '6217000000000001002'], base));
      // A village agent withdrawing for three housebound neighbours at the village POS.
      uses.push(
        ...sweep('POS-1', ['6217000000000002001', '6217000000000002002', '6217000000000002003'], base),
      );
      // The same couple and agent again later the same day, far apart from each other.
      uses.push(...sweep('ATM-1', ['6217000000000003001', '6217000000000003002'], base + 3 * 3_600_000));
    }
    // Once, five strangers happen to queue at the town ATM minutes apart.
    uses.push(
      ...sweep(
        'ATM-3',
        [
          '6217000000000004001',
          '6217000000000004002',
          '6217000000000004003',
          '6217000000000004004',
          '6217000000000004005',
        ],
        MORNING,
      ),
    );
    const result = detect(uses);
    expect(result.rings).toEqual([]);
    expect(result.multiCardSweeps).toBe(1);
  });

  it('keeps sweeps apart when the gap between cards is longer than a few minutes', () => {
    const uses: TerminalUse[] = [];
    for (let month = 0; month < 6; month++)
      uses.push(...sweep('ATM-1', ringCards, NIGHT + month * 30 * DAY, 10 * 60_000));
    expect(detect(uses).rings).toEqual([]);
  });

  it('ignores the queue at a busy machine but still finds a ring swept there at midday', () => {
    const uses: TerminalUse[] = [];
    let s = 7;
    const random = () => {
      s = (s * 1103515245 + 12345) % 2 ** 31;
      return s / 2 ** 31;
    };
    const pool = Array.from({ length: 3000 }, (_, i) => `6217000000001${String(i).padStart(6, '0')}`);
    const days = 60;
    for (let day = 0; day < days; day++) {
      // Strangers every 100 seconds on average, 09:00-17:00: chains of 4+ cards minutes apart are common.
      let t = MORNING - 3_600_000 + day * DAY;
      const close = t + 8 * 3_600_000;
      for (;;) {
        t += Math.round(-Math.log(1 - random()) * 100_000);
        if (t > close) break;
        uses.push(...session('ATM-BUSY', pool[Math.floor(random() * pool.length)]!, t));
        t += 50_000;
      }
    }
    const ring = Array.from({ length: 20 }, (_, i) => `6217000000009${String(i).padStart(6, '0')}`);
    for (const day of [5, 35, 55])
      uses.push(...sweep('ATM-BUSY', shuffled(ring, day), MORNING + 2 * 3_600_000 + day * DAY, 30_000));
    const result = detect(uses);
    expect(result.backgroundSweeps).toBeGreaterThan(50);
    expect(result.rings).toHaveLength(1);
    const found = [...result.rings[0]!.cards.keys()];
    expect(found.filter((card) => ring.includes(card)).length).toBeGreaterThanOrEqual(18);
    // Strangers who slipped in between the ring's cards may be attached; none is core.
    expect(found.filter((card) => !ring.includes(card)).length).toBeLessThanOrEqual(8);
    expect(
      found.filter((card) => !ring.includes(card) && result.rings[0]!.cards.get(card)?.membership === 'core'),
    ).toEqual([]);
  });

  it('tells night from day in Asia/Shanghai', () => {
    expect(isNight(NIGHT)).toBe(true);
    expect(isNight(MORNING)).toBe(false);
    expect(isNight(Date.parse('2021-01-12T04:59:00+08:00'))).toBe(true);
  });
});
