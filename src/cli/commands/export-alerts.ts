import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { toAlertLine } from '../../monitor/alert.js';
import type { AlertStore } from '../../monitor/ports.js';
import { CliError } from '../errors.js';

/**
 * Writes the stored alerts as alerts.jsonl (DATA_FORMATS.md, plus `rule_version`), in (first_ts, alert_id)
 * order, card numbers masked. Returns how many lines were written.
 * @example const lines = await writeAlertsJsonl(store.monitor, 'alerts.jsonl');
 */
export async function writeAlertsJsonl(alerts: AlertStore, out: string): Promise<number> {
  const list = await alerts.listAlerts();
  const stream = createWriteStream(out, { encoding: 'utf8' });
  const failed = new Promise<never>((_, reject) => stream.once('error', reject));
  const finished = once(stream, 'finish');
  let chunk = '';
  for (const alert of list) {
    chunk += `${JSON.stringify(toAlertLine(alert))}\n`;
    if (chunk.length > 1 << 16) {
      stream.write(chunk);
      chunk = '';
    }
  }
  stream.end(chunk);
  await Promise.race([finished, failed]).catch((error: Error) => {
    throw new CliError(
      `cannot write ${out} (${error.message}): check that its folder exists and is writable`,
    );
  });
  return list.length;
}
