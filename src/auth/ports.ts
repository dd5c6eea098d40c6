import type { EpochMs } from '../core/time.js';
import type { Role } from './roles.js';

/** A person or machine that can sign in. The password hash and token hashes never leave the store's adapter. */
export interface User {
  readonly userId: string;
  readonly name: string;
  readonly role: Role;
  /** The organisational unit (four-eyes: an approver must be of another unit). */
  readonly unit: string | undefined;
  /** The handler this user is (users.handler_id): conflict of interest with that handler's beneficiaries. */
  readonly handlerId: string | undefined;
  readonly createdAt: EpochMs;
  readonly disabled: boolean;
}

export interface ApiTokenInfo {
  readonly tokenId: string;
  readonly userId: string;
  readonly createdAt: EpochMs;
  readonly revoked: boolean;
}

export interface Session {
  readonly userId: string;
  readonly csrfToken: string;
  readonly createdAt: EpochMs;
  readonly expiresAt: EpochMs;
}

/**
 * Users, API tokens and sessions as a store keeps them. Secrets are stored hashed: passwords with scrypt,
 * tokens and session ids with SHA-256.
 * @example const user = await users.findUserByName('li');
 */
export interface UserStore {
  /** Creates a user; fails (returns undefined) when the name is taken. */
  createUser(user: User & { readonly passwordHash: string | undefined }): Promise<User | undefined>;
  findUserByName(name: string): Promise<(User & { readonly passwordHash: string | undefined }) | undefined>;
  findUserById(userId: string): Promise<User | undefined>;
  listUsers(): Promise<readonly User[]>;
  setUserDisabled(userId: string, disabled: boolean): Promise<void>;
  addApiToken(token: ApiTokenInfo & { readonly secretHash: string }): Promise<void>;
  findApiToken(tokenId: string): Promise<(ApiTokenInfo & { readonly secretHash: string }) | undefined>;
  listApiTokens(userId: string): Promise<readonly ApiTokenInfo[]>;
  revokeApiToken(tokenId: string): Promise<boolean>;
  createSession(sessionHash: string, session: Session): Promise<void>;
  findSession(sessionHash: string): Promise<Session | undefined>;
  deleteSession(sessionHash: string): Promise<void>;
  /** Forgets sessions that expired before `now`. */
  deleteExpiredSessions(now: EpochMs): Promise<void>;
}
