import { createAuditor } from '../../audit/auditor.js';
import { createAuthService } from '../../auth/auth-service.js';
import { booleanOption, type Command, stringOption } from '../context.js';
import { CliError, EXIT_OK, usageError } from '../errors.js';

export const usersCommand: Command = {
  name: 'users',
  synopsis: 'users add NAME --role ROLE [--unit U] [--handler H] [--token] | users list',
  summary: 'create a user (prints a one-time password, or an API token with --token); list users',
  options: {
    role: { type: 'string' },
    unit: { type: 'string' },
    handler: { type: 'string' },
    token: { type: 'boolean' },
    json: { type: 'boolean' },
  },
  async run(context) {
    const [action, name, ...extra] = context.positionals;
    const usage = `usage: ghostwatch ${this.synopsis}`;
    if (action === 'list' && name === undefined) {
      const store = await context.openStore();
      try {
        const users = await store.users.listUsers();
        if (booleanOption(context.values, 'json'))
          context.io.stdout.write(`${JSON.stringify(users, null, 2)}\n`);
        else if (users.length === 0)
          context.io.stdout.write('no users yet: add one with ghostwatch users add\n');
        else
          for (const u of users)
            context.io.stdout.write(
              `${u.name.padEnd(24)} ${u.role.padEnd(13)} ${u.unit ?? '-'}${u.handlerId ? ` (handler ${u.handlerId})` : ''}${u.disabled ? ' [disabled]' : ''}\n`,
            );
        return EXIT_OK;
      } finally {
        await store.close();
      }
    }
    if (action !== 'add' || name === undefined || extra.length > 0) throw usageError(usage);
    const role = stringOption(context.values, 'role');
    if (role === undefined) throw usageError(`users add needs --role ROLE; ${usage}`);
    const store = await context.openStore();
    try {
      const auth = createAuthService({ users: store.users, clock: context.clock });
      const issued = await auth.addUser({
        name,
        role,
        unit: stringOption(context.values, 'unit'),
        handlerId: stringOption(context.values, 'handler'),
        token: booleanOption(context.values, 'token'),
      });
      const auditor = createAuditor({ log: store.audit, clock: context.clock });
      if (!issued.ok) {
        const issue = issued.issues[0]!;
        throw issue.code === 'users.exists' ? new CliError(issue.message) : usageError(issue.message);
      }
      const { user } = issued.value;
      await auditor.record({
        actor: 'cli',
        action: 'users.add',
        target: `user:${user.name}`,
        outcome: 'ok',
        detail: {
          role: user.role,
          unit: user.unit ?? null,
          handlerId: user.handlerId ?? null,
          token: issued.value.token !== undefined,
        },
      });
      const secret = issued.value.token ?? issued.value.password ?? '';
      if (booleanOption(context.values, 'json')) {
        const kind = issued.value.token !== undefined ? 'token' : 'password';
        context.io.stdout.write(`${JSON.stringify({ name: user.name, role: user.role, [kind]: secret })}\n`);
      } else if (issued.value.token !== undefined) {
        context.io.stdout.write(
          `user ${user.name} (${user.role}) added; API token (shown once, send as Authorization: Bearer …):\n${secret}\n`,
        );
      } else {
        context.io.stdout.write(
          `user ${user.name} (${user.role}) added; one-time password (shown once):\n${secret}\n`,
        );
      }
      return EXIT_OK;
    } finally {
      await store.close();
    }
  },
};
