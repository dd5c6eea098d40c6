import { unwrap } from '../core/result.js';
import { parseRules, type Rules } from './rules.js';

/**
 * The default rules file, as JSON data (write it out with `JSON.stringify(DEFAULT_RULES_FILE, null, 2)` to edit
 * it). Every detector and parameter is documented in docs/monitor.md; parameters left out take their defaults.
 */
export const DEFAULT_RULES_FILE = {
  version: 'default-2025.3',
  description: 'ghostwatch default card-monitoring rules',
  engine: { allowedLatenessMinutes: 5, maxEvidencePerAlert: 500 },
  detectors: [
    {
      id: 'multi-card-terminal',
      kind: 'multi_card_session',
      params: { windowMinutes: 30, minCards: 5, maxGapMinutes: 10, saturationCards: 12 },
    },
    // Living pensioners suspended for a missed certification keep using their cards: on the simulator's honest
    // traffic a suspension alone (0.7 before) made 40 false alerts per 1,000 cards. Now it only adds to others.
    {
      id: 'deceased-card-activity',
      kind: 'deceased_card_activity',
      // A death-matching review (weaker evidence) alerts only with a second signal; a confirmed death alone.
      params: { graceDays: 0, reviewStrength: 0.5, suspendedStrength: 0.4 },
    },
    {
      id: 'co-used-cards',
      kind: 'co_used_cards',
      params: { pairWindowMinutes: 10, minMonths: 3, minRingCards: 4 },
    },
    { id: 'card-shared', kind: 'card_shared_by_beneficiaries', params: { minBeneficiaries: 3 } },
    { id: 'card-changed-near-death', kind: 'card_changed_near_death', params: { withinDaysBeforeDeath: 90 } },
    { id: 'far-from-home', kind: 'far_from_home', params: { level: 'prefecture' } },
    {
      id: 'dormant-card-swept',
      kind: 'dormant_card_swept',
      params: { dormantDays: 180, sweepWithinDays: 3 },
    },
  ],
  typologies: [
    {
      id: 'hengnan-atm-sweep',
      title: 'Many cards emptied at one terminal',
      entityType: 'terminal',
      detectors: [
        { detector: 'multi-card-terminal', weight: 1 },
        { detector: 'deceased-card-activity', weight: 0.1 },
      ],
      // 5 cards at night (0.8) or 7 by day (0.71) alert; 5-6 cards by day at a busy payday ATM do not, even with
      // a suspended benefit among them (+0.04); a card believed dead (+0.08-0.1) tips 6 cards by day over.
      threshold: 0.7,
      severity: { medium: 0.6, high: 0.8, critical: 0.95 },
      combineWindowDays: 1,
      closeAfterIdleDays: 90,
    },
    {
      id: 'multi-card-session',
      title: 'Many cards in one terminal session',
      entityType: 'session',
      detectors: [{ detector: 'multi-card-terminal', weight: 1 }],
      threshold: 0.6,
      severity: { medium: 0.6, high: 0.8, critical: 0.95 },
      combineWindowDays: 1,
      closeAfterIdleDays: 1,
    },
    {
      id: 'ghost-card-activity',
      title: 'Card of a dead or suspended beneficiary in use',
      entityType: 'card',
      detectors: [
        { detector: 'deceased-card-activity', weight: 1 },
        { detector: 'card-changed-near-death', weight: 0.3 },
        { detector: 'dormant-card-swept', weight: 0.2 },
        { detector: 'far-from-home', weight: 0.2 },
      ],
      threshold: 0.7,
      severity: { medium: 0.7, high: 0.85, critical: 1 },
      combineWindowDays: 90,
      closeAfterIdleDays: 180,
    },
    {
      id: 'collector-ring',
      title: 'Cards used together month after month (a collector)',
      entityType: 'ring',
      detectors: [{ detector: 'co-used-cards', weight: 1 }],
      threshold: 0.6,
      severity: { medium: 0.6, high: 0.8, critical: 0.95 },
      combineWindowDays: 90,
      closeAfterIdleDays: 180,
    },
    {
      id: 'shared-pension-card',
      title: "One card receives several beneficiaries' pensions",
      entityType: 'card',
      detectors: [{ detector: 'card-shared', weight: 1 }],
      threshold: 0.6,
      severity: { medium: 0.6, high: 0.8, critical: 1 },
      combineWindowDays: 90,
      closeAfterIdleDays: 180,
    },
    {
      id: 'card-changed-near-death',
      title: 'Pension card changed near the death, then used',
      entityType: 'card',
      detectors: [{ detector: 'card-changed-near-death', weight: 1 }],
      threshold: 0.7,
      severity: { medium: 0.7, high: 0.9, critical: 1.5 },
      combineWindowDays: 90,
      closeAfterIdleDays: 180,
    },
    {
      id: 'dormant-card-swept-far-away',
      title: 'Dormant card swept after payday far from home',
      entityType: 'card',
      detectors: [
        { detector: 'dormant-card-swept', weight: 0.5 },
        { detector: 'far-from-home', weight: 0.5 },
      ],
      threshold: 0.8,
      severity: { medium: 0.8, high: 0.95, critical: 2 },
      combineWindowDays: 1,
      closeAfterIdleDays: 180,
    },
  ],
};

/** The default rules, validated. */
export function defaultRules(): Rules {
  return unwrap(parseRules(DEFAULT_RULES_FILE));
}
