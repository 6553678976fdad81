/**
 * Screening tokens: the random secret that authorises the next steps for one screening.
 *
 * The table stores only the token's SHA-256 hash, compared in constant time. For idempotent
 * replays of `POST /screenings` the token is also kept sealed (AES-256-GCM) under a key derived
 * with HKDF-SHA256 from the client's Idempotency-Key: only a client holding that key can get the
 * token back, and the table never holds it in clear.
 */
import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';

/** 128 bits: unguessable, and short enough for a URL or a header. */
const TOKEN_BYTES = 16;
/** base64url of 16 bytes is 22 characters. */
export const TOKEN_PATTERN = /^[A-Za-z0-9_-]{22}$/;

const SEAL_VERSION = 'v1';
const HKDF_SALT = 'trial-screener/idempotency-token-seal';
const HKDF_INFO = 'aes-256-gcm';

/** A fresh random screening token (base64url). */
export function newScreeningToken(): string {
  return randomBytes(TOKEN_BYTES).toString('base64url');
}

/** The SHA-256 (hex) of a token or an Idempotency-Key: what the table stores instead of it. */
export function sha256Hex(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}

/** Compared against when there is no stored hash, so that case costs what a wrong token costs. */
const PLACEHOLDER_HASH = Buffer.alloc(32);

/**
 * Whether `token` hashes to `storedHash`, compared in constant time. The same work is done when
 * there is no hash (an unknown screening) or a malformed one: the token is hashed and compared
 * against a placeholder, so timing does not tell an unknown id from a wrong token.
 */
export function tokenMatches(token: string, storedHash: string | undefined): boolean {
  const stored = typeof storedHash === 'string' ? Buffer.from(storedHash, 'hex') : undefined;
  const usable = stored !== undefined && stored.length === PLACEHOLDER_HASH.length;
  const actual = createHash('sha256').update(token, 'utf8').digest();
  const equal = timingSafeEqual(usable ? stored : PLACEHOLDER_HASH, actual);
  return usable && equal;
}

function sealKey(idempotencyKey: string): Buffer {
  return Buffer.from(hkdfSync('sha256', Buffer.from(idempotencyKey, 'utf8'), HKDF_SALT, HKDF_INFO, 32));
}

/** Encrypts `token` under a key derived from `idempotencyKey`: `v1.<iv>.<ciphertext>.<tag>`. */
export function sealToken(token: string, idempotencyKey: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', sealKey(idempotencyKey), iv);
  const ciphertext = Buffer.concat([cipher.update(token, 'utf8'), cipher.final()]);
  return [SEAL_VERSION, iv, ciphertext, cipher.getAuthTag()]
    .map((part) => (typeof part === 'string' ? part : part.toString('base64url')))
    .join('.');
}

/**
 * Decrypts a sealed token with the same Idempotency-Key.
 *
 * @throws Error when the key is not the one it was sealed with or the value was altered.
 */
export function unsealToken(sealed: string, idempotencyKey: string): string {
  const [version, iv, ciphertext, tag] = sealed.split('.');
  if (version !== SEAL_VERSION || !iv || !ciphertext || !tag) throw new Error('Unrecognised sealed token format');
  const decipher = createDecipheriv('aes-256-gcm', sealKey(idempotencyKey), Buffer.from(iv, 'base64url'));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8');
}
