import { createHash } from 'node:crypto';
import {
  addDays,
  type CalendarDate,
  daysBetween,
  type EpochMs,
  periodOf,
  shanghaiDate,
} from '../core/time.js';
import type { Handler } from '../records/schemas.js';
import type { EntityGraph } from './entity-graph.js';
import type { HandlerTally } from './handler-risk.js';
import {
  type Anomaly,
  type BeneficiaryHistory,
  HANDLER_ACTS,
  type HandlerAct,
  type Severity,
} from './ports.js';
import { binomialUpperTail } from './stats.js';

/**
 * One pass over the roll, beneficiary by beneficiary: the certification, reactivation and account anomalies,
 * each handler's acts (and which of them vouched for the dead) for the risk test, devices' certifications, and
 * which beneficiaries the rings' cards belong to. Memory: per handler and per device counters, the anomalies, and
 * the graph's neighbourhood of the beneficiaries that matter.
 */

export interface HistoryAnalysisOptions {
  /** A card change this many days before a death, or any time after it, is "near the death" (default 90). */
  readonly cardChangeWindowDays: number;
  /** Age at certification from which a person's vouching with no other sign of life is looked at (default 90). */
  readonly oldAge: number;
  /** Days before a vouched certification in which an independent sign of life is looked for (default 730). */
  readonly signOfLifeDays: number;
  /** Distinct dead a handler or device certified that make an anomaly (default 3). */
  readonly vouchedDeadThreshold: number;
  /** A device used by more beneficiaries than this is shared (an agent's phone): not one's own sign of life. */
  readonly ownDeviceMaxBeneficiaries: number;
}

export const DEFAULT_HISTORY_OPTIONS: HistoryAnalysisOptions = {
  cardChangeWindowDays: 90,
  oldAge: 90,
  signOfLifeDays: 730,
  vouchedDeadThreshold: 3,
  ownDeviceMaxBeneficiaries: 2,
};

export interface RingCardInfo {
  readonly ringId: string;
  /** The card's first sweep with the ring. */
  readonly firstTs: EpochMs;
}

export interface RingBeneficiary {
  readonly beneficiaryId: string;
  readonly cards: readonly string[];
  /** A recorded death (the ring's own sweeps are not counted as evidence here). */
  readonly dead: boolean;
}

export interface HistoryAnalysisResult {
  readonly beneficiaries: number;
  readonly believedDead: number;
  readonly tallies: readonly HandlerTally[];
  readonly anomalies: readonly Anomaly[];
  /** ring id → its cards' beneficiaries. */
  readonly ringBeneficiaries: ReadonlyMap<string, readonly RingBeneficiary[]>;
}

export interface HistoryAnalysis {
  add(history: BeneficiaryHistory): void;
  finish(): HistoryAnalysisResult;
}

type ActCounts = Record<HandlerAct, { n: number; x: number }>;

interface HandlerState {
  beneficiaries: number;
  acts: ActCounts;
  certifiedDead: string[];
  lastDeadCertification: CalendarDate | undefined;
  reactivations: number;
  unapproved: number;
  reactivatedDead: string[];
}

interface OldCandidate {
  readonly beneficiaryId: string;
  readonly handlerId: string | undefined;
  readonly certificationId: string;
  readonly certifiedAt: CalendarDate;
  readonly channel: string;
  readonly age: number;
  /** The vouching certification's device, and devices of face-app certifications in the window before it. */
  readonly vouchingDevice: string | undefined;
  readonly windowDevices: readonly string[];
  /** A silent (bigdata) certification in the window. */
  readonly silentSign: boolean;
}

const shortHash = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 10);

function ageOn(birth: CalendarDate | undefined, date: CalendarDate): number | undefined {
  if (birth === undefined) return undefined;
  const years = Number(date.slice(0, 4)) - Number(birth.slice(0, 4));
  return date.slice(5) < birth.slice(5) ? years - 1 : years;
}

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

export function createHistoryAnalysis(input: {
  readonly handlers: ReadonlyMap<string, Handler>;
  readonly ringCards: ReadonlyMap<string, RingCardInfo>;
  readonly graph: EntityGraph;
  readonly options?: Partial<HistoryAnalysisOptions>;
}): HistoryAnalysis {
  const o: HistoryAnalysisOptions = { ...DEFAULT_HISTORY_OPTIONS, ...input.options };
  const handlerStates = new Map<string, HandlerState>();
  const stateOf = (handlerId: string): HandlerState => {
    let state = handlerStates.get(handlerId);
    if (state === undefined) {
      state = {
        beneficiaries: 0,
        acts: Object.fromEntries(HANDLER_ACTS.map((a) => [a, { n: 0, x: 0 }])) as ActCounts,
        certifiedDead: [],
        lastDeadCertification: undefined,
        reactivations: 0,
        unapproved: 0,
        reactivatedDead: [],
      };
      handlerStates.set(handlerId, state);
    }
    return state;
  };
  for (const id of input.handlers.keys()) stateOf(id);

  const deviceBeneficiaries = new Map<string, number>();
  const deviceDead = new Map<string, { ids: string[]; last: CalendarDate }>();
  const oldCandidates: OldCandidate[] = [];
  const anomalies: Anomaly[] = [];
  const ringBeneficiaries = new Map<string, RingBeneficiary[]>();
  let beneficiaries = 0;
  let believedDead = 0;

  const anomaly = (a: Omit<Anomaly, 'handlerId' | 'deviceId'> & { handlerId?: string; deviceId?: string }) =>
    anomalies.push({ handlerId: undefined, deviceId: undefined, ...a });

  return {
    add(history) {
      beneficiaries++;
      const b = history.beneficiary;
      const id = b.beneficiaryId;
      const cards = new Set<string>();
      if (b.bankCard !== undefined) cards.add(b.bankCard);
      for (const change of history.accountChanges) {
        cards.add(change.newCard);
        if (change.oldCard !== undefined) cards.add(change.oldCard);
      }
      let ring: { ringId: string; firstTs: EpochMs; cards: string[] } | undefined;
      for (const card of cards) {
        const info = input.ringCards.get(card);
        if (info === undefined) continue;
        if (ring === undefined) ring = { ringId: info.ringId, firstTs: info.firstTs, cards: [card] };
        else {
          ring.cards.push(card);
          ring.firstTs = Math.min(ring.firstTs, info.firstTs);
        }
      }
      const death = history.death;
      // Believed dead since: the death evidence; failing that, the ring's first sweep of the card.
      const deadSince: CalendarDate | undefined =
        death?.deathDate ?? (ring === undefined ? undefined : shanghaiDate(ring.firstTs));
      const deathWords =
        death === undefined
          ? ring === undefined
            ? ''
            : `no death is recorded, but the card has been swept with ring ${ring.ringId} since ${deadSince}`
          : `death on ${death.deathDate} (${death.basis === 'matching' ? 'death matching' : 'same ID number'}: ${death.evidence.slice(0, 3).join(', ')})`;
      if (deadSince !== undefined) believedDead++;
      if (ring !== undefined) {
        let list = ringBeneficiaries.get(ring.ringId);
        if (list === undefined) {
          list = [];
          ringBeneficiaries.set(ring.ringId, list);
        }
        list.push({ beneficiaryId: id, cards: ring.cards, dead: death !== undefined });
      }
      const after = (date: CalendarDate) => deadSince !== undefined && date > deadSince;
      const strong = ring !== undefined || death?.strong === true;
      // Handlers are tested on strong evidence only: one unconfirmed record is a lead, not a count against anyone.
      const afterStrong = (date: CalendarDate) => strong && after(date);
      let interesting = ring !== undefined;

      // Acts per handler for this beneficiary: did, and did after the death.
      const acts = new Map<string, Map<HandlerAct, boolean>>();
      const act = (handlerId: string | undefined, kind: HandlerAct, dead: boolean) => {
        if (handlerId === undefined) return;
        let mine = acts.get(handlerId);
        if (mine === undefined) {
          mine = new Map();
          acts.set(handlerId, mine);
        }
        mine.set(kind, (mine.get(kind) ?? false) || dead);
      };

      // Roll: managing a beneficiary dead and still paid after the death month.
      const paidDead =
        death?.strong === true &&
        history.lastPaidPeriod !== undefined &&
        history.lastPaidPeriod > periodOf(death.deathDate);
      act(b.handlerId, 'manages_paid_dead', paidDead);

      // Certifications.
      const devices = new Set<string>();
      const afterDeath = history.certifications.filter((c) => after(c.certifiedAt));
      for (const c of history.certifications) {
        const dead = after(c.certifiedAt);
        act(c.handlerId, 'certified', afterStrong(c.certifiedAt));
        if (c.deviceId !== undefined) {
          devices.add(c.deviceId);
          if (dead) {
            const entry = deviceDead.get(c.deviceId) ?? { ids: [], last: c.certifiedAt };
            if (entry.ids.at(-1) !== id) entry.ids.push(id);
            if (c.certifiedAt > entry.last) entry.last = c.certifiedAt;
            deviceDead.set(c.deviceId, entry);
          }
        }
        if (dead && c.handlerId !== undefined) {
          const state = stateOf(c.handlerId);
          if (state.certifiedDead.at(-1) !== id) state.certifiedDead.push(id);
          if (state.lastDeadCertification === undefined || c.certifiedAt > state.lastDeadCertification)
            state.lastDeadCertification = c.certifiedAt;
        }
      }
      for (const device of devices)
        deviceBeneficiaries.set(device, (deviceBeneficiaries.get(device) ?? 0) + 1);
      if (afterDeath.length > 0) {
        interesting = true;
        const byWhom = new Map<string, number>();
        for (const c of afterDeath) {
          const who = c.handlerId ?? (c.deviceId === undefined ? c.channel : `device ${c.deviceId}`);
          byWhom.set(who, (byWhom.get(who) ?? 0) + 1);
        }
        const whom = [...byWhom].sort((x, y) => y[1] - x[1]);
        const last = afterDeath.at(-1)!;
        anomaly({
          anomalyId: `certification_after_death:${id}`,
          kind: 'certification_after_death',
          severity: strong ? 'high' : 'medium',
          subjectType: 'beneficiary',
          subjectId: id,
          beneficiaryIds: [id],
          ...(whom[0] !== undefined && input.handlers.has(whom[0][0]) ? { handlerId: whom[0][0] } : {}),
          ...(last.deviceId === undefined ? {} : { deviceId: last.deviceId }),
          occurredOn: last.certifiedAt,
          explanation: `certified as alive ${plural(afterDeath.length, 'time', 'times')} after the ${deathWords}; by ${whom
            .map(([who, n]) => `${who} ×${n}`)
            .join(', ')}`,
          evidence: [...afterDeath.map((c) => c.certificationId), ...(death?.evidence ?? [])],
        });
      }

      // Reactivations.
      for (const s of history.statusChanges) {
        if (s.toStatus !== 'active' || s.fromStatus === 'active') continue;
        const dead = after(s.changedAt);
        const secondApprover = s.approvedBy !== undefined && s.approvedBy !== s.handlerId;
        act(s.handlerId, 'reactivated', afterStrong(s.changedAt));
        if (secondApprover) act(s.approvedBy, 'approved_reactivation', afterStrong(s.changedAt));
        if (s.handlerId !== undefined) {
          const state = stateOf(s.handlerId);
          state.reactivations++;
          if (!secondApprover) state.unapproved++;
          if (dead) state.reactivatedDead.push(id);
        }
        const evidence = `status:${id}:${s.changedAt}:${s.toStatus}`;
        if (dead) {
          interesting = true;
          anomaly({
            anomalyId: `reactivation_of_dead:${id}:${s.changedAt}`,
            kind: 'reactivation_of_dead',
            severity: 'high',
            subjectType: 'beneficiary',
            subjectId: id,
            beneficiaryIds: [id],
            ...(s.handlerId === undefined ? {} : { handlerId: s.handlerId }),
            occurredOn: s.changedAt,
            explanation: `benefit reactivated on ${s.changedAt} by ${s.handlerId ?? 'an unknown handler'}${
              secondApprover ? `, approved by ${s.approvedBy}` : ' without a second approver'
            }, after the ${deathWords}`,
            evidence: [evidence, ...(death?.evidence ?? [])],
          });
        }
        if (!secondApprover) {
          anomaly({
            anomalyId: `reactivation_without_second_approver:${id}:${s.changedAt}`,
            kind: 'reactivation_without_second_approver',
            severity: dead ? 'medium' : 'low',
            subjectType: 'beneficiary',
            subjectId: id,
            beneficiaryIds: [id],
            ...(s.handlerId === undefined ? {} : { handlerId: s.handlerId }),
            occurredOn: s.changedAt,
            explanation: `benefit reactivated on ${s.changedAt} by ${s.handlerId ?? 'an unknown handler'} ${
              s.approvedBy === undefined ? 'with no second approver' : 'who also approved it'
            }: reactivation needs two people from different units`,
            evidence: [evidence],
          });
        }
      }

      // Account changes near (or after) a death.
      for (const change of history.accountChanges) {
        const near =
          deadSince !== undefined && change.changedAt >= addDays(deadSince, -o.cardChangeWindowDays);
        // In the test only a change after the death: a dead person asks for no new card.
        act(change.handlerId, 'changed_card', afterStrong(change.changedAt));
        if (!near || deadSince === undefined) continue;
        interesting = true;
        const days = daysBetween(deadSince, change.changedAt);
        anomaly({
          anomalyId: `card_changed_near_death:${id}:${change.changedAt}:${shortHash(change.newCard)}`,
          kind: 'card_changed_near_death',
          severity: days > 0 ? 'high' : 'medium',
          subjectType: 'beneficiary',
          subjectId: id,
          beneficiaryIds: [id],
          ...(change.handlerId === undefined ? {} : { handlerId: change.handlerId }),
          occurredOn: change.changedAt,
          explanation: `card changed on ${change.changedAt} by ${change.handlerId ?? 'an unknown handler'}, ${
            days > 0 ? `${days} days after` : days === 0 ? 'on the day of' : `${-days} days before`
          } the ${deathWords}`,
          evidence: [`account:${id}:${change.changedAt}`, ...(death?.evidence ?? [])],
        });
      }

      // Very old, vouched for by someone, with no other sign of life: the candidates (devices known at the end).
      const vouched = [...history.certifications]
        .sort((x, y) => (x.certifiedAt < y.certifiedAt ? -1 : 1))
        .at(-1);
      if (vouched !== undefined && b.status !== 'terminated') {
        const age = ageOn(b.birthDate, vouched.certifiedAt);
        if (age !== undefined && age >= o.oldAge && vouched.channel !== 'bigdata') {
          const from = addDays(vouched.certifiedAt, -o.signOfLifeDays);
          const window = history.certifications.filter(
            (c) => c.certifiedAt >= from && c.certifiedAt <= vouched.certifiedAt,
          );
          oldCandidates.push({
            beneficiaryId: id,
            handlerId: vouched.handlerId,
            certificationId: vouched.certificationId,
            certifiedAt: vouched.certifiedAt,
            channel: vouched.channel,
            age,
            vouchingDevice: vouched.deviceId,
            windowDevices: window.flatMap((c) =>
              c.channel === 'face_app' && c.deviceId !== undefined && c !== vouched ? [c.deviceId] : [],
            ),
            silentSign: window.some((c) => c.channel === 'bigdata'),
          });
        }
      }

      // Tallies: one per beneficiary and kind of act.
      const linked = new Set<string>(acts.keys());
      for (const [handlerId, kinds] of acts) {
        const state = stateOf(handlerId);
        for (const [kind, dead] of kinds) {
          state.acts[kind].n++;
          if (dead) state.acts[kind].x++;
        }
      }
      for (const handlerId of linked) stateOf(handlerId).beneficiaries++;
      if (interesting) input.graph.addHistory(history, deadSince);
    },

    finish() {
      // Very old people vouched for with no sign of life of their own.
      const own = (device: string) => (deviceBeneficiaries.get(device) ?? 0) <= o.ownDeviceMaxBeneficiaries;
      for (const c of oldCandidates) {
        const vouchedByPerson =
          c.channel !== 'face_app' || (c.vouchingDevice !== undefined && !own(c.vouchingDevice));
        if (!vouchedByPerson) continue;
        if (c.silentSign || c.windowDevices.some(own)) continue;
        anomaly({
          anomalyId: `old_vouched_without_sign_of_life:${c.beneficiaryId}`,
          kind: 'old_vouched_without_sign_of_life',
          severity: 'low',
          subjectType: 'beneficiary',
          subjectId: c.beneficiaryId,
          beneficiaryIds: [c.beneficiaryId],
          ...(c.handlerId === undefined ? {} : { handlerId: c.handlerId }),
          ...(c.vouchingDevice === undefined ? {} : { deviceId: c.vouchingDevice }),
          occurredOn: c.certifiedAt,
          explanation: `aged ${c.age}, certified on ${c.certifiedAt} by ${
            c.channel === 'face_app' ? `a shared device` : `${c.handlerId ?? 'someone'} (${c.channel})`
          } with no sign of life of their own (silent certification or own phone) in the ${Math.round(
            o.signOfLifeDays / 365,
          )} years before`,
          evidence: [c.certificationId],
        });
      }

      // Devices vouching for many dead.
      for (const [device, dead] of deviceDead) {
        if (dead.ids.length < o.vouchedDeadThreshold) continue;
        const total = deviceBeneficiaries.get(device) ?? dead.ids.length;
        anomaly({
          anomalyId: `device_vouches_for_dead:${device}`,
          kind: 'device_vouches_for_dead',
          severity: 'high',
          subjectType: 'device',
          subjectId: device,
          beneficiaryIds: dead.ids,
          deviceId: device,
          occurredOn: dead.last,
          explanation: `device certified ${plural(dead.ids.length, 'beneficiary', 'beneficiaries')} as alive after their death (of ${total} it certified)`,
          evidence: dead.ids.map((b) => `beneficiary:${b}`),
        });
      }

      // Handlers: vouching for many dead; unusual reactivators.
      const allReactivations = [...handlerStates.values()].reduce((s, h) => s + h.reactivations, 0);
      const allUnapproved = [...handlerStates.values()].reduce((s, h) => s + h.unapproved, 0);
      const notes = new Map<string, string[]>();
      const note = (handlerId: string, text: string) => {
        const list = notes.get(handlerId) ?? [];
        list.push(text);
        notes.set(handlerId, list);
      };
      for (const [handlerId, state] of handlerStates) {
        if (state.certifiedDead.length >= o.vouchedDeadThreshold) {
          anomaly({
            anomalyId: `handler_vouches_for_dead:${handlerId}`,
            kind: 'handler_vouches_for_dead',
            severity: 'high',
            subjectType: 'handler',
            subjectId: handlerId,
            beneficiaryIds: state.certifiedDead,
            handlerId,
            occurredOn: state.lastDeadCertification,
            explanation: `${handlerId} certified ${plural(state.certifiedDead.length, 'beneficiary', 'beneficiaries')} as alive after their death (of ${state.acts.certified.n} certified)`,
            evidence: state.certifiedDead.map((b) => `beneficiary:${b}`),
          });
        }
        if (state.reactivations === 0) continue;
        // Share of reactivations without a second approver against everyone else's share.
        const othersRate =
          (allUnapproved - state.unapproved + 0.5) / (allReactivations - state.reactivations + 1);
        const pUnapproved = binomialUpperTail(state.unapproved, state.reactivations, othersRate);
        const severity: Severity | undefined =
          state.reactivatedDead.length >= 2
            ? 'high'
            : state.unapproved >= 3 && pUnapproved < 0.001
              ? 'medium'
              : undefined;
        if (state.unapproved > 0)
          note(
            handlerId,
            `${plural(state.unapproved, 'reactivation', 'reactivations')} of ${state.reactivations} without a second approver (others: ${(othersRate * 100).toFixed(0)}%)`,
          );
        if (severity === undefined) continue;
        const role = input.handlers.get(handlerId)?.role;
        anomaly({
          anomalyId: `unusual_reactivator:${handlerId}`,
          kind: 'unusual_reactivator',
          severity,
          subjectType: 'handler',
          subjectId: handlerId,
          beneficiaryIds: state.reactivatedDead,
          handlerId,
          occurredOn: undefined,
          explanation: `${handlerId}${role === undefined ? '' : ` (${role})`} reactivated ${plural(
            state.reactivations,
            'suspended benefit',
            'suspended benefits',
          )}, ${state.reactivatedDead.length} of beneficiaries believed dead, ${state.unapproved} without a second approver (p = ${pUnapproved.toPrecision(2)} against the others' share)`,
          evidence: state.reactivatedDead.map((b) => `beneficiary:${b}`),
        });
      }

      const tallies: HandlerTally[] = [...handlerStates].map(([handlerId, state]) => {
        const h = input.handlers.get(handlerId);
        return {
          handlerId,
          role: h?.role,
          regionCode: h?.regionCode,
          beneficiaries: state.beneficiaries,
          acts: state.acts,
          notes: [...(h === undefined ? ['not in handlers.csv'] : []), ...(notes.get(handlerId) ?? [])],
        };
      });
      anomalies.sort((a, b) => (a.anomalyId < b.anomalyId ? -1 : a.anomalyId > b.anomalyId ? 1 : 0));
      return { beneficiaries, believedDead, tallies, anomalies, ringBeneficiaries };
    },
  };
}
