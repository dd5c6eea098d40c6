import { verifyChain } from '../../audit/audit-chain.js';
import { booleanOption, type Command } from '../context.js';
import { EXIT_FAILED, EXIT_OK, usageError } from '../errors.js';

export const auditCommand: Command = {
  name: 'audit',
  synopsis: 'audit verify [--json]',
  summary: 'check the hash chain of the audit log; exit 1 on any break, naming the first bad entry',
  options: { json: { type: 'boolean' } },
  async run(context) {
    const [action, ...extra] = context.positionals;
    if (action !== 'verify' || extra.length > 0) throw usageError(`usage: ghostwatch ${this.synopsis}`);
    const store = await context.openStore();
    try {
      const report = await verifyChain(store.audit.readAuditBatches(), await store.audit.auditHead());
      const ok = report.firstBreak === undefined;
      if (booleanOption(context.values, 'json')) {
        context.io.stdout.write(`${JSON.stringify({ ok, ...report })}\n`);
      } else if (ok) {
        context.io.stdout.write(
          `audit log intact: ${report.entries} entries, chain verified through entry ${report.lastSeq}\n`,
        );
      }
      if (!ok) {
        context.io.stderr.write(
          `ghostwatch: audit log broken at entry ${report.firstBreak!.seq}: ${report.firstBreak!.reason}; restore the log from a backup and investigate who changed it\n`,
        );
        return EXIT_FAILED;
      }
      return EXIT_OK;
    } finally {
      await store.close();
    }
  },
};
