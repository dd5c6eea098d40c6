import type { CardNumber } from '../../core/card-number.js';
import type { Issue } from '../../core/result.js';
import type { EpochMs } from '../../core/time.js';
import { isValidYmd } from '../../core/time.js';
import { EVENT_CHANNELS, EVENT_RESULTS, EVENT_TYPES, MONEY_EVENT_TYPES } from '../../records/enums.js';
import type { CardEvent } from '../../records/schemas.js';
import { createEventRecord, type MutableCardEvent } from '../event-buffer.js';
import { FRACTION_MS, internCard, parseCardEventLine } from '../event-line.js';
import type { CardTable } from '../reference-index.js';

/**
 * The replay's reading side, in columns: a file's lines read as bytes, validated and turned into columnar batches
 * (one per 1 MiB chunk of the file) that the engine's thread turns back into the very CardEvent objects
 * `parseCardEventLine` makes. It runs in a worker thread (./replay-reader-worker.ts) while the main thread runs the
 * engine, or in the same thread.
 *
 * The common line (printable ASCII only, a flat object of string values, no escapes) is read from its bytes without
 * making a string: the same checks as the fast path of `parseCardEventLine`, which a property test holds equal.
 * Card numbers, terminal ids and regions are interned to small integers (each new one sent once as a string); event
 * ids travel as one string per batch. Any other line is decoded and goes through `parseCardEventLine` itself: its
 * event travels as an object, or it is reported invalid with its line number.
 */

/** An invalid line: its number, its text, why (values masked). */
export interface InvalidLineReport {
  readonly line: number;
  readonly raw: string;
  readonly issues: readonly Issue[];
}

/** One chunk of the file, read and validated. Events are those of lines after `skipThrough` only. */
export interface EventBatch {
  /** Number of the last line read so far (0 before the first). */
  readonly lastLine: number;
  readonly bytesRead: number;
  /** The end of the file: the caller drains (no commit for this batch of its own). */
  readonly final: boolean;
  readonly count: number;
  readonly ts: Float64Array;
  /** Index into the card dictionary; -1: the event is in `objects` (read by the schema path). */
  readonly card: Int32Array;
  /** Index into the terminal dictionary, -1: none. */
  readonly terminal: Int32Array;
  /** Index into the region dictionary, -1: none. */
  readonly region: Int32Array;
  /** Indices into EVENT_CHANNELS, EVENT_TYPES, EVENT_RESULTS. */
  readonly channel: Uint8Array;
  readonly type: Uint8Array;
  readonly result: Uint8Array;
  /** Amount in fen, NaN: none. */
  readonly amount: Float64Array;
  /** Event ids end to end in `ids`, each ending at its `idEnds` offset. */
  readonly ids: string;
  readonly idEnds: Int32Array;
  /** Session ids by event index, when any event of the batch has one. */
  readonly sessions: (string | undefined)[] | undefined;
  /** Events the columns do not hold, by event index. */
  readonly objects: (CardEvent | undefined)[] | undefined;
  /** The dictionaries start afresh before this batch's new entries (they are bounded). */
  readonly reset: boolean;
  readonly newCards: readonly string[];
  readonly newTerminals: readonly string[];
  readonly newRegions: readonly string[];
  readonly invalid: readonly InvalidLineReport[];
}

/** The typed arrays of a batch, to transfer rather than copy to another thread. */
export function transferablesOf(batch: EventBatch): ArrayBuffer[] {
  return [
    batch.ts,
    batch.card,
    batch.terminal,
    batch.region,
    batch.channel,
    batch.type,
    batch.result,
    batch.amount,
    batch.idEnds,
  ].map((a) => a.buffer as ArrayBuffer);
}

/** Dictionary entries kept before all start afresh (only sharing is lost, never a value). */
export const MAX_DICTIONARY = 1 << 20;

/**
 * Byte strings interned to small integers: open addressing over FNV-1a hashes, the keys' bytes in one arena. No
 * string and no object per lookup: the reading thread's hottest step for 200,000 cards.
 */
class ByteInterner {
  private slots = new Int32Array(1 << 12);
  private hashes = new Int32Array(1 << 10);
  private starts = new Int32Array(1 << 10);
  private lengths = new Int32Array(1 << 10);
  private arena = new Uint8Array(1 << 14);
  private used = 0;
  size = 0;
  fresh: string[] = [];

  intern(buf: Uint8Array, at: number, end: number): number {
    let h = 0x811c9dc5 | 0;
    for (let k = at; k < end; k++) h = Math.imul(h ^ buf[k]!, 16777619);
    const n = end - at;
    const mask = this.slots.length - 1;
    for (let s = h & mask; ; s = (s + 1) & mask) {
      const e = this.slots[s]! - 1;
      if (e < 0) return this.add(buf, at, end, h, s);
      if (this.hashes[e] === h && this.lengths[e] === n) {
        const from = this.starts[e]!;
        let k = 0;
        while (k < n && this.arena[from + k] === buf[at + k]) k++;
        if (k === n) return e;
      }
    }
  }

  private add(buf: Uint8Array, at: number, end: number, h: number, slot: number): number {
    const n = end - at;
    const e = this.size++;
    if (e >= this.hashes.length) {
      this.hashes = grow(this.hashes);
      this.starts = grow(this.starts);
      this.lengths = grow(this.lengths);
    }
    if (this.used + n > this.arena.length) {
      const bigger = new Uint8Array(Math.max(this.arena.length * 2, this.used + n));
      bigger.set(this.arena);
      this.arena = bigger;
    }
    this.arena.set(buf.subarray(at, end), this.used);
    this.hashes[e] = h;
    this.starts[e] = this.used;
    this.lengths[e] = n;
    this.used += n;
    this.slots[slot] = e + 1;
    this.fresh.push(latin1(buf, at, end));
    if (this.size * 2 > this.slots.length) this.rehash();
    return e;
  }

  private rehash(): void {
    const slots = new Int32Array(this.slots.length * 2);
    const mask = slots.length - 1;
    for (let e = 0; e < this.size; e++) {
      let s = this.hashes[e]! & mask;
      while (slots[s] !== 0) s = (s + 1) & mask;
      slots[s] = e + 1;
    }
    this.slots = slots;
  }

  clear(): void {
    this.slots.fill(0);
    this.size = 0;
    this.used = 0;
    this.fresh = [];
  }

  takeFresh(): string[] {
    const out = this.fresh;
    this.fresh = [];
    return out;
  }
}

/**
 * Card numbers (12 to 19 ASCII digits, checked before) interned to small integers like `ByteInterner`, but each
 * number held as integers in its slot of the table itself: the first digits with the length, and the last nine
 * digits with the entry. A look-up reads one slot (16 bytes) instead of a slot, the entry's hash and length, and its
 * bytes in the arena: on 200,000 cards each of those is a cache miss, and this is the reading thread's hottest step.
 */
class CardInterner {
  /** Slots of 2 numbers: first digits × 32 + length; last nine digits × 2^22 + entry + 1 (0: empty slot). */
  private slots = new Float64Array(2 << 12);
  size = 0;
  fresh: string[] = [];

  intern(buf: Uint8Array, at: number, end: number): number {
    let high = 0;
    const split = end - 9;
    for (let k = at; k < split; k++) high = high * 10 + (buf[k]! - 48);
    let low = 0;
    for (let k = split; k < end; k++) low = low * 10 + (buf[k]! - 48);
    const key = high * 32 + (end - at);
    const lowPart = low * ENTRY_SPAN;
    const slots = this.slots;
    const mask = (slots.length >> 1) - 1;
    for (let s = hashDigits(key, low) & mask; ; s = (s + 1) & mask) {
      const second = slots[2 * s + 1]!;
      if (second === 0) {
        // A bug, not input: the dictionaries restart at MAX_DICTIONARY entries, far below.
        if (this.size + 1 >= ENTRY_SPAN) throw new Error('card dictionary overflow');
        slots[2 * s] = key;
        slots[2 * s + 1] = lowPart + this.size + 1;
        this.fresh.push(latin1(buf, at, end));
        const entry = this.size++;
        if (this.size * 2 > mask + 1) this.rehash();
        return entry;
      }
      const entryPlusOne = second % ENTRY_SPAN;
      if (slots[2 * s] === key && second - entryPlusOne === lowPart) return entryPlusOne - 1;
    }
  }

  private rehash(): void {
    const old = this.slots;
    const slots = new Float64Array(old.length * 2);
    const mask = (slots.length >> 1) - 1;
    for (let o = 0; o < old.length; o += 2) {
      const second = old[o + 1]!;
      if (second === 0) continue;
      const key = old[o]!;
      let s = hashDigits(key, (second - (second % ENTRY_SPAN)) / ENTRY_SPAN) & mask;
      while (slots[2 * s + 1] !== 0) s = (s + 1) & mask;
      slots[2 * s] = key;
      slots[2 * s + 1] = second;
    }
    this.slots = slots;
  }

  clear(): void {
    this.slots.fill(0);
    this.size = 0;
    this.fresh = [];
  }

  takeFresh(): string[] {
    const out = this.fresh;
    this.fresh = [];
    return out;
  }
}

/** Entries (+ 1) kept below the last nine digits of a card in its slot: the dictionary restarts long before. */
const ENTRY_SPAN = 1 << 22;

/** A hash of a card's two integers (the first < 2^39, the second < 10^9). */
function hashDigits(key: number, low: number): number {
  const h = Math.imul((key % 0x40000000) ^ Math.floor(key / 0x40000000), 0x9e3779b1) ^ low;
  return Math.imul(h ^ (h >>> 15), 0x85ebca6b) ^ (Math.imul(h, 0x27d4eb2d) >>> 13);
}

function grow(a: Int32Array<ArrayBuffer>): Int32Array<ArrayBuffer> {
  const b = new Int32Array(a.length * 2);
  b.set(a);
  return b;
}

/** Printable ASCII bytes as a string (one flat string, no slice of anything). */
function latin1(buf: Uint8Array, at: number, end: number): string {
  return Buffer.from(buf.buffer, buf.byteOffset + at, end - at).toString('latin1');
}

const enumBytes = (values: readonly string[]) => values.map((v) => Buffer.from(v, 'latin1'));
const CHANNEL_BYTES = enumBytes(EVENT_CHANNELS);
const TYPE_BYTES = enumBytes(EVENT_TYPES);
const RESULT_BYTES = enumBytes(EVENT_RESULTS);
const APPROVED = EVENT_RESULTS.indexOf('approved');
const ATM = EVENT_CHANNELS.indexOf('atm');
const POS = EVENT_CHANNELS.indexOf('pos');
const MONEY_TYPES = new Uint8Array(EVENT_TYPES.length);
for (const t of MONEY_EVENT_TYPES) MONEY_TYPES[EVENT_TYPES.indexOf(t)] = 1;

/** The index of the enum value equal to `buf[at, end)`, -1 for none. */
function enumAt(values: readonly Uint8Array[], buf: Uint8Array, at: number, end: number): number {
  const n = end - at;
  for (let v = 0; v < values.length; v++) {
    const bytes = values[v]!;
    if (bytes.length !== n) continue;
    let k = 0;
    while (k < n && bytes[k] === buf[at + k]) k++;
    if (k === n) return v;
  }
  return -1;
}

function bytesAre(buf: Uint8Array, at: number, end: number, name: Uint8Array): boolean {
  const n = name.length;
  if (end - at !== n) return false;
  for (let k = 0; k < n; k++) if (buf[at + k] !== name[k]) return false;
  return true;
}

const KEY = {
  ts: Buffer.from('ts'),
  card: Buffer.from('card'),
  type: Buffer.from('type'),
  amount: Buffer.from('amount'),
  result: Buffer.from('result'),
  channel: Buffer.from('channel'),
  eventId: Buffer.from('event_id'),
  proto: Buffer.from('__proto__'),
  sessionId: Buffer.from('session_id'),
  terminalId: Buffer.from('terminal_id'),
  terminalRegion: Buffer.from('terminal_region'),
};

const F_UNKNOWN = 0;
const F_EVENT_ID = 1;
const F_TS = 2;
const F_CARD = 3;
const F_TERMINAL = 4;
const F_REGION = 5;
const F_CHANNEL = 6;
const F_TYPE = 7;
const F_AMOUNT = 8;
const F_RESULT = 9;
const F_SESSION = 10;
const F_PROTO = -1;

function fieldAt(buf: Uint8Array, at: number, end: number): number {
  switch (end - at) {
    case 2:
      return bytesAre(buf, at, end, KEY.ts) ? F_TS : F_UNKNOWN;
    case 4:
      if (bytesAre(buf, at, end, KEY.card)) return F_CARD;
      return bytesAre(buf, at, end, KEY.type) ? F_TYPE : F_UNKNOWN;
    case 6:
      if (bytesAre(buf, at, end, KEY.amount)) return F_AMOUNT;
      return bytesAre(buf, at, end, KEY.result) ? F_RESULT : F_UNKNOWN;
    case 7:
      return bytesAre(buf, at, end, KEY.channel) ? F_CHANNEL : F_UNKNOWN;
    case 8:
      return bytesAre(buf, at, end, KEY.eventId) ? F_EVENT_ID : F_UNKNOWN;
    case 9:
      return bytesAre(buf, at, end, KEY.proto) ? F_PROTO : F_UNKNOWN;
    case 10:
      return bytesAre(buf, at, end, KEY.sessionId) ? F_SESSION : F_UNKNOWN;
    case 11:
      return bytesAre(buf, at, end, KEY.terminalId) ? F_TERMINAL : F_UNKNOWN;
    case 15:
      return bytesAre(buf, at, end, KEY.terminalRegion) ? F_REGION : F_UNKNOWN;
    default:
      return F_UNKNOWN;
  }
}

const isDigit = (c: number) => c >= 48 && c <= 57;
const num2 = (b: Uint8Array, i: number) => (b[i]! - 48) * 10 + (b[i + 1]! - 48);
const TS_DIGITS = [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18];
let cachedDayKey = -1;
let cachedDayMs = 0;

/** `fastTimestamp` of event-line.ts on bytes: the same forms, the same value; NaN = not this form. */
function timestampAt(s: Uint8Array, at: number, n: number): number {
  if (n !== 25 && n !== 20 && n !== 29 && n !== 24) return Number.NaN;
  if (s[at + 4] !== 45 || s[at + 7] !== 45 || s[at + 10] !== 84) return Number.NaN;
  if (s[at + 13] !== 58 || s[at + 16] !== 58) return Number.NaN;
  for (let k = 0; k < TS_DIGITS.length; k++) if (!isDigit(s[at + TS_DIGITS[k]!]!)) return Number.NaN;
  let zone = at + 19;
  let millis = 0;
  if (n === 29 || n === 24) {
    if (s[zone] !== 46) return Number.NaN;
    const d1 = s[zone + 1]!;
    const d2 = s[zone + 2]!;
    const d3 = s[zone + 3]!;
    if (!isDigit(d1) || !isDigit(d2) || !isDigit(d3)) return Number.NaN;
    millis = FRACTION_MS[(d1 - 48) * 100 + (d2 - 48) * 10 + (d3 - 48)]!;
    zone += 4;
  }
  let offsetMs = 0;
  if (n === 20 || n === 24) {
    if (s[zone] !== 90) return Number.NaN;
  } else {
    const sign = s[zone];
    if ((sign !== 43 && sign !== 45) || s[zone + 3] !== 58) return Number.NaN;
    if (!isDigit(s[zone + 1]!) || !isDigit(s[zone + 2]!)) return Number.NaN;
    if (!isDigit(s[zone + 4]!) || !isDigit(s[zone + 5]!)) return Number.NaN;
    offsetMs = (num2(s, zone + 1) * 60 + num2(s, zone + 4)) * 60_000 * (sign === 45 ? -1 : 1);
  }
  const hour = num2(s, at + 11);
  const minute = num2(s, at + 14);
  const second = num2(s, at + 17);
  if (hour > 23 || minute > 59 || second > 60) return Number.NaN;
  const year = num2(s, at) * 100 + num2(s, at + 2);
  const month = num2(s, at + 5);
  const day = num2(s, at + 8);
  const dayKey = (year * 100 + month) * 100 + day;
  if (dayKey !== cachedDayKey) {
    if (!isValidYmd(year, month, day)) return Number.NaN;
    cachedDayKey = dayKey;
    cachedDayMs = Date.UTC(year, month - 1, day);
  }
  return cachedDayMs + hour * 3_600_000 + minute * 60_000 + second * 1000 + millis - offsetMs;
}

/** `fastYuan` of event-line.ts on bytes. */
function yuanAt(s: Uint8Array, at: number, end: number): number {
  let i = at;
  let whole = 0;
  while (i < end && isDigit(s[i]!)) {
    whole = whole * 10 + (s[i]! - 48);
    i++;
  }
  const wholeDigits = i - at;
  if (wholeDigits < 1 || wholeDigits > 13) return Number.NaN;
  let fen = whole * 100;
  if (i === end) return fen;
  if (s[i] !== 46) return Number.NaN;
  const frac = end - i - 1;
  if (frac < 1 || frac > 2) return Number.NaN;
  for (let k = i + 1; k < end; k++) if (!isDigit(s[k]!)) return Number.NaN;
  fen += frac === 1 ? (s[i + 1]! - 48) * 10 : num2(s, i + 1);
  return fen;
}

/** A text value (trimmed, 1..max long) of printable ASCII: neither end a space. */
const textOk = (s: Uint8Array, at: number, end: number, max: number) =>
  end > at && end - at <= max && s[at] !== 32 && s[end - 1] !== 32;

/** Builds the batches of one file (its dictionaries live as long as the reader). */
export class BatchBuilder {
  private readonly cards = new CardInterner();
  private readonly terminals = new ByteInterner();
  private readonly regions = new ByteInterner();
  private capacity = 8192;
  private n = 0;
  private ts = new Float64Array(this.capacity);
  private card = new Int32Array(this.capacity);
  private terminal = new Int32Array(this.capacity);
  private region = new Int32Array(this.capacity);
  private channel = new Uint8Array(this.capacity);
  private type = new Uint8Array(this.capacity);
  private result = new Uint8Array(this.capacity);
  private amount = new Float64Array(this.capacity);
  private idEnds = new Int32Array(this.capacity);
  private ids = new Uint8Array(1 << 16);
  private idsUsed = 0;
  private sessions: (string | undefined)[] | undefined;
  private objects: (CardEvent | undefined)[] | undefined;
  private invalid: InvalidLineReport[] = [];
  private reset = false;

  /** @param maxDictionary entries per dictionary before all start afresh. */
  constructor(private readonly maxDictionary = MAX_DICTIONARY) {}

  /**
   * Reads one line (`buf[at, end)`, without its line break): its event is added unless `keep` is false (a line
   * the checkpoint covers); an invalid line is always reported.
   */
  line(buf: Uint8Array, at: number, end: number, number: number, keep: boolean): void {
    if (this.fast(buf, at, end, keep)) return;
    const text = Buffer.from(buf.buffer, buf.byteOffset + at, end - at).toString('utf8');
    const parsed = parseCardEventLine(text);
    if (!parsed.ok) {
      this.invalid.push({ line: number, raw: text, issues: parsed.issues });
      return;
    }
    if (!keep) return;
    const i = this.next();
    this.card[i] = -1;
    this.idEnds[i] = this.idsUsed;
    this.objects ??= [];
    this.objects[i] = parsed.value;
  }

  /** The events and invalid lines read since the last take. */
  take(lastLine: number, bytesRead: number, final: boolean): EventBatch {
    const n = this.n;
    const batch: EventBatch = {
      lastLine,
      bytesRead,
      final,
      count: n,
      ts: this.ts.slice(0, n),
      card: this.card.slice(0, n),
      terminal: this.terminal.slice(0, n),
      region: this.region.slice(0, n),
      channel: this.channel.slice(0, n),
      type: this.type.slice(0, n),
      result: this.result.slice(0, n),
      amount: this.amount.slice(0, n),
      ids: Buffer.from(this.ids.buffer, 0, this.idsUsed).toString('latin1'),
      idEnds: this.idEnds.slice(0, n),
      sessions: this.sessions,
      objects: this.objects,
      reset: this.reset,
      newCards: this.cards.takeFresh(),
      newTerminals: this.terminals.takeFresh(),
      newRegions: this.regions.takeFresh(),
      invalid: this.invalid,
    };
    this.n = 0;
    this.idsUsed = 0;
    this.sessions = undefined;
    this.objects = undefined;
    this.invalid = [];
    this.reset = false;
    // Bounded dictionaries: start afresh between batches (a batch's indices all refer to one generation).
    if (
      this.cards.size >= this.maxDictionary ||
      this.terminals.size >= this.maxDictionary ||
      this.regions.size >= this.maxDictionary
    ) {
      this.cards.clear();
      this.terminals.clear();
      this.regions.clear();
      this.reset = true;
    }
    return batch;
  }

  private next(): number {
    const i = this.n++;
    if (i >= this.capacity) {
      this.capacity *= 2;
      const g64 = (a: Float64Array) => {
        const b = new Float64Array(this.capacity);
        b.set(a);
        return b;
      };
      const g32 = (a: Int32Array) => {
        const b = new Int32Array(this.capacity);
        b.set(a);
        return b;
      };
      const g8 = (a: Uint8Array) => {
        const b = new Uint8Array(this.capacity);
        b.set(a);
        return b;
      };
      this.ts = g64(this.ts);
      this.amount = g64(this.amount);
      this.card = g32(this.card);
      this.terminal = g32(this.terminal);
      this.region = g32(this.region);
      this.idEnds = g32(this.idEnds);
      this.channel = g8(this.channel);
      this.type = g8(this.type);
      this.result = g8(this.result);
    }
    return i;
  }

  /**
   * The fast path of `parseCardEventLine` on bytes, for lines of printable ASCII without escapes: false means
   * "not sure, ask `parseCardEventLine`". Accepts exactly the lines that fast path accepts, with the same values.
   */
  private fast(s: Uint8Array, from: number, n: number, keep: boolean): boolean {
    // Printable ASCII without a backslash only: checked as the keys and values are scanned (every other byte of
    // the line must equal a given structural character or a space), one pass over the line rather than two.
    let i = from;
    while (i < n && s[i] === 32) i++;
    if (s[i] !== 123) return false;
    i++;
    let eventIdAt = -1;
    let eventIdEnd = -1;
    let tsAt = -1;
    let tsEnd = -1;
    let cardAt = -1;
    let cardEnd = -1;
    let terminalAt = -1;
    let terminalEnd = -1;
    let regionAt = -1;
    let regionEnd = -1;
    let channelAt = -1;
    let channelEnd = -1;
    let typeAt = -1;
    let typeEnd = -1;
    let amountAt = -1;
    let amountEnd = -1;
    let resultAt = -1;
    let resultEnd = -1;
    let sessionAt = -1;
    let sessionEnd = -1;
    for (;;) {
      while (i < n && s[i] === 32) i++;
      if (s[i] !== 34) return false;
      const keyAt = i + 1;
      let keyEnd = keyAt;
      for (; keyEnd < n; keyEnd++) {
        const c = s[keyEnd]!;
        if (c === 34) break;
        if (c < 32 || c > 126 || c === 92) return false;
      }
      if (keyEnd >= n) return false;
      i = keyEnd + 1;
      while (i < n && s[i] === 32) i++;
      if (s[i] !== 58) return false;
      i++;
      while (i < n && s[i] === 32) i++;
      if (s[i] !== 34) return false;
      const valueAt = i + 1;
      let valueEnd = valueAt;
      for (; valueEnd < n; valueEnd++) {
        const c = s[valueEnd]!;
        if (c === 34) break;
        if (c < 32 || c > 126 || c === 92) return false;
      }
      if (valueEnd >= n) return false;
      i = valueEnd + 1;
      switch (fieldAt(s, keyAt, keyEnd)) {
        case F_EVENT_ID:
          eventIdAt = valueAt;
          eventIdEnd = valueEnd;
          break;
        case F_TS:
          tsAt = valueAt;
          tsEnd = valueEnd;
          break;
        case F_CARD:
          cardAt = valueAt;
          cardEnd = valueEnd;
          break;
        case F_TERMINAL:
          terminalAt = valueAt;
          terminalEnd = valueEnd;
          break;
        case F_REGION:
          regionAt = valueAt;
          regionEnd = valueEnd;
          break;
        case F_CHANNEL:
          channelAt = valueAt;
          channelEnd = valueEnd;
          break;
        case F_TYPE:
          typeAt = valueAt;
          typeEnd = valueEnd;
          break;
        case F_AMOUNT:
          amountAt = valueAt;
          amountEnd = valueEnd;
          break;
        case F_RESULT:
          resultAt = valueAt;
          resultEnd = valueEnd;
          break;
        case F_SESSION:
          sessionAt = valueAt;
          sessionEnd = valueEnd;
          break;
        case F_UNKNOWN:
          break;
        default:
          return false; // __proto__
      }
      while (i < n && s[i] === 32) i++;
      const c = s[i];
      i++;
      if (c === 44) continue;
      if (c === 125) break;
      return false;
    }
    while (i < n) if (s[i++] !== 32) return false;

    if (eventIdAt < 0 || tsAt < 0 || cardAt < 0 || channelAt < 0 || typeAt < 0) return false;
    const epoch = timestampAt(s, tsAt, tsEnd - tsAt);
    if (Number.isNaN(epoch)) return false;
    const cardLength = cardEnd - cardAt;
    if (cardLength < 12 || cardLength > 19) return false;
    for (let k = cardAt; k < cardEnd; k++) if (!isDigit(s[k]!)) return false;
    const channel = enumAt(CHANNEL_BYTES, s, channelAt, channelEnd);
    const type = enumAt(TYPE_BYTES, s, typeAt, typeEnd);
    if (channel < 0 || type < 0) return false;
    let result = APPROVED;
    if (resultAt >= 0) {
      result = enumAt(RESULT_BYTES, s, resultAt, resultEnd);
      if (result < 0) return false;
    }
    if (regionAt >= 0) {
      if (regionEnd - regionAt !== 6) return false;
      for (let k = regionAt; k < regionEnd; k++) if (!isDigit(s[k]!)) return false;
    }
    let amountFen = Number.NaN;
    if (amountAt >= 0) {
      amountFen = yuanAt(s, amountAt, amountEnd);
      if (Number.isNaN(amountFen)) return false;
    }
    if ((channel === ATM || channel === POS) && terminalAt < 0) return false;
    if (amountAt < 0 && MONEY_TYPES[type] === 1) return false;
    if (!textOk(s, eventIdAt, eventIdEnd, 128)) return false;
    if (terminalAt >= 0 && !textOk(s, terminalAt, terminalEnd, 64)) return false;
    if (sessionAt >= 0 && !textOk(s, sessionAt, sessionEnd, 128)) return false;
    if (!keep) return true;

    const e = this.next();
    this.ts[e] = epoch;
    this.card[e] = this.cards.intern(s, cardAt, cardEnd);
    this.terminal[e] = terminalAt >= 0 ? this.terminals.intern(s, terminalAt, terminalEnd) : -1;
    this.region[e] = regionAt >= 0 ? this.regions.intern(s, regionAt, regionEnd) : -1;
    this.channel[e] = channel;
    this.type[e] = type;
    this.result[e] = result;
    this.amount[e] = amountFen;
    const idLength = eventIdEnd - eventIdAt;
    if (this.idsUsed + idLength > this.ids.length) {
      const bigger = new Uint8Array(Math.max(this.ids.length * 2, this.idsUsed + idLength));
      bigger.set(this.ids.subarray(0, this.idsUsed));
      this.ids = bigger;
    }
    this.ids.set(s.subarray(eventIdAt, eventIdEnd), this.idsUsed);
    this.idsUsed += idLength;
    this.idEnds[e] = this.idsUsed;
    if (sessionAt >= 0) {
      this.sessions ??= [];
      this.sessions[e] = latin1(s, sessionAt, sessionEnd);
    }
    return true;
  }
}

/**
 * The engine thread's side: the dictionaries, and the batch's events as the CardEvent objects
 * `parseCardEventLine` makes (card numbers interned as it interns them).
 */
export class BatchReader {
  private cards: string[] = [];
  /** The number of each dictionary card in `table` (-1: unknown to the roll). */
  private cardIndices: number[] = [];
  private terminals: string[] = [];
  private regions: string[] = [];

  /**
   * @param table the engine's card table (`Engine.cards`): each card of the dictionary is resolved to its number
   * once, and handed to `onEvent` with every event of the card.
   */
  constructor(private readonly table?: CardTable) {}

  /**
   * Calls `onEvent` with each event of the batch, in line order, and its card's number in the table (-2: not
   * resolved, e.g. without a table: the engine looks it up).
   */
  forEach(batch: EventBatch, onEvent: (event: CardEvent, cardIndex: number) => void): void {
    this.visit(batch, undefined, onEvent);
  }

  /**
   * `forEach` without an object per event: the events of the columns are set one after the other on one record
   * (the same fields, the same values), valid during the call only; events read by the schema path are handed
   * over as they are. For `Engine.pushReused`, which copies what it keeps.
   */
  forEachReused(batch: EventBatch, onEvent: (event: CardEvent, cardIndex: number) => void): void {
    this.record ??= createEventRecord();
    this.visit(batch, this.record, onEvent);
  }

  private record: MutableCardEvent | undefined;

  private visit(
    batch: EventBatch,
    record: MutableCardEvent | undefined,
    onEvent: (event: CardEvent, cardIndex: number) => void,
  ): void {
    if (batch.reset) {
      this.cards = [];
      this.cardIndices = [];
      this.terminals = [];
      this.regions = [];
    }
    const table = this.table;
    for (const c of batch.newCards) {
      const i = table !== undefined ? table.indexOf(c) : -2;
      // A card on the roll: the table's own string, which is the interned one.
      this.cards.push(i >= 0 ? table!.cards[i]! : internCard(c));
      this.cardIndices.push(i);
    }
    for (const t of batch.newTerminals) this.terminals.push(t);
    for (const r of batch.newRegions) this.regions.push(r);
    const { cards, cardIndices, terminals, regions } = this;
    const { ts, card, terminal, region, channel, type, result, amount, ids, idEnds, sessions, objects } =
      batch;
    let idAt = 0;
    for (let i = 0; i < batch.count; i++) {
      const c = card[i]!;
      const idEnd = idEnds[i]!;
      if (c < 0) {
        onEvent(objects![i]!, -2);
        idAt = idEnd;
        continue;
      }
      const t = terminal[i]!;
      const r = region[i]!;
      const a = amount[i]!;
      if (record !== undefined) {
        record.eventId = ids.slice(idAt, idEnd);
        record.ts = ts[i]! as EpochMs;
        record.card = cards[c]! as CardNumber;
        record.terminalId = t < 0 ? undefined : terminals[t];
        record.terminalRegion = r < 0 ? undefined : regions[r];
        record.channel = EVENT_CHANNELS[channel[i]!]!;
        record.type = EVENT_TYPES[type[i]!]!;
        record.amountFen = Number.isNaN(a) ? undefined : a;
        record.result = EVENT_RESULTS[result[i]!]!;
        record.sessionId = sessions === undefined ? undefined : sessions[i];
        idAt = idEnd;
        onEvent(record, cardIndices[c]!);
        continue;
      }
      const event = {
        eventId: ids.slice(idAt, idEnd),
        ts: ts[i]!,
        card: cards[c]!,
        terminalId: t < 0 ? undefined : terminals[t],
        terminalRegion: r < 0 ? undefined : regions[r],
        channel: EVENT_CHANNELS[channel[i]!]!,
        type: EVENT_TYPES[type[i]!]!,
        amountFen: Number.isNaN(a) ? undefined : a,
        result: EVENT_RESULTS[result[i]!]!,
        sessionId: sessions === undefined ? undefined : sessions[i],
      } as CardEvent;
      idAt = idEnd;
      onEvent(event, cardIndices[c]!);
    }
  }
}
