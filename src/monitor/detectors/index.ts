import type { z } from 'zod';
import type { EntityType } from '../alert.js';
import type { Detector, DetectorEnvironment } from '../detector.js';
import { cardChangedNearDeathParams, createCardChangedNearDeath } from './card-changed-near-death.js';
import { cardSharedParams, createCardSharedByBeneficiaries } from './card-shared-by-beneficiaries.js';
import { coUsedCardsParams, createCoUsedCards } from './co-used-cards.js';
import { createDeceasedCardActivity, deceasedCardActivityParams } from './deceased-card-activity.js';
import { createDormantCardSwept, dormantCardSweptParams } from './dormant-card-swept.js';
import { createFarFromHome, farFromHomeParams } from './far-from-home.js';
import { createMultiCardSession, multiCardSessionParams } from './multi-card-session.js';

interface DetectorSpec<P extends z.ZodType> {
  readonly params: P;
  /** The entity keys this detector's results carry: a typology must alert on one of them. */
  readonly entities: readonly EntityType[];
  readonly create: (id: string, params: z.output<P>, env: DetectorEnvironment) => Detector;
  readonly summary: string;
}

function spec<P extends z.ZodType>(s: DetectorSpec<P>): DetectorSpec<P> {
  return s;
}

/** Every detector kind, with its parameter schema and factory. */
export const DETECTOR_KINDS = {
  multi_card_session: spec({
    params: multiCardSessionParams,
    entities: ['terminal', 'session'],
    create: createMultiCardSession,
    summary: 'many different cards at one terminal within minutes (the Hengnan ATM alarm)',
  }),
  deceased_card_activity: spec({
    params: deceasedCardActivityParams,
    entities: ['card', 'beneficiary', 'terminal'],
    create: createDeceasedCardActivity,
    summary: 'activity on a card whose holder is believed dead or whose benefit is suspended',
  }),
  co_used_cards: spec({
    params: coUsedCardsParams,
    entities: ['ring'],
    create: createCoUsedCards,
    summary: 'cards used together at the same terminal, minutes apart, in several months',
  }),
  card_shared_by_beneficiaries: spec({
    params: cardSharedParams,
    entities: ['card'],
    create: createCardSharedByBeneficiaries,
    summary: "a card receiving several beneficiaries' pensions",
  }),
  card_changed_near_death: spec({
    params: cardChangedNearDeathParams,
    entities: ['card', 'beneficiary'],
    create: createCardChangedNearDeath,
    summary: 'a card that became the pension card near or after the death',
  }),
  far_from_home: spec({
    params: farFromHomeParams,
    entities: ['card', 'terminal'],
    create: createFarFromHome,
    summary: "withdrawals in another prefecture or province than the holder's",
  }),
  dormant_card_swept: spec({
    params: dormantCardSweptParams,
    entities: ['card', 'terminal'],
    create: createDormantCardSwept,
    summary: 'a card unused for months, emptied right after a pension credit',
  }),
} as const;

export type DetectorKind = keyof typeof DETECTOR_KINDS;
export const DETECTOR_KIND_NAMES = Object.keys(DETECTOR_KINDS) as DetectorKind[];
