import { createReadStream } from 'node:fs';

/**
 * Calls `onLine` for each line of a UTF-8 text file (BOM dropped, LF or CRLF), with its 1-based number; awaits
 * `onBatchEnd` after each chunk (with the bytes read so far) so that a caller can commit or report progress
 * without holding the whole file.
 */
export async function forEachLine(
  path: string,
  onLine: (line: string, lineNumber: number) => void,
  onBatchEnd?: (lastLine: number, bytesRead: number) => Promise<void> | void,
): Promise<number> {
  const stream = createReadStream(path, { encoding: 'utf8', highWaterMark: 1 << 20 });
  let rest = '';
  let lineNumber = 0;
  let first = true;
  for await (const chunk of stream as AsyncIterable<string>) {
    let text = rest + chunk;
    if (first) {
      first = false;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    let start = 0;
    for (let nl = text.indexOf('\n', start); nl !== -1; nl = text.indexOf('\n', start)) {
      const end = nl > start && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
      onLine(text.slice(start, end), ++lineNumber);
      start = nl + 1;
    }
    rest = text.slice(start);
    if (onBatchEnd) await onBatchEnd(lineNumber, stream.bytesRead);
  }
  if (rest.length > 0) {
    const last = rest.endsWith('\r') ? rest.slice(0, -1) : rest;
    if (last.length > 0) onLine(last, ++lineNumber);
  }
  return lineNumber;
}
