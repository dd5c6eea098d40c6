import { Buffer, isAscii } from 'node:buffer';
import { TextDecoder } from 'node:util';
import iconv from 'iconv-lite';

/** The text encodings an input file may be in. GBK files are read with the GB18030 decoder, its superset. */
export const TEXT_ENCODINGS = ['utf8', 'gbk', 'gb18030'] as const;
export type TextEncodingName = (typeof TEXT_ENCODINGS)[number];

/**
 * True for an encoding name ingest accepts (for `--encoding`).
 * @example isTextEncodingName('gbk') // true
 */
export function isTextEncodingName(name: string): name is TextEncodingName {
  return (TEXT_ENCODINGS as readonly string[]).includes(name);
}

/** The replacement character a decoder puts where bytes are not valid in the encoding. */
export const REPLACEMENT_CHARACTER = '\uFFFD';

export interface DecodeOptions {
  /** Names the encoding instead of detecting it. */
  readonly encoding?: TextEncodingName | undefined;
  /** How many bytes from the first non-ASCII byte on are examined before deciding. Default 16 KiB. */
  readonly sniffBytes?: number;
}

export interface DecodedText {
  /** The file's text, chunk by chunk, without a leading byte order mark. */
  readonly text: AsyncIterable<string>;
  /**
   * The encoding in use. Detection waits for the first non-ASCII bytes (ASCII reads the same in every supported
   * encoding), so this is `utf8` until then and for pure-ASCII files.
   */
  encoding(): TextEncodingName;
}

interface ChunkDecoder {
  write(bytes: Buffer): string;
  end(): string;
}

const DEFAULT_SNIFF_BYTES = 16 * 1024;

function createChunkDecoder(encoding: TextEncodingName): ChunkDecoder {
  if (encoding === 'utf8') {
    const decoder = new TextDecoder('utf-8');
    return { write: (bytes) => decoder.decode(bytes, { stream: true }), end: () => decoder.decode() };
  }
  const decoder = iconv.getDecoder(encoding);
  return { write: (bytes) => decoder.write(bytes), end: () => decoder.end() ?? '' };
}

function hasUtf8Bom(bytes: Uint8Array): boolean {
  return bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
}

/**
 * Tells UTF-8 from GB18030 (GBK) by a sample of a file's bytes. A sample may end in the middle of a character
 * unless `atEnd`. Returns `utf8` for valid UTF-8, `gb18030` for invalid UTF-8 that decodes cleanly as GB18030, and
 * `unknown` for neither.
 * @example sniffEncoding(iconv.encode('王秀英', 'gbk'), true) // 'gb18030'
 */
export function sniffEncoding(sample: Uint8Array, atEnd: boolean): TextEncodingName | 'unknown' {
  if (hasUtf8Bom(sample)) return 'utf8';
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(sample, { stream: !atEnd });
    return 'utf8';
  } catch {
    // Not UTF-8: try GB18030 below.
  }
  const decoder = iconv.getDecoder('gb18030');
  const text = decoder.write(Buffer.from(sample.buffer, sample.byteOffset, sample.byteLength));
  const tail = atEnd ? (decoder.end() ?? '') : '';
  return text.includes(REPLACEMENT_CHARACTER) || tail.includes(REPLACEMENT_CHARACTER) ? 'unknown' : 'gb18030';
}

function firstNonAscii(bytes: Buffer): number {
  for (let i = 0; i < bytes.length; i++) if (bytes[i]! >= 0x80) return i;
  return -1;
}

function asBuffer(chunk: Uint8Array | string): Buffer {
  if (typeof chunk === 'string') return Buffer.from(chunk, 'utf8');
  return Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
}

/**
 * Decodes a file's byte stream to text: UTF-8 (a leading BOM dropped) unless the bytes say GBK/GB18030, or the
 * encoding is named. Detection is streaming-safe: it waits until it has `sniffBytes` from the first non-ASCII byte
 * on (or the end of the file), so a character split across chunks is judged whole. Bytes that are invalid in the
 * chosen encoding come out as U+FFFD (see `REPLACEMENT_CHARACTER`); the ingest quarantines rows that contain it.
 * @example
 * const decoded = decodeText(createReadStream('beneficiaries.csv'));
 * for await (const text of decoded.text) parser.push(text);
 * decoded.encoding(); // 'gb18030' for a file saved by Excel on a Chinese Windows
 */
export function decodeText(
  source: AsyncIterable<Uint8Array | string>,
  options: DecodeOptions = {},
): DecodedText {
  const sniffBytes = options.sniffBytes ?? DEFAULT_SNIFF_BYTES;
  let chosen: TextEncodingName | undefined = options.encoding;

  async function* explicit(encoding: TextEncodingName): AsyncGenerator<string> {
    const decoder = createChunkDecoder(encoding);
    for await (const chunk of source) {
      const text = decoder.write(asBuffer(chunk));
      if (text.length > 0) yield text;
    }
    const tail = decoder.end();
    if (tail.length > 0) yield tail;
  }

  async function* detecting(): AsyncGenerator<string> {
    let decoder: ChunkDecoder | undefined;
    let offset = 0;
    let windowStart = -1;
    const pending: Buffer[] = [];
    let pendingBytes = 0;

    const decide = (atEnd: boolean): string => {
      let window = Buffer.concat(pending, pendingBytes);
      pending.length = 0;
      const sniffed = sniffEncoding(window, atEnd);
      chosen = sniffed === 'unknown' ? 'utf8' : sniffed;
      if (windowStart === 0 && hasUtf8Bom(window)) window = window.subarray(3);
      decoder = createChunkDecoder(chosen);
      return decoder.write(window);
    };

    for await (const raw of source) {
      const chunk = asBuffer(raw);
      if (decoder) {
        const text = decoder.write(chunk);
        if (text.length > 0) yield text;
        continue;
      }
      if (pendingBytes === 0) {
        if (isAscii(chunk)) {
          offset += chunk.length;
          if (chunk.length > 0) yield chunk.toString('latin1');
          continue;
        }
        const k = firstNonAscii(chunk);
        if (k > 0) yield chunk.toString('latin1', 0, k);
        windowStart = offset + k;
        pending.push(chunk.subarray(k));
        pendingBytes += chunk.length - k;
      } else {
        pending.push(chunk);
        pendingBytes += chunk.length;
      }
      offset += chunk.length;
      if (pendingBytes >= sniffBytes) {
        const text = decide(false);
        if (text.length > 0) yield text;
      }
    }
    if (!decoder && pendingBytes > 0) {
      const text = decide(true);
      if (text.length > 0) yield text;
    }
    const tail = (decoder as ChunkDecoder | undefined)?.end() ?? '';
    if (tail.length > 0) yield tail;
  }

  return {
    text: options.encoding ? explicit(options.encoding) : detecting(),
    encoding: () => chosen ?? 'utf8',
  };
}
