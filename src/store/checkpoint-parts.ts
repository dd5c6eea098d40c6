import type { MonitorCheckpoint } from '../monitor/checkpoint.js';

/**
 * A monitor checkpoint as several JSON texts of bounded size instead of one: the detectors' windows make the state
 * grow with the traffic (every event of the last 30 minutes), one JSON text stops at V8's string limit (≈ 512 MB,
 * minutes of 20,000 events/s), and writing it is one long write. Every array whose JSON is longer than
 * `partChars` is cut out of the text it is in and replaced by a placeholder `{"\u0000slices": id}`; its items
 * follow in parts of about `partChars` characters each (`{"id": id, "items": [...]}`). An item longer than that
 * on its own is written the same way, its own long arrays cut out. A checkpoint without such arrays is one
 * text: the JSON it always was.
 * @example
 * const { header, parts } = splitCheckpoint(checkpoint, 1_000_000);
 * joinCheckpoint(header, parts) // deep-equal to JSON.parse(JSON.stringify(checkpoint))
 */

const MARK = '\u0000slices';
/** The placeholder's key as JSON writes it (the NUL escaped). */
const MARK_IN_TEXT = JSON.stringify(MARK);
/** Items serialized together (one native `JSON.stringify` call), halved while a batch's JSON is too long. */
const FIRST_BATCH = 1024;

export interface SplitCheckpoint {
  readonly header: string;
  readonly parts: readonly string[];
}

export function splitCheckpoint(checkpoint: MonitorCheckpoint, partChars = 1_000_000): SplitCheckpoint {
  const parts: string[] = [];
  let next = 0;

  /** JSON of one item, with its long arrays cut out when the item alone is too long (or beyond V8's limit). */
  function item(value: unknown): string {
    let text: string | undefined;
    try {
      text = JSON.stringify(value);
    } catch (error) {
      if (!(error instanceof RangeError)) throw error;
    }
    if (text !== undefined && text.length <= partChars) return text;
    return write(value);
  }

  /** The JSON texts of the array's items, in batches each at most partChars long (or one oversized item). */
  function batches(array: readonly unknown[]): string[] {
    const out: string[] = [];
    let size = FIRST_BATCH;
    for (let from = 0; from < array.length; ) {
      const slice = array.slice(from, from + size);
      let text: string | undefined;
      try {
        text = JSON.stringify(slice);
      } catch (error) {
        if (!(error instanceof RangeError)) throw error;
      }
      if (text !== undefined && text.length <= partChars) {
        out.push(text.slice(1, -1));
        from += slice.length;
        // Grow back after small items, so that long arrays of small items take few calls.
        if (size < FIRST_BATCH && text.length < partChars / 4) size *= 2;
      } else if (size > 1) {
        size = Math.max(1, size >> 1);
      } else {
        out.push(item(array[from]));
        from++;
      }
    }
    return out;
  }

  function writeArray(array: readonly unknown[]): string {
    const texts = batches(array);
    let total = texts.length;
    for (const t of texts) total += t.length;
    if (total <= partChars) return `[${texts.join(',')}]`;
    const id = next++;
    let group: string[] = [];
    let groupChars = 0;
    const flush = () => {
      parts.push(`{"id":${id},"items":[${group.join(',')}]}`);
      group = [];
      groupChars = 0;
    };
    for (const t of texts) {
      if (group.length > 0 && groupChars + t.length + 1 > partChars) flush();
      group.push(t);
      groupChars += t.length + 1;
    }
    if (group.length > 0) flush();
    return `{${MARK_IN_TEXT}:${id}}`;
  }

  /** JSON.stringify's output, except that long arrays anywhere inside become placeholders. */
  function write(value: unknown): string {
    if (Array.isArray(value)) return writeArray(value);
    if (value !== null && typeof value === 'object') {
      const fields: string[] = [];
      for (const [key, v] of Object.entries(value)) {
        if (v === undefined || typeof v === 'function' || typeof v === 'symbol') continue;
        fields.push(`${JSON.stringify(key)}:${write(v)}`);
      }
      return `{${fields.join(',')}}`;
    }
    return JSON.stringify(value) ?? 'null';
  }

  // Serialized now, whole: the state handed in may be the engine's live one (CheckpointStore contract).
  const header = write(checkpoint);
  return { header, parts };
}

/** The checkpoint back from its header and parts (in the order `splitCheckpoint` gave them). */
export function joinCheckpoint(header: string, parts: Iterable<string>): MonitorCheckpoint {
  const arrays = new Map<number, unknown[]>();
  const arrayFor = (id: number): unknown[] => {
    let array = arrays.get(id);
    if (array === undefined) {
      array = [];
      arrays.set(id, array);
    }
    return array;
  };
  const reviver = (_key: string, value: unknown): unknown => {
    if (value !== null && typeof value === 'object' && !Array.isArray(value) && MARK in value) {
      return arrayFor((value as Record<string, number>)[MARK]!);
    }
    return value;
  };
  // The reviver only where a placeholder can be: it is slow on large texts.
  const parse = (text: string): unknown =>
    text.includes(MARK_IN_TEXT) ? JSON.parse(text, reviver) : JSON.parse(text);
  const checkpoint = parse(header) as MonitorCheckpoint;
  for (const part of parts) {
    const { id, items } = parse(part) as { id: number; items: unknown[] };
    const array = arrayFor(id);
    for (const item of items) array.push(item);
  }
  return checkpoint;
}
