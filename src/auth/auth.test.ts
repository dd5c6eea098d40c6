import { describe, expect, it } from 'vitest';
import { createAuthService } from './auth-service.js';
import type { ApiTokenInfo, Session, User, UserStore } from './ports.js';
import { createRateLimiter } from './rate-limiter.js';
import { generateApiToken, hashPassword, parseApiToken, verifyPassword } from './secrets.js';

/** An in-memory UserStore: the SQL one is tested against both databases in src/store. */
function memoryUsers(): UserStore {
  const users = new Map<string, User & { passwordHash: string | undefined }>();
  const tokens = new Map<string, ApiTokenInfo & { secretHash: string }>();
  const sessions = new Map<string, Session>();
  return {
    async createUser(user) {
      if ([...users.values()].some((u) => u.name === user.name)) return undefined;
      users.set(user.userId, { ...user });
      const { passwordHash: _hidden, ...rest } = user;
      return rest;
    },
    findUserByName: async (name) => [...users.values()].find((u) => u.name === name),
    findUserById: async (id) => users.get(id),
    listUsers: async () => [...users.values()],
    async setUserDisabled(id, disabled) {
      const user = users.get(id);
      if (user) users.set(id, { ...user, disabled });
    },
    async addApiToken(token) {
      tokens.set(token.tokenId, token);
    },
    findApiToken: async (id) => tokens.get(id),
    listApiTokens: async (userId) => [...tokens.values()].filter((t) => t.userId === userId),
    async revokeApiToken(id) {
      const token = tokens.get(id);
      if (!token || token.revoked) return false;
      tokens.set(id, { ...token, revoked: true });
      return true;
    },
    async createSession(hash, session) {
      sessions.set(hash, session);
    },
    findSession: async (hash) => sessions.get(hash),
    async deleteSession(hash) {
      sessions.delete(hash);
    },
    async deleteExpiredSessions(now) {
      for (const [hash, s] of sessions) if (s.expiresAt <= now) sessions.delete(hash);
    },
  };
}

describe('passwords and tokens', () => {
  it('hashes with scrypt and a fresh salt, and checks in constant time', async () => {
    const a = await hashPassword('correct horse');
    const b = await hashPassword('correct horse');
    expect(a).not.toBe(b);
    expect(await verifyPassword('correct horse', a)).toBe(true);
    expect(await verifyPassword('correct horsE', a)).toBe(false);
    expect(await verifyPassword('x', 'md5$abc')).toBe(false);
  });

  it('makes API tokens whose id and secret parse back', () => {
    const { token, tokenId, secret } = generateApiToken();
    expect(parseApiToken(token)).toEqual({ tokenId, secret });
    expect(parseApiToken(`${token}x`)).toBeUndefined();
  });
});

describe('login rate limit', () => {
  it('refuses a key after `limit` failures until the oldest leaves the window', () => {
    let now = 0;
    const limiter = createRateLimiter({ limit: 2, windowMs: 1000, clock: () => now });
    limiter.fail('k');
    expect(limiter.check('k').allowed).toBe(true);
    now = 400;
    limiter.fail('k');
    expect(limiter.check('k')).toEqual({ allowed: false, retryAfterMs: 600 });
    now = 1001;
    expect(limiter.check('k').allowed).toBe(true);
  });

  it('a session lasts its lifetime; a disabled user or a revoked token no longer signs in', async () => {
    let now = 1000;
    const users = memoryUsers();
    const auth = createAuthService({ users, clock: () => now, sessionTtlMs: 500 });
    const added = await auth.addUser({ name: 'li', role: 'investigator', unit: 'u' });
    const password = added.ok ? (added.value.password ?? '') : '';
    const login = await auth.login('li', password, '127.0.0.1');
    const sessionId = login.ok ? login.value.sessionId : '';
    expect((await auth.sessionUser(sessionId))?.user.name).toBe('li');
    now += 600;
    expect(await auth.sessionUser(sessionId)).toBeUndefined();
    const issued = await auth.issueToken('li');
    const token = issued.ok ? (issued.value.token ?? '') : '';
    expect((await auth.tokenUser(token))?.name).toBe('li');
    await users.revokeApiToken(parseApiToken(token)?.tokenId ?? '');
    expect(await auth.tokenUser(token)).toBeUndefined();
    await users.setUserDisabled(added.ok ? added.value.user.userId : '', true);
    expect(await auth.login('li', password, '127.0.0.1')).toMatchObject({
      ok: false,
      issues: [{ code: 'auth.bad_credentials' }],
    });
    expect(await auth.addUser({ name: 'bad name!', role: 'admin' })).toMatchObject({
      ok: false,
      issues: [{ code: 'users.bad_name' }],
    });
  });
});
