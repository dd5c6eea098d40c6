import type { CalendarDate, Period } from '../../core/time.js';
import { addDays, startOfShanghaiDay } from '../../core/time.js';
import type {
  AccountChange,
  Beneficiary,
  Certification,
  Handler,
  StatusChange,
} from '../../records/schemas.js';
import type { AnalyticsResult, AnalyticsStore, DeathEvidence, TerminalUse } from '../ports.js';

/** The data an in-memory analytics store serves: plain arrays, as a test writes them. */
export interface MemoryAnalyticsData {
  readonly handlers?: readonly Handler[];
  readonly beneficiaries?: readonly Beneficiary[];
  readonly certifications?: readonly Certification[];
  readonly statusChanges?: readonly StatusChange[];
  readonly accountChanges?: readonly AccountChange[];
  /** beneficiary id → death evidence. */
  readonly deaths?: ReadonlyMap<string, DeathEvidence>;
  /** beneficiary id → last paid period. */
  readonly lastPaid?: ReadonlyMap<string, Period>;
  readonly uses?: readonly TerminalUse[];
}

/** An AnalyticsStore over arrays, for tests of the analytics context without a database. */
export function createMemoryAnalyticsStore(data: MemoryAnalyticsData): AnalyticsStore & {
  readonly saved: AnalyticsResult[];
} {
  const saved: AnalyticsResult[] = [];
  const upTo = (asOf: CalendarDate | undefined) => (date: string) => asOf === undefined || date <= asOf;
  return {
    saved,
    async readHandlers() {
      return [...(data.handlers ?? [])].sort((a, b) => (a.handlerId < b.handlerId ? -1 : 1));
    },
    async *readTerminalUse(query = {}) {
      const before =
        query.asOf === undefined ? Number.MAX_SAFE_INTEGER : startOfShanghaiDay(addDays(query.asOf, 1));
      const uses = [...(data.uses ?? [])]
        .filter((u) => u.ts < before)
        .sort((a, b) =>
          a.terminalId !== b.terminalId
            ? a.terminalId < b.terminalId
              ? -1
              : 1
            : a.ts - b.ts || (a.eventId < b.eventId ? -1 : 1),
        );
      const size = query.batchSize ?? 1000;
      for (let i = 0; i < uses.length; i += size) yield uses.slice(i, i + size);
    },
    async *readHistories(query = {}) {
      const keep = upTo(query.asOf);
      const roll = [...(data.beneficiaries ?? [])].sort((a, b) =>
        a.beneficiaryId < b.beneficiaryId ? -1 : 1,
      );
      const size = query.batchSize ?? 1000;
      for (let i = 0; i < roll.length; i += size) {
        yield roll.slice(i, i + size).map((beneficiary) => {
          const id = beneficiary.beneficiaryId;
          const death = data.deaths?.get(id);
          return {
            beneficiary,
            certifications: (data.certifications ?? [])
              .filter((c) => c.beneficiaryId === id && keep(c.certifiedAt))
              .sort((a, b) => (a.certifiedAt < b.certifiedAt ? -1 : 1)),
            statusChanges: (data.statusChanges ?? [])
              .filter((s) => s.beneficiaryId === id && keep(s.changedAt))
              .sort((a, b) => (a.changedAt < b.changedAt ? -1 : 1)),
            accountChanges: (data.accountChanges ?? [])
              .filter((c) => c.beneficiaryId === id && keep(c.changedAt))
              .sort((a, b) => (a.changedAt < b.changedAt ? -1 : 1)),
            death: death !== undefined && keep(death.deathDate) ? death : undefined,
            lastPaidPeriod: data.lastPaid?.get(id),
          };
        });
      }
    },
    async deathEvidenceBasis() {
      return 'exact_id';
    },
    async replaceAnalytics(result) {
      saved.push(result);
    },
    async listHandlerRisk() {
      return saved.at(-1)?.handlers ?? [];
    },
    async listRings() {
      return saved.at(-1)?.rings ?? [];
    },
    async listAnomalies(filter = {}) {
      return (saved.at(-1)?.anomalies ?? []).filter(
        (a) => filter.kind === undefined || a.kind === filter.kind,
      );
    },
    async analyticsCounts() {
      const last = saved.at(-1);
      return {
        handlersRanked: last?.handlers.length ?? 0,
        handlersSignificant: last?.handlers.filter((h) => h.significant).length ?? 0,
        rings: last?.rings.length ?? 0,
        anomalies: last?.anomalies.length ?? 0,
      };
    },
  };
}
