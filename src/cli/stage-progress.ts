import type { CommandContext } from './context.js';

/** How far a staged job has got (match, analyze …). */
export interface StageProgress {
  readonly stage: string;
  readonly done: number;
  readonly total?: number | undefined;
}

/**
 * A one-line progress reporter for a long staged job: redrawn at most five times a second on a TTY, silent in a
 * pipe; `done()` clears the line.
 * @example const progress = createStageProgress(context, 'match'); progress.update({ stage: 'scoring', done: 10 });
 */
export function createStageProgress(
  context: CommandContext,
  label: string,
): { update(p: StageProgress): void; done(): void } {
  const stream = context.io.stderr;
  let last = 0;
  let drawn = false;
  const started = context.clock();
  return {
    update(p) {
      if (stream.isTTY !== true) return;
      const now = context.clock();
      if (now - last < 200) return;
      last = now;
      const seconds = (now - started) / 1000;
      const of = p.total === undefined ? '' : ` of ${p.total.toLocaleString('en-US')}`;
      const rate =
        seconds > 0 && p.done > 0 ? `  ${Math.round(p.done / seconds).toLocaleString('en-US')}/s` : '';
      stream.write(
        `\r\x1b[2K${label}: ${p.stage} ${p.done.toLocaleString('en-US')}${of}${rate}  ${seconds.toFixed(0)}s`,
      );
      drawn = true;
    },
    done() {
      if (drawn) stream.write('\r\x1b[2K');
    },
  };
}
