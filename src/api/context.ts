import type { Context } from 'hono';
import type { Auditor } from '../audit/auditor.js';
import type { AuthService } from '../auth/auth-service.js';
import type { CaseService } from '../cases/case-service.js';
import type { AlertView } from '../cases/ports.js';
import type { Rules } from '../monitor/rules.js';
import type { CardEvent } from '../records/schemas.js';
import type { Store } from '../store/store.js';
import type { Logger } from './logger.js';
import type { WebhookNotifier } from './webhooks.js';

/** A handler's place in the risk ranking, as insider analytics stores it (the fields the API shows). */
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

/** A ring of cards used together, as insider analytics stores it (the fields the API shows). */
export interface RingView {
  readonly ringId: string;
  readonly members: readonly { readonly card: string; readonly beneficiaryIds: readonly string[] }[];
  readonly sweeps: number;
  readonly terminals: readonly string[];
  readonly firstTs: number;
  readonly lastTs: number;
  readonly withdrawnFen: number;
  readonly deceasedBeneficiaries: number;
  readonly score: number;
  readonly explanation: string;
}

/** Insider analytics' stored results (issue #6), when the store has them. */
export interface AnalyticsSource {
  listHandlerRisk(): Promise<readonly HandlerRiskView[]>;
  listRings(): Promise<readonly RingView[]>;
}

export interface AppDeps {
  readonly store: Store;
  readonly clock: () => number;
  readonly logger: Logger;
  /** Signed webhooks for new alerts. */
  readonly webhooks?: WebhookNotifier | undefined;
  /**
   * Runs the card monitor over newly ingested events and returns the alerts that are new (the monitor's
   * business, issue #5); their webhooks go out.
   */
  readonly onCardEvents?: ((events: readonly CardEvent[]) => Promise<readonly AlertView[]>) | undefined;
  /** Where the handler ranking and rings come from (default: the store's insider analytics). */
  readonly analytics?: AnalyticsSource | undefined;
  /** The card-monitoring rule set in force (`GET /api/rules`, `GET /api/backtest`; default: the defaults). */
  readonly rules?: Rules | undefined;
  /** The dashboard's built files (dist/web); a page saying it is not built yet when missing. */
  readonly webRoot?: string | undefined;
  /** Force the session cookie's Secure flag (default: when the request came over https). */
  readonly secureCookies?: boolean | undefined;
  /** The client's address for login rate limiting (default: the socket's). */
  readonly clientAddress?: ((c: Context) => string) | undefined;
  /** Login limits (failures per user name and per address in the window). */
  readonly loginLimits?:
    | { readonly perUser?: number; readonly perAddress?: number; readonly windowMs?: number }
    | undefined;
}

/** What the route modules share. */
export interface ApiEnv {
  readonly deps: AppDeps;
  readonly auth: AuthService;
  readonly auditor: Auditor;
  readonly cases: CaseService;
}

/** The client's address as the socket gives it (in-process requests have none). */
export function socketAddress(c: Context): string {
  const incoming = (c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming;
  return incoming?.socket?.remoteAddress ?? 'unknown';
}
