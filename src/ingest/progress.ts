/** How far a load has got. */
export interface IngestProgress {
  readonly rows: number;
  readonly bytesRead: number;
  /** The file's size; 0 when unknown. */
  readonly bytesTotal: number;
  readonly elapsedMs: number;
}

/** The part of a write stream the reporter needs (process.stderr satisfies it). */
export interface ProgressStream {
  readonly isTTY?: boolean | undefined;
  write(text: string): unknown;
}

export interface ProgressReporter {
  /** Takes a progress reading; redraws the line when enough time has passed since the last draw. */
  update(progress: IngestProgress): void;
  /** Draws the final reading and ends the line. */
  done(progress: IngestProgress): void;
}

const THOUSANDS = /\B(?=(\d{3})+(?!\d))/g;

function grouped(n: number): string {
  return Math.round(n).toString().replace(THOUSANDS, ',');
}

function duration(ms: number): string {
  const totalSeconds = Math.max(0, Math.round(ms / 1000));
  const hours = Math.floor(totalSeconds / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  const seconds = totalSeconds % 60;
  const mmss = `${minutes.toString().padStart(hours > 0 ? 2 : 1, '0')}:${seconds.toString().padStart(2, '0')}`;
  return hours > 0 ? `${hours}:${mmss}` : mmss;
}

/**
 * Formats a progress reading as one line: rows, rate, share of the file read and the time left.
 * @example
 * formatProgress({ rows: 1_200_000, bytesRead: 50e6, bytesTotal: 200e6, elapsedMs: 3000 }, 'payments.csv')
 * // 'payments.csv  1,200,000 rows  400,000 rows/s  25%  ETA 0:09'
 */
export function formatProgress(progress: IngestProgress, label?: string): string {
  const parts: string[] = [];
  if (label) parts.push(label);
  parts.push(`${grouped(progress.rows)} rows`);
  if (progress.elapsedMs > 0) parts.push(`${grouped((progress.rows * 1000) / progress.elapsedMs)} rows/s`);
  if (progress.bytesTotal > 0) {
    const share = Math.min(1, progress.bytesRead / progress.bytesTotal);
    parts.push(`${Math.floor(share * 100)}%`);
    if (progress.bytesRead > 0 && progress.elapsedMs > 0) {
      const remaining =
        (progress.elapsedMs * (progress.bytesTotal - progress.bytesRead)) / progress.bytesRead;
      parts.push(`ETA ${duration(Math.max(0, remaining))}`);
    }
  }
  return parts.join('  ');
}

export interface ProgressReporterOptions {
  /** Where to draw, usually process.stderr. Nothing is written unless `stream.isTTY`. */
  readonly stream: ProgressStream;
  readonly clock: () => number;
  readonly label?: string;
  /** The least time between two redraws. Default 250 ms (four a second). */
  readonly intervalMs?: number;
}

/**
 * Creates a progress reporter that redraws one line on a terminal and stays silent in a pipe.
 * @example
 * const progress = createProgressReporter({ stream: process.stderr, clock: Date.now, label: 'payments.csv' });
 * await ingestFile({ …, onProgress: progress.update });
 */
export function createProgressReporter(options: ProgressReporterOptions): ProgressReporter {
  const interval = options.intervalMs ?? 250;
  const enabled = options.stream.isTTY === true;
  let lastDraw = Number.NEGATIVE_INFINITY;
  let drawn = false;

  const draw = (progress: IngestProgress): void => {
    // \r returns to the start of the line; ESC[K clears what a longer earlier line left behind.
    options.stream.write(`\r${formatProgress(progress, options.label)}\u001b[K`);
    drawn = true;
  };

  return {
    update(progress) {
      if (!enabled) return;
      const now = options.clock();
      if (now - lastDraw < interval) return;
      lastDraw = now;
      draw(progress);
    },
    done(progress) {
      if (!enabled) return;
      draw(progress);
      if (drawn) options.stream.write('\n');
    },
  };
}
