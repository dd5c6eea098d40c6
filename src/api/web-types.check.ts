import type { z } from 'zod';
import type { Role } from '../auth/roles.js';
import type { CASE_STATUSES, DISPOSITIONS, RECOVERY_ENTRY_KINDS, RECOVERY_ROUTES } from '../cases/case.js';
// Type-only: nothing of the dashboard runs on the server (tsc still compiles, and emits, the file imported).
import type * as Web from '../web/api/types.js';
import type { userListView } from './routes/admin.js';
import type {
  approvalPageView,
  caseDetailView,
  caseOpenedView,
  casePageView,
  caseTransitionView,
} from './routes/cases.js';
import type {
  alertMonthsView,
  backtestView,
  overviewView,
  ringGraphView,
  rulesView,
  timelineView,
} from './routes/dashboard.js';
import type {
  alertPageView,
  alertView,
  beneficiaryView,
  handlerRiskPageView,
  quarantinePageView,
  revealedAlertView,
  revealedBeneficiaryView,
  ringPageView,
  statusView,
  suspectDetailView,
  suspectPageView,
} from './routes/findings.js';
import type { loginView, meView } from './routes/session.js';
import type { approvalView, userView } from './routes/views.js';

/**
 * The dashboard's hand-written API types (src/web/api/types.ts) held to the zod response schemas at compile time:
 * `tsc -p tsconfig.json` fails when a field the dashboard reads is no longer served, or is served with another
 * type. Each line reads "what `schema` serves can be read as `WebType`"; a field the API serves and the dashboard
 * ignores is fine. A failure reads
 * `Type '…' does not satisfy the constraint 'AlertView'. Property 'rule' is missing in type …`.
 * Nothing here runs (the module is empty once compiled); web-types.test.ts checks the constants the dashboard
 * copies from the cases context, which types cannot.
 */

/**
 * What a value of type T becomes once sent as JSON and parsed: a property that may be undefined is absent (so
 * optional, without undefined: the dashboard's tsconfig has exactOptionalPropertyTypes too), nothing readonly.
 */
type Json<T> = T extends readonly (infer E)[]
  ? Json<E>[]
  : T extends object
    ? Flat<
        { -readonly [K in keyof T as undefined extends T[K] ? never : K]: Json<T[K]> } & {
          -readonly [K in keyof T as undefined extends T[K] ? K : never]?: Json<Exclude<T[K], undefined>>;
        }
      >
    : T;
type Flat<T> = { [K in keyof T]: T[K] } & {};

/** The body a route with this response schema answers with (the app parses the handler's value with it). */
type Served<S extends z.ZodType> = Json<z.output<S>>;

/** Compiles only if `Body` (what the API serves) can be read as `Read` (what the dashboard expects). */
type Serves<Body extends Read, Read> = Body;

/** Every response type the dashboard reads, each against the schema of the route(s) it comes from. */
export type DashboardTypesServed = [
  // session (app.tsx, login-page.tsx); GET /api/users (assignee-picker.tsx reads `{ items: UserView[] }`)
  Serves<Served<typeof loginView>, Web.LoginResponse>,
  Serves<Served<typeof meView>, Web.MeResponse>,
  Serves<Served<typeof userView>, Web.UserView>,
  Serves<Served<typeof userListView>, { readonly items: readonly Web.UserView[] }>,
  // status and data quality
  Serves<Served<typeof statusView>, Web.StatusView>,
  Serves<Served<typeof quarantinePageView>, Web.QuarantinePage>,
  // death-matching findings and beneficiaries
  Serves<Served<typeof suspectPageView>, Web.Page<Web.Suspect>>,
  Serves<Served<typeof suspectDetailView>, Web.SuspectDetail>,
  Serves<Served<typeof beneficiaryView>, Web.BeneficiaryView>,
  Serves<Served<typeof revealedBeneficiaryView>, Web.RevealedBeneficiary>,
  // suspect-page.tsx reads the timeline as `{ items: TimelineEntry[] }`
  Serves<Served<typeof timelineView>, { items: Web.TimelineEntry[] }>,
  // alerts
  Serves<Served<typeof alertPageView>, Web.Page<Web.AlertView>>,
  Serves<Served<typeof alertView>, Web.AlertView>,
  Serves<Served<typeof revealedAlertView>, Web.RevealedAlert>,
  // analytics
  Serves<Served<typeof handlerRiskPageView>, Web.Page<Web.HandlerRiskView>>,
  Serves<Served<typeof ringPageView>, Web.Page<Web.RingView>>,
  Serves<Served<typeof ringGraphView>, Web.RingGraph>,
  Serves<Served<typeof overviewView>, Web.OverviewView>,
  // rules page: /api/rules, and /api/alert-months and /api/backtest both read as BacktestView
  Serves<Served<typeof rulesView>, Web.RulesView>,
  Serves<Served<typeof alertMonthsView>, Web.BacktestView>,
  Serves<Served<typeof backtestView>, Web.BacktestView>,
  // cases and approvals (case-forms.tsx reads a transition as `{ status: string; approval?: ApprovalView }`)
  Serves<Served<typeof casePageView>, Web.Page<Web.CaseSummary>>,
  Serves<Served<typeof caseDetailView>, Web.CaseDetail>,
  Serves<Served<typeof caseOpenedView>, Web.CaseOpened>,
  Serves<Served<typeof caseTransitionView>, { status: string; approval?: Web.ApprovalView }>,
  Serves<Served<typeof approvalView>, Web.ApprovalView>,
  Serves<Served<typeof approvalPageView>, Web.Page<Web.ApprovalView>>,
];

type Member<T extends readonly unknown[]> = T[number];

/**
 * The dashboard's copies of the server's enums (roles; the cases context's statuses, recovery kinds and routes,
 * dispositions, which its forms also send back): the same members both ways.
 */
export type DashboardEnumsMatch = [
  Serves<Web.Role, Role>,
  Serves<Role, Web.Role>,
  Serves<Member<typeof Web.CASE_STATUSES>, Member<typeof CASE_STATUSES>>,
  Serves<Member<typeof CASE_STATUSES>, Member<typeof Web.CASE_STATUSES>>,
  Serves<Member<typeof Web.RECOVERY_ENTRY_KINDS>, Member<typeof RECOVERY_ENTRY_KINDS>>,
  Serves<Member<typeof RECOVERY_ENTRY_KINDS>, Member<typeof Web.RECOVERY_ENTRY_KINDS>>,
  Serves<Member<typeof Web.RECOVERY_ROUTES>, Member<typeof RECOVERY_ROUTES>>,
  Serves<Member<typeof RECOVERY_ROUTES>, Member<typeof Web.RECOVERY_ROUTES>>,
  Serves<Member<typeof Web.DISPOSITIONS>, Member<typeof DISPOSITIONS>>,
  Serves<Member<typeof DISPOSITIONS>, Member<typeof Web.DISPOSITIONS>>,
];
