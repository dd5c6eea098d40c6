import { createHash, randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

/** scrypt parameters (N = 2^15, r = 8, p = 1: about 32 MiB and tens of milliseconds per hash). */
const SCRYPT = { N: 1 << 15, r: 8, p: 1, keyLength: 32, maxmem: 64 * 1024 * 1024 } as const;

function scryptAsync(password: string, salt: Buffer, n: number, r: number, p: number): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(password, salt, SCRYPT.keyLength, { N: n, r, p, maxmem: SCRYPT.maxmem }, (error, key) =>
      error ? reject(error) : resolve(key),
    ),
  );
}

/**
 * Hashes a password with scrypt and a fresh 16-byte salt; the text holds the parameters, so they can change.
 * @example await hashPassword('correct horse') // 'scrypt$32768$8$1$<salt b64>$<hash b64>'
 */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scryptAsync(password, salt, SCRYPT.N, SCRYPT.r, SCRYPT.p);
  return ['scrypt', SCRYPT.N, SCRYPT.r, SCRYPT.p, salt.toString('base64'), key.toString('base64')].join('$');
}

/** Checks a password against a stored scrypt hash in constant time; false for any malformed hash. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || salt === undefined || hash === undefined) return false;
  const expected = Buffer.from(hash, 'base64');
  const key = await scryptAsync(password, Buffer.from(salt, 'base64'), Number(n), Number(r), Number(p));
  return key.length === expected.length && timingSafeEqual(key, expected);
}

/** A password of 24 URL-safe characters (144 bits), shown once. */
export const generatePassword = (): string => randomBytes(18).toString('base64url');

/** A random opaque secret (session ids, CSRF tokens, API token secrets): 256 bits, URL-safe. */
export const randomSecret = (): string => randomBytes(32).toString('base64url');

/** SHA-256 of a high-entropy secret (API tokens, session ids): enough, since they cannot be guessed. */
export const sha256Hex = (text: string): string => createHash('sha256').update(text).digest('hex');

/** Compares two hex digests in constant time. */
export function sameDigest(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && x.length > 0 && timingSafeEqual(x, y);
}

/** API token text: `gwt_<id>_<secret>`; the id finds the row, the secret's hash is compared. */
export interface TokenParts {
  readonly tokenId: string;
  readonly secret: string;
}

const TOKEN_PATTERN = /^gwt_([A-Za-z0-9]{12})_([A-Za-z0-9_-]{43})$/;

export function generateApiToken(): TokenParts & { readonly token: string } {
  const tokenId = randomBytes(9).toString('base64url').replace(/[-_]/g, 'x').slice(0, 12);
  const secret = randomSecret();
  return { tokenId, secret, token: `gwt_${tokenId}_${secret}` };
}

export function parseApiToken(token: string): TokenParts | undefined {
  const match = TOKEN_PATTERN.exec(token);
  return match === null ? undefined : { tokenId: match[1]!, secret: match[2]! };
}
