import { randomUUID } from 'node:crypto';
import { fail, ok, type Result } from '../core/result.js';
import type { User, UserStore } from './ports.js';
import { createRateLimiter, type RateLimiter } from './rate-limiter.js';
import { isRole, type Role, UNIT_PATTERN, USER_NAME_PATTERN } from './roles.js';
import {
  generateApiToken,
  generatePassword,
  hashPassword,
  parseApiToken,
  randomSecret,
  sameDigest,
  sha256Hex,
  verifyPassword,
} from './secrets.js';

export interface NewUser {
  readonly name: string;
  readonly role: string;
  readonly unit?: string | undefined;
  readonly handlerId?: string | undefined;
  /** Issue an API token (machines, banks) instead of a password. */
  readonly token?: boolean | undefined;
}

/** The one-time secret of a new user or token: shown once, stored only as a hash. */
export interface IssuedCredential {
  readonly user: User;
  readonly password?: string;
  readonly token?: string;
}

export interface LoginOutcome {
  readonly user: User;
  /** The cookie value; only its hash is stored. */
  readonly sessionId: string;
  readonly csrfToken: string;
  readonly expiresAt: number;
}

export interface AuthService {
  addUser(input: NewUser): Promise<Result<IssuedCredential>>;
  issueToken(userName: string): Promise<Result<IssuedCredential>>;
  /**
   * Checks a password, rate-limited per user name and per client address: after too many failures the answer
   * is `auth.rate_limited` (with `retryAfterMs`), whatever the password.
   */
  login(
    name: string,
    password: string,
    clientAddress: string,
  ): Promise<Result<LoginOutcome> & { readonly retryAfterMs?: number }>;
  logout(sessionId: string): Promise<void>;
  /** The user and CSRF token of a live session, or undefined. */
  sessionUser(sessionId: string): Promise<{ readonly user: User; readonly csrfToken: string } | undefined>;
  tokenUser(token: string): Promise<User | undefined>;
}

export interface AuthOptions {
  readonly users: UserStore;
  readonly clock: () => number;
  /** Session lifetime (default 8 hours: a working day). */
  readonly sessionTtlMs?: number | undefined;
  /** Failed logins per user name in `loginWindowMs` before refusing (default 5). */
  readonly maxFailuresPerUser?: number | undefined;
  /** Failed logins per client address in the window before refusing (default 20). */
  readonly maxFailuresPerAddress?: number | undefined;
  readonly loginWindowMs?: number | undefined;
}

// A fixed hash to check against when the user does not exist, so that a wrong name costs as long as a wrong password.
const DUMMY_HASH = 'scrypt$32768$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=';

/**
 * Users, passwords, sessions and API tokens.
 * @example
 * const auth = createAuthService({ users: store, clock: Date.now });
 * const issued = await auth.addUser({ name: 'li', role: 'investigator', unit: 'fund-supervision' });
 */
export function createAuthService(options: AuthOptions): AuthService {
  const { users, clock } = options;
  const ttl = options.sessionTtlMs ?? 8 * 3_600_000;
  const windowMs = options.loginWindowMs ?? 15 * 60_000;
  const perUser: RateLimiter = createRateLimiter({
    limit: options.maxFailuresPerUser ?? 5,
    windowMs,
    clock,
  });
  const perAddress: RateLimiter = createRateLimiter({
    limit: options.maxFailuresPerAddress ?? 20,
    windowMs,
    clock,
  });

  async function issueToken(user: User): Promise<string> {
    const { tokenId, secret, token } = generateApiToken();
    await users.addApiToken({
      tokenId,
      userId: user.userId,
      createdAt: clock(),
      revoked: false,
      secretHash: sha256Hex(secret),
    });
    return token;
  }

  return {
    async addUser(input) {
      if (!USER_NAME_PATTERN.test(input.name)) {
        return fail('users.bad_name', 'a user name has 1 to 64 letters, digits or ._@- characters', ['name']);
      }
      if (!isRole(input.role)) {
        return fail(
          'users.bad_role',
          `"${input.role}" is not a role; use admin, supervisor, investigator, analyst, auditor or bank`,
          ['role'],
        );
      }
      for (const [field, value] of [
        ['unit', input.unit],
        ['handler', input.handlerId],
      ] as const) {
        if (value !== undefined && !UNIT_PATTERN.test(value)) {
          return fail(`users.bad_${field}`, `the ${field} has 1 to 64 letters, digits, spaces or ._-`, [
            field,
          ]);
        }
      }
      const role: Role = input.role;
      const password = input.token === true ? undefined : generatePassword();
      const created = await users.createUser({
        userId: randomUUID(),
        name: input.name,
        role,
        unit: input.unit,
        handlerId: input.handlerId,
        createdAt: clock(),
        disabled: false,
        passwordHash: password === undefined ? undefined : await hashPassword(password),
      });
      if (created === undefined) {
        return fail('users.exists', `a user named ${input.name} exists already; choose another name`, [
          'name',
        ]);
      }
      if (password !== undefined) return ok({ user: created, password });
      return ok({ user: created, token: await issueToken(created) });
    },

    async issueToken(userName) {
      const user = await users.findUserByName(userName);
      if (user === undefined) return fail('not_found', `no user named ${userName}`, ['name']);
      const { passwordHash: _hidden, ...publicUser } = user;
      return ok({ user: publicUser, token: await issueToken(publicUser) });
    },

    async login(name, password, clientAddress) {
      const userKey = `user:${name.toLowerCase()}`;
      const addressKey = `address:${clientAddress}`;
      for (const key of [userKey, addressKey]) {
        const verdict = (key === userKey ? perUser : perAddress).check(key);
        if (!verdict.allowed) {
          return {
            ...fail<LoginOutcome>(
              'auth.rate_limited',
              `too many failed sign-ins; try again in ${Math.ceil(verdict.retryAfterMs / 1000)} s`,
            ),
            retryAfterMs: verdict.retryAfterMs,
          };
        }
      }
      const user = USER_NAME_PATTERN.test(name) ? await users.findUserByName(name) : undefined;
      const good = await verifyPassword(password, user?.passwordHash ?? DUMMY_HASH);
      if (user === undefined || !good || user.disabled || user.passwordHash === undefined) {
        perUser.fail(userKey);
        perAddress.fail(addressKey);
        return fail('auth.bad_credentials', 'wrong user name or password');
      }
      perUser.reset(userKey);
      const sessionId = randomSecret();
      const csrfToken = randomSecret();
      const now = clock();
      await users.deleteExpiredSessions(now);
      await users.createSession(sha256Hex(sessionId), {
        userId: user.userId,
        csrfToken,
        createdAt: now,
        expiresAt: now + ttl,
      });
      const { passwordHash: _hidden, ...publicUser } = user;
      return ok({ user: publicUser, sessionId, csrfToken, expiresAt: now + ttl });
    },

    async logout(sessionId) {
      await users.deleteSession(sha256Hex(sessionId));
    },

    async sessionUser(sessionId) {
      const session = await users.findSession(sha256Hex(sessionId));
      if (session === undefined || session.expiresAt <= clock()) return undefined;
      const user = await users.findUserById(session.userId);
      if (user === undefined || user.disabled) return undefined;
      return { user, csrfToken: session.csrfToken };
    },

    async tokenUser(token) {
      const parts = parseApiToken(token);
      if (parts === undefined) return undefined;
      const stored = await users.findApiToken(parts.tokenId);
      if (stored === undefined || stored.revoked || !sameDigest(stored.secretHash, sha256Hex(parts.secret))) {
        return undefined;
      }
      const user = await users.findUserById(stored.userId);
      return user === undefined || user.disabled ? undefined : user;
    },
  };
}
