/**
 * The shapes the dashboard reads from the HTTP API, written by hand after the zod response schemas of
 * src/api/routes (see /openapi.json). Money is integer fen; identity and card numbers arrive masked.
 *
 * Checked, not trusted: src/api/web-types.check.ts makes the server's `tsc -p tsconfig.json` (so `npm test`)
 * fail when a route no longer serves a field these types declare, or serves it with another type; a type here
 * may leave out what the dashboard does not read, or mark optional what older servers leave out.
 * src/api/web-types.test.ts checks that the constants below equal the cases context's. A new type read from
 * the API gets its line in web-types.check.ts.
 */

export type Role = 'admin' | 'supervisor' | 'investigator' | 'analyst' | 'auditor' | 'bank';

export interface UserView {
  readonly userId: string;
  readonly name: string;
  readonly role: Role;
  readonly unit?: string;
  readonly handlerId?: string;
  readonly createdAt: number;
  readonly disabled: boolean;
}

export interface LoginResponse {
  readonly user: UserView;
  readonly csrfToken: string;
  readonly expiresAt: number;
}

export interface MeResponse {
  readonly user: UserView;
  readonly csrfToken?: string;
}

export interface Page<T> {
  readonly items: readonly T[];
  readonly total: number;
  readonly offset: number;
  readonly limit: number;
}

export interface StatusView {
  readonly store: {
    readonly dialect: 'sqlite' | 'postgres';
    readonly location: string;
    readonly schemaVersion: number;
  };
  readonly rows: Readonly<Record<string, number>>;
  readonly quarantine: readonly {
    readonly file: string;
    readonly kind: string;
    readonly rows: number;
    readonly loadedBy?: 'ingest' | 'monitor --replay';
  }[];
  readonly dataQualityFlags: number;
  readonly jobs: readonly { readonly job: string; readonly outcome: string; readonly finishedAt: number }[];
  readonly cases: { readonly total: number; readonly notClosed: number };
}

export interface QuarantineRow {
  readonly file: string;
  readonly kind: string;
  readonly line: number;
  readonly column?: string;
  readonly code: string;
  readonly reason: string;
  readonly raw: string;
}

export interface QuarantinePage {
  readonly items: readonly QuarantineRow[];
  /** All quarantined rows (in the file asked for); absent from servers older than the dashboard. */
  readonly total?: number;
  readonly offset: number;
  readonly limit: number;
}

export interface Suspect {
  readonly beneficiaryId: string;
  readonly nameMasked: string;
  readonly handlerId?: string;
  readonly deathDate: string;
  readonly matchProbability: number;
  readonly decision: string;
  readonly firstUnentitledPeriod: string;
  readonly overpaidFen: number;
  readonly statusAfter: string;
  readonly evidence: readonly string[];
}

export interface MatchTerm {
  readonly comparison: string;
  readonly level: number;
  readonly label: string;
  readonly weight: number;
  readonly tfAdjustment: number;
}

export interface DeathLink {
  readonly source: string;
  readonly recordId: string;
  readonly deathDate: string;
  readonly matchWeight: number;
  readonly matchProbability: number;
  readonly explanation?: { readonly priorWeight: number; readonly terms: readonly MatchTerm[] };
}

export interface MatchDecision {
  readonly decisionId: string;
  readonly decidedAt: number;
  readonly decision: string;
  readonly action: string;
  readonly reason: string;
  readonly statusBefore: string;
  readonly statusAfter: string;
  readonly reversed: boolean;
}

export interface SuspectDetail {
  readonly suspect: Suspect;
  readonly links: readonly DeathLink[];
  readonly decisions: readonly MatchDecision[];
  readonly caseIds: readonly string[];
}

export interface BeneficiaryView {
  readonly beneficiaryId: string;
  readonly nameMasked: string;
  readonly idNumberMasked?: string;
  readonly bankCardMasked?: string;
  readonly regionCode?: string;
  readonly status: string;
  readonly handlerId?: string;
  readonly monthlyAmountFen?: number;
  readonly benefitOrders: readonly {
    readonly orderId: string;
    readonly action: string;
    readonly at: number;
    readonly approvedBy: string;
  }[];
}

export interface RevealedBeneficiary {
  readonly beneficiaryId: string;
  readonly name: string;
  readonly idNumber?: string;
  readonly bankCard?: string;
  readonly phone?: string;
  readonly address?: string;
}

/** One line of a beneficiary's history (the optional `/api/beneficiaries/{id}/timeline` route). */
export interface TimelineEntry {
  readonly kind: 'payment' | 'death_reported' | 'certification' | 'status_change' | 'card_activity' | string;
  readonly at: number;
  readonly text: string;
  readonly amountFen?: number;
}

export interface AlertView {
  readonly alertId: string;
  readonly rule: string;
  readonly severity: string;
  readonly score: number;
  readonly firstTs: number;
  readonly lastTs: number;
  readonly entityType: string;
  readonly entityId: string;
  readonly beneficiaryIds: readonly string[];
  readonly explanation: string;
  readonly evidence: readonly string[];
  readonly assignee?: string;
}

export interface RevealedAlert {
  readonly alertId: string;
  readonly entityType: string;
  readonly entityId: string;
}

export interface HandlerRiskView {
  readonly handlerId: string;
  readonly rank: number;
  readonly riskScore: number;
  readonly beneficiaries: number;
  readonly deceasedLinked: number;
  readonly expectedDeceased: number;
  readonly pValue: number;
  readonly reasons: readonly string[];
}

export interface RingView {
  readonly ringId: string;
  readonly cardsMasked: readonly string[];
  readonly beneficiaryIds: readonly string[];
  readonly sweeps: number;
  readonly terminals: readonly string[];
  readonly firstTs: number;
  readonly lastTs: number;
  readonly withdrawnFen: number;
  readonly deceasedBeneficiaries: number;
  readonly score: number;
  readonly explanation: string;
}

/** A ring as a graph (the optional `/api/rings/{ringId}/graph` route). */
export interface RingGraph {
  readonly nodes: readonly {
    readonly id: string;
    readonly kind: 'card' | 'beneficiary' | 'handler' | 'terminal';
    readonly label: string;
  }[];
  readonly edges: readonly { readonly source: string; readonly target: string; readonly kind: string }[];
  /** How many of the ring's cards are drawn (servers older than the dashboard leave it out). */
  readonly cards?: { readonly drawn: number; readonly total: number };
}

export const CASE_STATUSES = [
  'open',
  'investigating',
  'confirmed',
  'dismissed',
  'recovery',
  'closed',
] as const;
export type CaseStatus = (typeof CASE_STATUSES)[number];

/** Where each status may go next (the cases context's CASE_TRANSITIONS). */
export const CASE_TRANSITIONS: { readonly [S in CaseStatus]: readonly CaseStatus[] } = {
  open: ['investigating'],
  investigating: ['confirmed', 'dismissed'],
  confirmed: ['recovery', 'closed'],
  dismissed: ['closed'],
  recovery: ['closed'],
  closed: [],
};

export const RECOVERY_ENTRY_KINDS = ['due', 'demanded', 'recovered'] as const;
export const RECOVERY_ROUTES = ['bank_reclamation', 'repayment', 'funeral_grant_offset', 'court'] as const;
export const DISPOSITIONS = ['warning', 'demerit', 'dismissal', 'referred'] as const;

export interface CaseSummary {
  readonly caseId: string;
  readonly openedAt: number;
  readonly openedBy: string;
  readonly status: CaseStatus;
  readonly subjectType: string;
  readonly subjectId: string;
  readonly title: string;
  readonly beneficiaryIds: readonly string[];
  readonly amountAtRiskFen: number;
  readonly amountRecoveredFen: number;
  readonly assignee?: string;
  readonly updatedAt: number;
}

export interface CaseEventView {
  readonly kind: string;
  readonly at: number;
  readonly by: string;
  readonly [field: string]: unknown;
}

export interface CaseDetail extends CaseSummary {
  readonly closedAt?: number;
  readonly links: readonly {
    readonly kind: string;
    readonly ref: string;
    readonly amountFen: number;
    readonly at: number;
    readonly by: string;
  }[];
  readonly events: readonly CaseEventView[];
  readonly recovery: readonly {
    readonly entryId: string;
    readonly at: number;
    readonly by: string;
    readonly kind: (typeof RECOVERY_ENTRY_KINDS)[number];
    readonly route?: (typeof RECOVERY_ROUTES)[number];
    readonly amountFen: number;
    readonly note: string;
  }[];
  readonly recoveryTotals: {
    readonly dueFen: number;
    readonly demandedFen: number;
    readonly recoveredFen: number;
    readonly outstandingFen: number;
    readonly recoveredByRoute: Readonly<Record<string, number>>;
  };
  readonly accountability: readonly {
    readonly recordId: string;
    readonly at: number;
    readonly by: string;
    readonly handlerId: string;
    readonly disposition: (typeof DISPOSITIONS)[number];
    readonly note: string;
  }[];
}

export interface ApprovalView {
  readonly approvalId: string;
  readonly action: 'case.close' | 'benefit.suspend' | 'benefit.reactivate';
  readonly target: string;
  readonly reason: string;
  readonly requestedBy: string;
  readonly requesterUnit?: string;
  readonly requestedAt: number;
  readonly status: 'pending' | 'approved' | 'rejected';
  readonly decidedBy?: string;
  readonly decidedAt?: number;
  readonly decisionNote?: string;
}

export interface CaseOpened {
  readonly caseId: string;
  readonly created: boolean;
}

/** The optional `/api/overview` route: totals and monthly trends computed in the store. */
export interface OverviewView {
  readonly beneficiaries: number;
  readonly suspects: number;
  /** Overpayment claimed (the total `ghostwatch match` prints). */
  readonly overpaidFen: number;
  /** Set aside, not claimed: contested by a life sign or no record about the beneficiary (absent from older servers). */
  readonly overpaidSetAsideFen?: number;
  readonly recoveredFen: number;
  readonly openAlerts: number;
  readonly openCases: number;
  readonly months: readonly {
    readonly month: string;
    readonly deaths: number;
    readonly overpaidFen: number;
    readonly alerts: number;
    readonly recoveredFen: number;
  }[];
}

/** The optional `/api/rules` route: the rule set in force. */
export interface RulesView {
  readonly version: string;
  readonly description?: string;
  readonly detectors: readonly {
    readonly id: string;
    readonly kind: string;
    readonly params: Readonly<Record<string, unknown>>;
  }[];
  readonly typologies: readonly {
    readonly id: string;
    readonly title: string;
    readonly entityType: string;
    readonly threshold: number;
    readonly detectors: readonly { readonly detector: string; readonly weight: number }[];
  }[];
}

/** The optional `/api/backtest` route: what the rules would have flagged, by month. */
export interface BacktestView {
  readonly months: readonly {
    readonly month: string;
    readonly alerts: number;
    readonly byRule?: Readonly<Record<string, number>>;
  }[];
}
