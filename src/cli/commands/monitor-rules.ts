import { existsSync } from 'node:fs';
import { defaultRules } from '../../monitor/default-rules.js';
import { loadRulesFile, type Rules } from '../../monitor/rules.js';
import { CliError } from '../errors.js';

/**
 * The rules a monitor or back-test runs: the file given with --rules (validated; every issue names its place),
 * or the defaults when none is given or it is the word `default`.
 * @example const rules = await rulesFromOption(stringOption(context.values, 'rules'));
 */
export async function rulesFromOption(path: string | undefined): Promise<Rules> {
  if (path === undefined || path === 'default') return defaultRules();
  if (!existsSync(path)) {
    throw new CliError(
      `${path}: no such rules file; give a JSON rules file (see docs/monitor.md) or "default"`,
    );
  }
  const rules = await loadRulesFile(path);
  if (!rules.ok) {
    const shown = rules.issues.slice(0, 5).map((i) => i.message);
    const more = rules.issues.length > 5 ? ` (and ${rules.issues.length - 5} more)` : '';
    throw new CliError(`${path}: invalid rules: ${shown.join('; ')}${more}; fix the file and run again`);
  }
  return rules.value;
}
