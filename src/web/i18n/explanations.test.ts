import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { en } from './en.js';
import { explain, reasonOf } from './explanations.js';
import { createTranslator } from './messages.js';
import { zhCN } from './zh-CN.js';

/** Sentences as the server writes them (copied from a demo county's store). */
const ALERTS = [
  'Pension card changed near the death, then used: card 622848*********5048 was made the pension card of B00001317 on 2016-11-26 by handler H00047, within 90 days before the death (2016-11-30), and is in use (withdrawal)',
  'Cards used together month after month (a collector): 8 cards used together at the same terminals, within 10 minutes of each other, in 9 different months (2020-07, 2020-09, 2020-11); cards 621700*********4834, 623517*********5547, …',
  'Card of a dead or suspended beneficiary in use: withdrawal on card 621799*********9170 at CTR-430422-007 on 2021-05-18 09:21: beneficiary B00000780 is believed dead since 2019-02-11 (review)',
  'Many cards emptied at one terminal: 5 different cards used at terminal ATM-430422-0016 within 30 minutes (run of cards at most 10 minutes apart, last at 15:02); withdrawal on card 622848*********8520 at ATM-430422-0016 on 2020-07-13 15:02: beneficiary B00001400 is believed dead since 2017-03-05 (confirmed) (12 events of evidence, the first 10 listed)',
];
const RING =
  '9 cards used one after another, minutes apart, at 3 terminals on 9 days; (5 of 9 sweeps at night), ¥11300.00 withdrawn; 7 of 9 card holders with a recorded death; vouched for after death by H00027 (station_head) ×3, H00045 (station_head) ×3';
const HANDLER_REASONS = [
  'reactivated the suspended benefit of 3 beneficiaries believed dead (of 3; peers (disbursement in 430422) would have 0.0040)',
  'manages 3 beneficiaries dead and still paid (of 30; peers (station_head in 430422) would have 1.4); reported, not tested',
  'changed the card of 1 beneficiary after their death (of 3; peers (clerk in 430422) would have 0.085)',
  '3 such acts where peers would have 0.022',
  'vouched after death for 3 beneficiaries of ring ring-d2d09453c324 (9 cards swept together)',
  '2 reactivations of 4 without a second approver (others: 13%)',
  'no act vouched for a beneficiary believed dead',
];

const zh = createTranslator('zh-CN', zhCN);
const english = createTranslator('en', en);
/** Latin words of three letters or more left in a translation (IDs, cards and terminals are not words). */
const englishWords = (text: string) =>
  text
    .replace(/[A-Z]+[-\w]*\d[-\w]*/g, '')
    .replace(/ring-[0-9a-f]+/g, '')
    .replace(/\b(ATM|Jaro-Winkler)\b/g, '')
    .match(/[a-z]{3,}/gi) ?? [];

describe('explanations in the page language', () => {
  it('says every known alert, ring and handler sentence in Chinese, keeping IDs, cards and amounts', () => {
    for (const text of [...ALERTS, RING, ...HANDLER_REASONS]) {
      const said = explain(text, zh);
      expect(englishWords(said), `${text} → ${said}`).toEqual([]);
      expect(said).toMatch(/[\u4e00-\u9fff]/);
    }
    const sweep = explain(ALERTS[3]!, zh);
    expect(sweep).toContain('多张银行卡在同一终端被取空');
    expect(sweep).toContain('ATM-430422-0016');
    expect(sweep).toContain('B00001400');
    expect(sweep).toContain('已确认');
    expect(sweep).toContain('共 12 条证据事件');
    expect(explain(RING, zh)).toContain('¥11300.00');
    expect(explain(RING, zh)).toContain('H00027 (劳动保障站站长) ×3');
    // The peer group is said in Chinese too: role from the catalogue, region code kept.
    expect(explain(HANDLER_REASONS[1]!, zh)).toContain('430422 的劳动保障站站长');
    expect(explain(HANDLER_REASONS[2]!, zh)).toContain('430422 的经办员');
    expect(
      explain(
        'certified 2 beneficiaries as alive after their death (of 9; peers (unknown role in unknown region) would have 0.1)',
        zh,
      ),
    ).toContain('地区不明 的岗位不明');
    // A role the catalogue does not know stays as the server wrote it.
    expect(
      explain(
        'certified 2 beneficiaries as alive after their death (of 9; peers (notary in 430422) would have 0.1)',
        zh,
      ),
    ).toContain('430422 的notary');
  });

  it('turns each clause into a reason code with its parameters', () => {
    expect(reasonOf('3 such acts where peers would have 0.022')).toEqual({
      key: 'explain.suchActs',
      params: { n: '3', expected: '0.022' },
    });
    expect(reasonOf(HANDLER_REASONS[1]!)?.key).toBe('explain.actManagesUntested');
    expect(reasonOf('something the dashboard has never seen')).toBeUndefined();
  });

  it('leaves English pages and unknown clauses as the server wrote them', () => {
    for (const text of [...ALERTS, RING]) expect(explain(text, english)).toBe(text);
    fc.assert(
      fc.property(fc.string(), (text) => {
        expect(explain(text, english)).toBe(text);
        // A clause with no separator that no pattern knows comes back unchanged in Chinese too.
        if (
          !text.includes(': ') &&
          !text.includes('; ') &&
          reasonOf(text) === undefined &&
          !/ \(\d+ events/.test(text)
        )
          expect(explain(text, zh)).toBe(text);
      }),
    );
    expect(explain('Unheard-of title: a new kind of reason', zh)).toBe(
      'Unheard-of title：a new kind of reason',
    );
  });
});
