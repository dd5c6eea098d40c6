import { maskText } from '../core/mask.js';
import type { Issue, Result } from '../core/result.js';
import { isValidYmd } from '../core/time.js';
import { EVENT_CHANNELS, EVENT_RESULTS, EVENT_TYPES, MONEY_EVENT_TYPES } from '../records/enums.js';
import { type CardEvent, cardEventInput } from '../records/schemas.js';

/**
 * Reads one card_events.jsonl line into a CardEvent, validated by `cardEventInput` (src/records).
 *
 * The common line (flat object, string values without escapes, canonical timestamp, plain amount) takes a fast
 * path that checks exactly what the schema checks and builds the same record; anything else (escapes, a numeric
 * amount, spaces to trim, an invalid value) goes through JSON.parse and the schema itself, which also words the
 * issues. A property test holds the two paths to the same answers.
 * @example parseCardEventLine('{"event_id":"E1","ts":"2021-02-01T23:41:07+08:00",…}') // { ok: true, value }
 */
export function parseCardEventLine(line: string): Result<CardEvent> {
  return fastParse(line) ?? slowParse(line);
}

const MONEY = new Set<string>(MONEY_EVENT_TYPES);

/** The schema's own answer, issues worded for a person (values masked). */
export function slowParse(line: string): Result<CardEvent> {
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch (error) {
    return invalid('jsonl.invalid_json', `not valid JSON: ${maskText((error as Error).message)}`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    return invalid('jsonl.not_object', 'the line is not a JSON object');
  }
  const parsed = cardEventInput.safeParse(json);
  if (parsed.success) return { ok: true, value: parsed.data };
  const issues: Issue[] = parsed.error.issues.map((i) => {
    const path = i.path.map((p) => (typeof p === 'symbol' ? String(p) : p));
    return {
      code: `card_event.${i.code}`,
      path,
      message: `${path.join('.') || 'line'}: ${maskText(i.message)}`,
    };
  });
  return { ok: false, issues };
}

function invalid(code: string, message: string): Result<CardEvent> {
  return { ok: false, issues: [{ code, path: [], message }] };
}

const isWs = (c: number) => c === 32 || c === 9 || c === 10 || c === 13;
const isDigit = (c: number) => c >= 48 && c <= 57;

function num2(s: string, i: number): number {
  return (s.charCodeAt(i) - 48) * 10 + (s.charCodeAt(i + 1) - 48);
}

const TS_DIGITS = [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18];

/**
 * `YYYY-MM-DDTHH:MM:SS+HH:MM` or `…Z`, optionally with milliseconds (`…SS.mmm+HH:MM`), read in place from `s` at
 * `at` (length `n`): no substring is made. NaN = not this form (the schema decides).
 */
function fastTimestamp(s: string, at: number, n: number): number {
  if (n !== 25 && n !== 20 && n !== 29 && n !== 24) return Number.NaN;
  if (s.charCodeAt(at + 4) !== 45 || s.charCodeAt(at + 7) !== 45 || s.charCodeAt(at + 10) !== 84)
    return Number.NaN;
  if (s.charCodeAt(at + 13) !== 58 || s.charCodeAt(at + 16) !== 58) return Number.NaN;
  for (let k = 0; k < TS_DIGITS.length; k++)
    if (!isDigit(s.charCodeAt(at + TS_DIGITS[k]!))) return Number.NaN;
  let zone = at + 19;
  let millis = 0;
  if (n === 29 || n === 24) {
    if (s.charCodeAt(zone) !== 46) return Number.NaN;
    const d1 = s.charCodeAt(zone + 1);
    const d2 = s.charCodeAt(zone + 2);
    const d3 = s.charCodeAt(zone + 3);
    if (!isDigit(d1) || !isDigit(d2) || !isDigit(d3)) return Number.NaN;
    millis = FRACTION_MS[(d1 - 48) * 100 + (d2 - 48) * 10 + (d3 - 48)]!;
    zone += 4;
  }
  let offsetMs = 0;
  if (n === 20 || n === 24) {
    if (s.charCodeAt(zone) !== 90) return Number.NaN;
  } else {
    const sign = s.charCodeAt(zone);
    if ((sign !== 43 && sign !== 45) || s.charCodeAt(zone + 3) !== 58) return Number.NaN;
    if (!isDigit(s.charCodeAt(zone + 1)) || !isDigit(s.charCodeAt(zone + 2))) return Number.NaN;
    if (!isDigit(s.charCodeAt(zone + 4)) || !isDigit(s.charCodeAt(zone + 5))) return Number.NaN;
    offsetMs = (num2(s, zone + 1) * 60 + num2(s, zone + 4)) * 60_000 * (sign === 45 ? -1 : 1);
  }
  const hour = num2(s, at + 11);
  const minute = num2(s, at + 14);
  const second = num2(s, at + 17);
  if (hour > 23 || minute > 59 || second > 60) return Number.NaN;
  const year = num2(s, at) * 100 + num2(s, at + 2);
  const month = num2(s, at + 5);
  const day = num2(s, at + 8);
  // Events come in time order: most share the previous event's day, whose start is cached (as a number).
  const dayKey = (year * 100 + month) * 100 + day;
  if (dayKey !== cachedDayKey) {
    if (!isValidYmd(year, month, day)) return Number.NaN;
    cachedDayKey = dayKey;
    cachedDayMs = Date.UTC(year, month - 1, day);
  }
  return cachedDayMs + hour * 3_600_000 + minute * 60_000 + second * 1000 + millis - offsetMs;
}

/** Milliseconds of a 3-digit fraction exactly as `parseTimestamp` computes them (floating point included). */
export const FRACTION_MS: readonly number[] = Array.from({ length: 1000 }, (_, k) =>
  Math.floor(Number(`0.${String(k).padStart(3, '0')}`) * 1000),
);

let cachedDayKey = -1;
let cachedDayMs = 0;

/**
 * Card numbers and terminal ids repeat across millions of events: each is interned, so that every event of a
 * card carries the same string (its hash computed once, map lookups downstream cheap) and the string held in
 * state is a small copy, not a slice that would keep the reader's whole 1 MiB chunk alive as long as the card
 * stays in a detector's state. Bounded: a table that reaches MAX_INTERNED entries starts afresh (only the
 * sharing is lost, never a value).
 */
const MAX_INTERNED = 1 << 20;
const cards = new Map<string, string>();
const terminals = new Map<string, string>();

function intern(table: Map<string, string>, slice: string): string {
  const known = table.get(slice);
  if (known !== undefined) return known;
  if (table.size >= MAX_INTERNED) table.clear();
  const copy = flatCopy(slice);
  table.set(copy, copy);
  return copy;
}

/**
 * The shared copy of a card number: the reference data keys its card map with these, so that an event's card
 * is the very same string as the map's key and a lookup compares pointers, not characters (it saves about half
 * of each lookup on a 200,000-card roll).
 */
export function internCard(card: string): string {
  return intern(cards, card);
}

/**
 * A flat copy of `s`: one string object holding its characters (`detach` makes a slice of a fresh string, two
 * objects). The interned keys are compared with every event's slice, and a lookup that touches one object
 * instead of two misses the cache once less (about a quarter of each lookup on a 200,000-card table).
 */
function flatCopy(s: string): string {
  for (let k = 0; k < s.length; k++) {
    const c = s.charCodeAt(k);
    if (c < 32 || c === 34 || c === 92) return detach(s);
  }
  // The JSON parser builds a new sequential string; nothing in `s` needs escaping (checked above).
  return JSON.parse(`"${s}"`) as string;
}

/**
 * A copy of `s` that shares no memory with the string it was sliced from (V8 keeps a slice pointing into its
 * parent): for values that outlive the line they were read from, such as evidence ids held by an alert.
 */
export function detach(s: string): string {
  return ` ${s}`.slice(1);
}

/** A plain non-negative amount (`2000`, `2000.5`, `2000.00`) in fen, read in place; NaN for anything else. */
function fastYuan(s: string, at: number, end: number): number {
  let i = at;
  let whole = 0;
  while (i < end && isDigit(s.charCodeAt(i))) {
    whole = whole * 10 + (s.charCodeAt(i) - 48);
    i++;
  }
  const wholeDigits = i - at;
  if (wholeDigits < 1 || wholeDigits > 13) return Number.NaN;
  let fen = whole * 100;
  if (i === end) return fen;
  if (s.charCodeAt(i) !== 46) return Number.NaN;
  const frac = end - i - 1;
  if (frac < 1 || frac > 2) return Number.NaN;
  for (let k = i + 1; k < end; k++) if (!isDigit(s.charCodeAt(k))) return Number.NaN;
  fen += frac === 1 ? (s.charCodeAt(i + 1) - 48) * 10 : num2(s, i + 1);
  return fen;
}

/** The enum value equal to `s[at, end)`, as the constant string itself (no allocation), or undefined. */
function constantAt(values: readonly string[], s: string, at: number, end: number): string | undefined {
  const n = end - at;
  for (const v of values) if (v.length === n && s.startsWith(v, at)) return v;
  return undefined;
}

/** Whether the key at `s[at, end)` is `name`, compared in place. */
const keyIs = (s: string, at: number, end: number, name: string) =>
  end - at === name.length && s.startsWith(name, at);

enum Field {
  Unknown,
  EventId,
  Ts,
  Card,
  TerminalId,
  TerminalRegion,
  Channel,
  Type,
  Amount,
  Result,
  SessionId,
}

/** Which field a key names, compared in place (a switch on the length first). */
function fieldOf(s: string, at: number, end: number): Field {
  switch (end - at) {
    case 2:
      return keyIs(s, at, end, 'ts') ? Field.Ts : Field.Unknown;
    case 4:
      if (keyIs(s, at, end, 'card')) return Field.Card;
      return keyIs(s, at, end, 'type') ? Field.Type : Field.Unknown;
    case 6:
      if (keyIs(s, at, end, 'amount')) return Field.Amount;
      return keyIs(s, at, end, 'result') ? Field.Result : Field.Unknown;
    case 7:
      return keyIs(s, at, end, 'channel') ? Field.Channel : Field.Unknown;
    case 8:
      return keyIs(s, at, end, 'event_id') ? Field.EventId : Field.Unknown;
    case 9:
      if (keyIs(s, at, end, '__proto__')) return -1 as Field;
      return Field.Unknown;
    case 10:
      return keyIs(s, at, end, 'session_id') ? Field.SessionId : Field.Unknown;
    case 11:
      return keyIs(s, at, end, 'terminal_id') ? Field.TerminalId : Field.Unknown;
    case 15:
      return keyIs(s, at, end, 'terminal_region') ? Field.TerminalRegion : Field.Unknown;
    default:
      return Field.Unknown;
  }
}

/** Text of a string value that must be trimmed and 1..max long; undefined = not sure, ask the schema. */
function textAt(s: string, at: number, end: number, max: number): string | undefined {
  const n = end - at;
  if (n === 0 || n > max || s.charCodeAt(at) <= 32 || s.charCodeAt(end - 1) <= 32) return undefined;
  const text = s.slice(at, end);
  return text.trim().length === n ? text : undefined;
}

/**
 * The fast path: undefined means "not sure, ask the schema". It reads the line in place (value positions, not
 * substrings) and allocates only the strings the event keeps (id, card, terminal, region, session); channel,
 * type and result are the enums' own constant strings.
 */
function fastParse(line: string): Result<CardEvent> | undefined {
  const n = line.length;
  let i = 0;
  while (i < n && isWs(line.charCodeAt(i))) i++;
  if (line.charCodeAt(i) !== 123) return undefined;
  i++;
  // Start and end of each field's value in the line (-1: absent); a repeated key: the last wins, as in JSON.parse.
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
    while (i < n && isWs(line.charCodeAt(i))) i++;
    if (line.charCodeAt(i) !== 34) return undefined;
    const keyEnd = line.indexOf('"', i + 1);
    if (keyEnd === -1) return undefined;
    const keyAt = i + 1;
    for (let k = keyAt; k < keyEnd; k++) if (line.charCodeAt(k) === 92) return undefined;
    i = keyEnd + 1;
    while (i < n && isWs(line.charCodeAt(i))) i++;
    if (line.charCodeAt(i) !== 58) return undefined;
    i++;
    while (i < n && isWs(line.charCodeAt(i))) i++;
    if (line.charCodeAt(i) !== 34) return undefined; // numbers, null, objects: the schema decides
    const valueEnd = line.indexOf('"', i + 1);
    if (valueEnd === -1) return undefined;
    const valueAt = i + 1;
    for (let k = valueAt; k < valueEnd; k++) if (line.charCodeAt(k) === 92) return undefined;
    i = valueEnd + 1;
    switch (fieldOf(line, keyAt, keyEnd)) {
      case Field.EventId:
        eventIdAt = valueAt;
        eventIdEnd = valueEnd;
        break;
      case Field.Ts:
        tsAt = valueAt;
        tsEnd = valueEnd;
        break;
      case Field.Card:
        cardAt = valueAt;
        cardEnd = valueEnd;
        break;
      case Field.TerminalId:
        terminalAt = valueAt;
        terminalEnd = valueEnd;
        break;
      case Field.TerminalRegion:
        regionAt = valueAt;
        regionEnd = valueEnd;
        break;
      case Field.Channel:
        channelAt = valueAt;
        channelEnd = valueEnd;
        break;
      case Field.Type:
        typeAt = valueAt;
        typeEnd = valueEnd;
        break;
      case Field.Amount:
        amountAt = valueAt;
        amountEnd = valueEnd;
        break;
      case Field.Result:
        resultAt = valueAt;
        resultEnd = valueEnd;
        break;
      case Field.SessionId:
        sessionAt = valueAt;
        sessionEnd = valueEnd;
        break;
      case Field.Unknown:
        break;
      default:
        return undefined; // __proto__
    }
    while (i < n && isWs(line.charCodeAt(i))) i++;
    const c = line.charCodeAt(i);
    i++;
    if (c === 44) continue;
    if (c === 125) break;
    return undefined;
  }
  while (i < n) if (!isWs(line.charCodeAt(i++))) return undefined;

  if (eventIdAt < 0 || tsAt < 0 || cardAt < 0 || channelAt < 0 || typeAt < 0) return undefined;
  const epoch = fastTimestamp(line, tsAt, tsEnd - tsAt);
  if (Number.isNaN(epoch)) return undefined;
  const cardLength = cardEnd - cardAt;
  if (cardLength < 12 || cardLength > 19) return undefined;
  for (let k = cardAt; k < cardEnd; k++) if (!isDigit(line.charCodeAt(k))) return undefined;
  const channel = constantAt(EVENT_CHANNELS, line, channelAt, channelEnd);
  const type = constantAt(EVENT_TYPES, line, typeAt, typeEnd);
  if (channel === undefined || type === undefined) return undefined;
  let result: string | undefined = 'approved';
  if (resultAt >= 0) {
    result = constantAt(EVENT_RESULTS, line, resultAt, resultEnd);
    if (result === undefined) return undefined;
  }
  if (regionAt >= 0) {
    if (regionEnd - regionAt !== 6) return undefined;
    for (let k = regionAt; k < regionEnd; k++) if (!isDigit(line.charCodeAt(k))) return undefined;
  }
  let amountFen: number | undefined;
  if (amountAt >= 0) {
    amountFen = fastYuan(line, amountAt, amountEnd);
    if (Number.isNaN(amountFen)) return undefined;
  }
  if ((channel === 'atm' || channel === 'pos') && terminalAt < 0) return undefined;
  if (amountFen === undefined && MONEY.has(type)) return undefined;
  const eventId = textAt(line, eventIdAt, eventIdEnd, 128);
  if (eventId === undefined) return undefined;
  let terminalId: string | undefined;
  if (terminalAt >= 0) {
    const text = textAt(line, terminalAt, terminalEnd, 64);
    if (text === undefined) return undefined;
    terminalId = intern(terminals, text);
  }
  let sessionId: string | undefined;
  if (sessionAt >= 0) {
    sessionId = textAt(line, sessionAt, sessionEnd, 128);
    if (sessionId === undefined) return undefined;
  }
  return {
    ok: true,
    value: {
      eventId,
      ts: epoch,
      card: intern(cards, line.slice(cardAt, cardEnd)),
      terminalId,
      terminalRegion: regionAt >= 0 ? line.slice(regionAt, regionEnd) : undefined,
      channel,
      type,
      amountFen,
      result,
      sessionId,
    } as CardEvent,
  };
}
