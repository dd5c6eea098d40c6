import { maskText } from '../core/mask.js';
import { fail, ok, type Result } from '../core/result.js';
import type { EpochMs } from '../core/time.js';
import type { CardEvent } from '../records/schemas.js';
import { type Alert, alertIdFor } from './alert.js';
import type { EngineState } from './checkpoint.js';
import { DAY, type Detector, type DetectorResult, type Emit, MINUTE } from './detector.js';
import { DETECTOR_KINDS } from './detectors/index.js';
import { createEventBuffer, createEventRecord } from './event-buffer.js';
import { detach } from './event-line.js';
import { createExpiringMap, type ExpiringMap, sweepIntervalFor } from './expiring-map.js';
import type { CardReference, ReferenceData } from './ports.js';
import { type CardTable, cardTableOf, createCardRows } from './reference-index.js';
import { type Rules, severityOf, type TypologyRule } from './rules.js';
import { createSeenSet } from './seen-set.js';

/** What happened to one pushed event. */
export type PushOutcome = 'accepted' | 'duplicate' | 'late';

/** A detector that threw on an event: counted, reported, and the stream goes on. */
export interface DetectorFailure {
  readonly detectorId: string;
  readonly eventId: string;
  readonly message: string;
}

export interface EngineStats {
  /** Events pushed. */
  readonly received: number;
  /** Events passed by the watermark and run through the detectors. */
  readonly processed: number;
  readonly duplicates: number;
  /** Events older than the watermark on arrival: dropped, see docs/monitor.md. */
  readonly late: number;
  readonly detectorErrors: number;
  readonly buffered: number;
  readonly alertsOpened: number;
  readonly alertUpdates: number;
  /** Alerts closed after their typology's idle period. */
  readonly alertsClosed: number;
  /** Keys held in state (seen-set, detectors, typologies): the engine's memory, bounded by expiry. */
  readonly stateKeys: number;
  readonly watermark: EpochMs | null;
}

export interface EngineOptions {
  readonly rules: Rules;
  readonly reference: ReferenceData;
  /** Called for each detector failure (message masked). */
  readonly onError?: (failure: DetectorFailure) => void;
  /** Called for each late event (e.g. to quarantine it). */
  readonly onLate?: (event: CardEvent) => void;
  /**
   * Called after each event has run through the detectors (latency metrics). The event object is the engine's
   * own record, set again for every event: read it during the call, copy what is kept.
   */
  readonly onProcessed?: (event: CardEvent) => void;
  /** How often, in event time, expired state is collected. Default one minute. */
  readonly expiryIntervalMs?: number;
}

/**
 * The event-time engine: a synchronous, single-threaded core.
 * @example
 * const engine = createEngine({ rules, reference });
 * for (const event of events) engine.push(event);
 * engine.drain();                      // end of input
 * await sink.upsert(engine.takeChanges());
 */
export interface Engine {
  /**
   * `cardIndex`: the event's card's number in `cards` (`cards.indexOf(event.card)`), when the caller knows it
   * already (the replay resolves each card of its dictionary once); left out, the engine looks it up.
   */
  push(event: CardEvent, cardIndex?: number): PushOutcome;
  /**
   * `push` for a caller that reuses its event object after the call (the replay fills one record per event):
   * the engine never keeps a pushed event, only its fields, and `onLate` is handed a copy.
   */
  pushReused(event: CardEvent, cardIndex?: number): PushOutcome;
  /** End of input: process every buffered event; the watermark moves past the latest event seen. */
  drain(): void;
  /** Alerts opened or updated since the last call, in the state they are in now. */
  takeChanges(): Alert[];
  /** Every alert still open (not closed by idleness), current state. */
  openAlerts(): Alert[];
  /**
   * The state as plain JSON data, a deep copy by default. `{ copy: false }` skips the copy (half the cost of a
   * checkpoint): the result then shares the engine's live objects and must be serialized before the engine
   * goes on, as `CheckpointStore.save` does.
   */
  snapshot(options?: { readonly copy?: boolean }): EngineState;
  /** Replaces the state with a checkpoint's (made with the same rules). */
  restore(state: EngineState): Result<void>;
  stats(): EngineStats;
  readonly ruleVersion: string;
  /**
   * The reference's card table (`cardTableOf`: the same card numbers, the facts read from this engine's copy),
   * undefined for a reference without one.
   */
  readonly cards: CardTable | undefined;
}

interface Contribution {
  ts: number;
  strength: number;
  reason: string;
  evidence: string[];
  beneficiaryIds: string[];
}

interface OpenAlert {
  alertId: string;
  firstTs: number;
  lastTs: number;
  score: number;
  evidence: string[];
  evidenceTotal: number;
  beneficiaryIds: string[];
  /** The contributing reasons at the last update; the explanation is built from them when the alert is read. */
  reasons: string[];
  /** Closed: idle for `closeAfterIdleDays` (checked at whole days of event time, so replays agree). */
  closed?: boolean;
}

interface EntityState {
  contributions: (Contribution | null)[];
  alert: OpenAlert | null;
}

interface TypologyRuntime {
  readonly rule: TypologyRule;
  readonly combineMs: number;
  readonly idleMs: number;
  readonly weights: number[];
  readonly entities: ExpiringMap<EntityState>;
}

const CONTRIBUTION_EVIDENCE = 100;

export function createEngine(options: EngineOptions): Engine {
  const { rules, reference } = options;
  const lateness = rules.allowedLatenessMs;
  const maxEvidence = rules.maxEvidencePerAlert;
  const expiryInterval = options.expiryIntervalMs ?? MINUTE;
  // Most detectors look the event's card up: the first lookup of an event is remembered for the others (and
  // forgotten before the next event, so a reference refreshed between batches is always seen).
  let memoCard: string | undefined;
  let memoRef: CardReference | undefined;
  const table = cardTableOf(reference);
  // This engine's copy of the facts, with room beside them for a detector's per-card state.
  const rows = table !== undefined ? createCardRows(table) : undefined;
  const cards = rows?.view;
  const env = {
    cards,
    cardIndex: -1,
    cardColumn: () => rows?.column(),
    reference: {
      card(card: string): CardReference | undefined {
        if (card !== memoCard) {
          memoRef = reference.card(card);
          memoCard = card;
        }
        return memoRef;
      },
    },
  };
  const onProcessed = options.onProcessed;

  const detectors: Detector[] = rules.detectors.map((d) => {
    const spec = DETECTOR_KINDS[d.kind];
    // The params were validated against this kind's schema by parseRules.
    return (spec.create as (id: string, p: unknown, e: typeof env) => Detector)(d.id, d.params, env);
  });
  const typologies: TypologyRuntime[] = rules.typologies.map((rule) => ({
    rule,
    combineMs: rule.combineWindowDays * DAY,
    idleMs: rule.closeAfterIdleDays * DAY,
    weights: rule.detectors.map((d) => d.weight),
    entities: createExpiringMap<EntityState>(
      sweepIntervalFor(Math.max(rule.combineWindowDays, rule.closeAfterIdleDays) * DAY),
    ),
  }));
  /** For each detector: the typologies it feeds and its position in each. */
  const routes: { typology: TypologyRuntime; position: number }[][] = detectors.map((d) => {
    const out: { typology: TypologyRuntime; position: number }[] = [];
    for (const t of typologies) {
      t.rule.detectors.forEach((ref, position) => {
        if (ref.detector === d.id) out.push({ typology: t, position });
      });
    }
    return out;
  });

  let buffer = createEventBuffer();
  // The event being processed: one record whose fields the buffer sets for each event (no object per event).
  const current = createEventRecord();
  const seen = createSeenSet(sweepIntervalFor(Math.max(lateness, MINUTE)));
  let watermark = Number.NEGATIVE_INFINITY;
  let maxTs = Number.NEGATIVE_INFINITY;
  let lastExpiry = Number.NEGATIVE_INFINITY;
  let counters = {
    received: 0,
    processed: 0,
    duplicates: 0,
    late: 0,
    detectorErrors: 0,
    alertsOpened: 0,
    alertUpdates: 0,
    alertsClosed: 0,
  };
  let changes = new Map<string, { typology: TypologyRuntime; entityId: string; alert: OpenAlert }>();
  /** Alerts not closed yet, by id: the daily idleness check looks at these only. */
  const openById = new Map<string, { typology: TypologyRuntime; entityId: string; alert: OpenAlert }>();
  /** The last whole day (event time) at which idle alerts were closed. */
  let lastCloseCheck = Number.NEGATIVE_INFINITY;

  /** Sets beside each open alert's lists, for constant-time de-duplication (rebuilt after a restore). */
  const alertSets = new WeakMap<OpenAlert, { evidence: Set<string>; beneficiaries: Set<string> }>();
  function setsOf(a: OpenAlert): { evidence: Set<string>; beneficiaries: Set<string> } {
    let sets = alertSets.get(a);
    if (sets === undefined) {
      sets = { evidence: new Set(a.evidence), beneficiaries: new Set(a.beneficiaryIds) };
      alertSets.set(a, sets);
    }
    return sets;
  }

  /** Adds items not yet in `set` to `list` (up to `cap`); returns how many were new. */
  function addNew(list: string[], set: Set<string>, items: readonly string[], cap: number): number {
    let added = 0;
    for (const item of items) {
      if (set.has(item)) continue;
      added++;
      if (list.length < cap) {
        const copy = detach(item);
        list.push(copy);
        set.add(copy);
      }
    }
    return added;
  }

  function explanationOf(t: TypologyRuntime, a: OpenAlert): string {
    let text = `${t.rule.title}: ${a.reasons.join('; ')}`;
    if (a.evidenceTotal > a.evidence.length) {
      text += ` (${a.evidenceTotal} events of evidence, the first ${a.evidence.length} listed)`;
    }
    return maskText(text);
  }

  function toAlert(t: TypologyRuntime, entityId: string, a: OpenAlert): Alert {
    return {
      alertId: a.alertId,
      rule: t.rule.id,
      ruleVersion: rules.version,
      severity: severityOf(t.rule, a.score),
      score: a.score,
      firstTs: a.firstTs,
      lastTs: a.lastTs,
      entityType: t.rule.entityType,
      entityId,
      beneficiaryIds: [...a.beneficiaryIds],
      explanation: explanationOf(t, a),
      evidence: [...a.evidence],
      status: a.closed === true ? 'closed' : 'open',
    };
  }

  function addAll(target: string[], items: readonly string[], cap: number): number {
    let added = 0;
    for (const item of items) {
      if (target.includes(item)) continue;
      added++;
      if (target.length < cap) target.push(detach(item));
    }
    return added;
  }

  function onResult(t: TypologyRuntime, position: number, r: DetectorResult): void {
    const entityId = r.entities[t.rule.entityType];
    if (entityId === undefined) return;
    let state = t.entities.get(entityId);
    if (state === undefined) state = { contributions: t.weights.map(() => null), alert: null };
    t.entities.touch(entityId, state, r.ts);
    let c = state.contributions[position] ?? null;
    if (c === null || c.ts < r.ts - t.combineMs) {
      c = { ts: r.ts, strength: r.strength, reason: r.reason, evidence: [], beneficiaryIds: [] };
      state.contributions[position] = c;
    }
    c.ts = r.ts;
    c.strength = r.strength;
    c.reason = r.reason;
    addAll(c.evidence, r.evidence, CONTRIBUTION_EVIDENCE);
    addAll(c.beneficiaryIds, r.beneficiaryIds, CONTRIBUTION_EVIDENCE);

    let score = 0;
    let firstTs = r.ts;
    for (let i = 0; i < state.contributions.length; i++) {
      const ci = state.contributions[i];
      if (ci == null || ci.ts < r.ts - t.combineMs) continue;
      score += t.weights[i]! * ci.strength;
      if (ci.ts < firstTs) firstTs = ci.ts;
    }
    score = Math.round(score * 1000) / 1000;
    if (score < t.rule.threshold) return;

    let alert = state.alert;
    if (alert !== null && alert.lastTs < r.ts - t.idleMs) {
      if (alert.closed !== true) closeAlert(t, entityId, alert);
      alert = null;
    }
    if (alert === null) {
      // Window start = the earliest contributing result: the alert id depends only on event time.
      alert = {
        alertId: alertIdFor(t.rule.id, t.rule.entityType, entityId, firstTs),
        firstTs,
        lastTs: r.ts,
        score,
        evidence: [],
        evidenceTotal: 0,
        beneficiaryIds: [],
        reasons: [],
      };
      const sets = setsOf(alert);
      for (const ci of state.contributions) {
        if (ci == null || ci.ts < r.ts - t.combineMs) continue;
        alert.evidenceTotal += addNew(alert.evidence, sets.evidence, ci.evidence, maxEvidence);
        addNew(alert.beneficiaryIds, sets.beneficiaries, ci.beneficiaryIds, Number.POSITIVE_INFINITY);
      }
      state.alert = alert;
      openById.set(alert.alertId, { typology: t, entityId, alert });
      counters.alertsOpened++;
    } else {
      const sets = setsOf(alert);
      alert.lastTs = r.ts;
      if (score > alert.score) alert.score = score;
      alert.evidenceTotal += addNew(alert.evidence, sets.evidence, r.evidence, maxEvidence);
      addNew(alert.beneficiaryIds, sets.beneficiaries, r.beneficiaryIds, Number.POSITIVE_INFINITY);
      counters.alertUpdates++;
    }
    const reasons: string[] = [];
    for (const ci of state.contributions)
      if (ci != null && ci.ts >= r.ts - t.combineMs) reasons.push(ci.reason);
    alert.reasons = reasons;
    changes.set(alert.alertId, { typology: t, entityId, alert });
  }

  function closeAlert(t: TypologyRuntime, entityId: string, alert: OpenAlert): void {
    alert.closed = true;
    openById.delete(alert.alertId);
    counters.alertsClosed++;
    changes.set(alert.alertId, { typology: t, entityId, alert });
  }

  /**
   * Closes the alerts idle for their typology's `closeAfterIdleDays`, at whole days of event time: the same
   * days are checked whatever order the events arrived in, so replays (shuffled or not) close the same alerts.
   */
  function closeIdle(): void {
    const day = Math.floor(watermark / DAY) * DAY;
    if (day <= lastCloseCheck) return;
    lastCloseCheck = day;
    for (const { typology, entityId, alert } of openById.values()) {
      if (alert.lastTs < day - typology.idleMs) closeAlert(typology, entityId, alert);
    }
  }

  const emitters: Emit[] = detectors.map((_, i) => {
    const targets = routes[i]!;
    return (result: DetectorResult) => {
      for (const { typology, position } of targets) onResult(typology, position, result);
    };
  });

  /** `tag`: the card's number in `cards` when the pusher gave it, else -2 (looked up here). */
  function process(event: CardEvent, tag: number): void {
    counters.processed++;
    memoCard = undefined;
    if (cards !== undefined) env.cardIndex = tag >= -1 ? tag : cards.indexOf(event.card);
    for (let i = 0; i < detectors.length; i++) {
      const d = detectors[i]!;
      try {
        d.onEvent(event, emitters[i]!);
      } catch (error) {
        counters.detectorErrors++;
        options.onError?.({
          detectorId: d.id,
          eventId: event.eventId,
          message: maskText(error instanceof Error ? error.message : String(error)),
        });
      }
    }
    onProcessed?.(event);
  }

  function expire(): void {
    lastExpiry = watermark;
    seen.expire(watermark - lateness);
    for (const d of detectors) d.expire(watermark);
    for (const t of typologies) t.entities.expire(watermark - Math.max(t.combineMs, t.idleMs));
  }

  function advance(to: number): void {
    if (to <= watermark) return;
    watermark = to;
    while (buffer.size > 0 && buffer.peekTs() < watermark) {
      const tag = buffer.popInto(current);
      process(current, tag);
    }
    // Collect expired state only after the buffer has been drained up to the watermark: every event still to
    // come has ts ≥ watermark, so expiry can never change a result (each detector also checks ages exactly).
    if (watermark - lastExpiry >= expiryInterval) expire();
    if (watermark - lastCloseCheck >= DAY) closeIdle();
  }

  function push(event: CardEvent, cardIndex: number, reused: boolean): PushOutcome {
    counters.received++;
    if (seen.has(event.eventId)) {
      counters.duplicates++;
      return 'duplicate';
    }
    if (event.ts < watermark) {
      counters.late++;
      options.onLate?.(reused ? { ...event } : event);
      return 'late';
    }
    seen.add(event.eventId, event.ts);
    // The buffer copies the event's fields: the object itself is not kept.
    buffer.push(event, cardIndex);
    if (event.ts > maxTs) {
      maxTs = event.ts;
      advance(maxTs - lateness);
    }
    return 'accepted';
  }

  function stateKeys(): number {
    let n = seen.size + buffer.size;
    for (const d of detectors) n += d.stateSize();
    for (const t of typologies) n += t.entities.size;
    return n;
  }

  const engine: Engine = {
    ruleVersion: rules.version,
    cards,
    push: (event, cardIndex = -2) => push(event, cardIndex, false),
    pushReused: (event, cardIndex = -2) => push(event, cardIndex, true),
    drain() {
      if (maxTs === Number.NEGATIVE_INFINITY) return;
      advance(maxTs + 1);
      expire();
    },
    takeChanges() {
      const out: Alert[] = [];
      for (const { typology, entityId, alert } of changes.values())
        out.push(toAlert(typology, entityId, alert));
      changes = new Map();
      return out;
    },
    openAlerts() {
      const out: Alert[] = [];
      for (const t of typologies) {
        for (const [entityId, state] of t.entities.entries()) {
          if (
            state.alert !== null &&
            state.alert.closed !== true &&
            state.alert.lastTs >= watermark - t.idleMs
          ) {
            out.push(toAlert(t, entityId, state.alert));
          }
        }
      }
      return out;
    },
    snapshot(snapshotOptions = {}): EngineState {
      const finite = (n: number) => (Number.isFinite(n) ? n : null);
      const state: EngineState = {
        watermark: finite(watermark),
        maxTs: finite(maxTs),
        lastExpiry: finite(lastExpiry),
        lastCloseCheck: finite(lastCloseCheck),
        counters: { ...counters },
        // Only the ids a sweep now would keep: with a short lateness the set holds up to a sweep interval of
        // ids (a minute of traffic), most of them no longer needed, and the checkpoint is copied twice.
        seen: seen.snapshot(watermark - lateness),
        buffered: buffer.sorted(),
        detectors: Object.fromEntries(detectors.map((d) => [d.id, d.snapshot()])),
        typologies: Object.fromEntries(typologies.map((t) => [t.rule.id, t.entities.snapshot()])),
      };
      if (snapshotOptions.copy === false) return state;
      // A deep copy: the checkpoint must not change as the engine goes on.
      return JSON.parse(JSON.stringify(state)) as EngineState;
    },
    restore(input) {
      const state = JSON.parse(JSON.stringify(input)) as EngineState;
      for (const d of detectors) {
        if (!(d.id in state.detectors)) {
          return fail(
            'checkpoint.rules_changed',
            `the checkpoint has no state for detector "${d.id}": it was made with other rules`,
          );
        }
      }
      try {
        for (const d of detectors) d.restore(state.detectors[d.id]);
        for (const t of typologies) {
          t.entities.restore((state.typologies[t.rule.id] ?? []) as [string, EntityState, number][]);
        }
      } catch (error) {
        return fail(
          'checkpoint.corrupt',
          `the checkpoint could not be restored: ${(error as Error).message}`,
        );
      }
      watermark = state.watermark ?? Number.NEGATIVE_INFINITY;
      maxTs = state.maxTs ?? Number.NEGATIVE_INFINITY;
      lastExpiry = state.lastExpiry ?? Number.NEGATIVE_INFINITY;
      lastCloseCheck = state.lastCloseCheck ?? Number.NEGATIVE_INFINITY;
      openById.clear();
      for (const t of typologies) {
        for (const [entityId, entity] of t.entities.entries()) {
          const a = entity.alert;
          if (a !== null && a.closed !== true) openById.set(a.alertId, { typology: t, entityId, alert: a });
        }
      }
      counters = { ...counters, ...state.counters };
      seen.restore(state.seen);
      buffer = createEventBuffer();
      for (const e of state.buffered) buffer.push(e);
      changes = new Map();
      return ok(undefined);
    },
    stats: () => ({
      ...counters,
      buffered: buffer.size,
      stateKeys: stateKeys(),
      watermark: Number.isFinite(watermark) ? watermark : null,
    }),
  };
  return engine;
}
