import type { CardNumber } from '../core/card-number.js';
import type { Fen } from '../core/money.js';
import type { EpochMs } from '../core/time.js';
import type { EventChannel, EventResult, EventType } from '../records/enums.js';
import type { CardEvent } from '../records/schemas.js';

/** A CardEvent whose fields are set again for each event (`EventBuffer.popInto`): one object for all. */
export type MutableCardEvent = { -readonly [K in keyof CardEvent]: CardEvent[K] };

/** A record with every field of a CardEvent, for `popInto` to fill. */
export function createEventRecord(): MutableCardEvent {
  return {
    eventId: '',
    ts: 0 as EpochMs,
    card: '' as CardNumber,
    terminalId: undefined,
    terminalRegion: undefined,
    channel: 'atm',
    type: 'withdrawal',
    amountFen: undefined,
    result: 'approved',
    sessionId: undefined,
  };
}

/**
 * The events waiting for the watermark to pass them, in (ts, event_id) order. The buffer keeps each event's
 * fields, not the event: `push` copies them into columns (typed arrays and arrays of strings, slots reused), a
 * binary min-heap orders the slots, and `popInto` sets them on a record the engine reuses for every event. So an
 * event pushed is never held (a caller may reuse its object), and no object is made per event.
 * @example
 * const buffer = createEventBuffer();
 * buffer.push(event);
 * const record = createEventRecord();
 * while (buffer.size > 0 && buffer.peekTs() < watermark) process(record, buffer.popInto(record));
 */
export interface EventBuffer {
  /** `tag`: a number that travels with the event (the engine's card number; -2 when not given). */
  push(event: CardEvent, tag?: number): void;
  /** The first event's time (+Infinity when empty). */
  peekTs(): number;
  /** Sets the first event's fields on `into`, removes it, returns its tag. */
  popInto(into: MutableCardEvent): number;
  readonly size: number;
  /** The buffered events in processing order, as new objects (for checkpoints). */
  sorted(): CardEvent[];
}

export function createEventBuffer(): EventBuffer {
  let capacity = 64;
  let ts = new Float64Array(capacity);
  let amounts = new Float64Array(capacity);
  let tags = new Int32Array(capacity);
  const ids: string[] = [];
  const cards: CardNumber[] = [];
  const terminals: (string | undefined)[] = [];
  const regions: (string | undefined)[] = [];
  const channels: EventChannel[] = [];
  const types: EventType[] = [];
  const results: EventResult[] = [];
  const sessions: (string | undefined)[] = [];
  /** Free slots (a stack), and the heap of slots in use: both `capacity` long. */
  let free = new Int32Array(capacity);
  let heap = new Int32Array(capacity);
  let freeCount = 0;
  let used = 0;
  let size = 0;

  const before = (a: number, b: number): boolean => {
    const ta = ts[a]!;
    const tb = ts[b]!;
    if (ta !== tb) return ta < tb;
    return ids[a]! < ids[b]!;
  };

  function grow(): void {
    const next = capacity * 2;
    const widen = (a: Float64Array) => {
      const b = new Float64Array(next);
      b.set(a);
      return b;
    };
    ts = widen(ts);
    amounts = widen(amounts);
    const nextTags = new Int32Array(next);
    nextTags.set(tags);
    tags = nextTags;
    const nextFree = new Int32Array(next);
    nextFree.set(free);
    free = nextFree;
    const nextHeap = new Int32Array(next);
    nextHeap.set(heap);
    heap = nextHeap;
    capacity = next;
  }

  function slotFor(): number {
    if (freeCount > 0) return free[--freeCount]!;
    if (used === capacity) grow();
    return used++;
  }

  function materialize(s: number): CardEvent {
    const amount = amounts[s]!;
    return {
      eventId: ids[s]!,
      ts: ts[s]! as EpochMs,
      card: cards[s]!,
      terminalId: terminals[s],
      terminalRegion: regions[s],
      channel: channels[s]!,
      type: types[s]!,
      amountFen: Number.isNaN(amount) ? undefined : (amount as Fen),
      result: results[s]!,
      sessionId: sessions[s],
    };
  }

  return {
    push(event, tag = -2) {
      const s = slotFor();
      ts[s] = event.ts;
      amounts[s] = event.amountFen ?? Number.NaN;
      tags[s] = tag;
      ids[s] = event.eventId;
      cards[s] = event.card;
      terminals[s] = event.terminalId;
      regions[s] = event.terminalRegion;
      channels[s] = event.channel;
      types[s] = event.type;
      results[s] = event.result;
      sessions[s] = event.sessionId;
      let i = size++;
      while (i > 0) {
        const parent = (i - 1) >> 1;
        const p = heap[parent]!;
        if (!before(s, p)) break;
        heap[i] = p;
        i = parent;
      }
      heap[i] = s;
    },
    peekTs: () => (size > 0 ? ts[heap[0]!]! : Number.POSITIVE_INFINITY),
    popInto(into) {
      const s = heap[0]!;
      const amount = amounts[s]!;
      into.eventId = ids[s]!;
      into.ts = ts[s]! as EpochMs;
      into.card = cards[s]!;
      into.terminalId = terminals[s];
      into.terminalRegion = regions[s];
      into.channel = channels[s]!;
      into.type = types[s]!;
      into.amountFen = Number.isNaN(amount) ? undefined : (amount as Fen);
      into.result = results[s]!;
      into.sessionId = sessions[s];
      const tag = tags[s]!;
      // The slot's strings are left in place until it is reused: at most `capacity` of them, all short.
      free[freeCount++] = s;
      const last = heap[--size]!;
      if (size > 0) {
        let i = 0;
        for (;;) {
          const left = 2 * i + 1;
          if (left >= size) break;
          const right = left + 1;
          const child = right < size && before(heap[right]!, heap[left]!) ? right : left;
          if (!before(heap[child]!, last)) break;
          heap[i] = heap[child]!;
          i = child;
        }
        heap[i] = last;
      }
      return tag;
    },
    get size() {
      return size;
    },
    sorted() {
      const slots = Array.from(heap.subarray(0, size));
      slots.sort((a, b) => (before(a, b) ? -1 : before(b, a) ? 1 : 0));
      return slots.map(materialize);
    },
  };
}
