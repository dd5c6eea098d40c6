import type { ApiTokenInfo, Session, User, UserStore } from '../auth/ports.js';
import type { Role } from '../auth/roles.js';
import type { SqlExecutor } from './sql-executor.js';
import type { Row } from './tables.js';

const num = (value: unknown): number => (typeof value === 'number' ? value : Number(value));
const optStr = (value: unknown): string | undefined =>
  value === null || value === undefined ? undefined : String(value);

function userFromRow(row: Row): User {
  return {
    userId: String(row.user_id),
    name: String(row.name),
    role: String(row.role) as Role,
    unit: optStr(row.unit),
    handlerId: optStr(row.handler_id),
    createdAt: num(row.created_at),
    disabled: num(row.disabled) === 1,
  };
}

function tokenFromRow(row: Row): ApiTokenInfo & { secretHash: string } {
  return {
    tokenId: String(row.token_id),
    userId: String(row.user_id),
    createdAt: num(row.created_at),
    revoked: num(row.revoked) === 1,
    secretHash: String(row.secret_hash),
  };
}

const USER_COLUMNS = 'user_id, name, role, unit, handler_id, created_at, disabled';

/** Users, API tokens and sessions over the shared SQL. */
export function createSqlUserStore(exec: SqlExecutor): UserStore {
  return {
    async createUser(user) {
      const rows = await exec.all(
        `INSERT INTO users (${USER_COLUMNS}, password_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
          ON CONFLICT (name) DO NOTHING RETURNING user_id`,
        [
          user.userId,
          user.name,
          user.role,
          user.unit ?? null,
          user.handlerId ?? null,
          user.createdAt,
          user.disabled ? 1 : 0,
          user.passwordHash ?? null,
        ],
      );
      if (rows.length === 0) return undefined;
      const { passwordHash: _hidden, ...created } = user;
      return created;
    },
    async findUserByName(name) {
      const [row] = await exec.all(`SELECT ${USER_COLUMNS}, password_hash FROM users WHERE name = ?`, [name]);
      return row === undefined ? undefined : { ...userFromRow(row), passwordHash: optStr(row.password_hash) };
    },
    async findUserById(userId) {
      const [row] = await exec.all(`SELECT ${USER_COLUMNS} FROM users WHERE user_id = ?`, [userId]);
      return row === undefined ? undefined : userFromRow(row);
    },
    async listUsers() {
      return (await exec.all(`SELECT ${USER_COLUMNS} FROM users ORDER BY name`)).map(userFromRow);
    },
    async setUserDisabled(userId, disabled) {
      await exec.transaction([
        { sql: 'UPDATE users SET disabled = ? WHERE user_id = ?', params: [disabled ? 1 : 0, userId] },
        // A disabled user's sessions end at once.
        { sql: 'DELETE FROM sessions WHERE user_id = ? AND ? = 1', params: [userId, disabled ? 1 : 0] },
      ]);
    },
    async addApiToken(token) {
      await exec.all(
        'INSERT INTO api_tokens (token_id, user_id, secret_hash, created_at, revoked) VALUES (?, ?, ?, ?, ?)',
        [token.tokenId, token.userId, token.secretHash, token.createdAt, token.revoked ? 1 : 0],
      );
    },
    async findApiToken(tokenId) {
      const [row] = await exec.all('SELECT * FROM api_tokens WHERE token_id = ?', [tokenId]);
      return row === undefined ? undefined : tokenFromRow(row);
    },
    async listApiTokens(userId) {
      return (await exec.all('SELECT * FROM api_tokens WHERE user_id = ? ORDER BY created_at', [userId])).map(
        (row) => {
          const { secretHash: _hidden, ...info } = tokenFromRow(row);
          return info;
        },
      );
    },
    async revokeApiToken(tokenId) {
      const rows = await exec.all(
        'UPDATE api_tokens SET revoked = 1 WHERE token_id = ? AND revoked = 0 RETURNING token_id',
        [tokenId],
      );
      return rows.length === 1;
    },
    async createSession(sessionHash, session: Session) {
      await exec.all(
        'INSERT INTO sessions (session_hash, user_id, csrf_token, created_at, expires_at) VALUES (?, ?, ?, ?, ?)',
        [sessionHash, session.userId, session.csrfToken, session.createdAt, session.expiresAt],
      );
    },
    async findSession(sessionHash) {
      const [row] = await exec.all('SELECT * FROM sessions WHERE session_hash = ?', [sessionHash]);
      return row === undefined
        ? undefined
        : {
            userId: String(row.user_id),
            csrfToken: String(row.csrf_token),
            createdAt: num(row.created_at),
            expiresAt: num(row.expires_at),
          };
    },
    async deleteSession(sessionHash) {
      await exec.all('DELETE FROM sessions WHERE session_hash = ?', [sessionHash]);
    },
    async deleteExpiredSessions(now) {
      await exec.all('DELETE FROM sessions WHERE expires_at <= ?', [now]);
    },
  };
}
