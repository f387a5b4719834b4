// Stored passwords in PostgreSQL's forms (docs 21.5 "Password Authentication"), shared by every
// listener that checks passwords (PostgreSQL's exchanges, the REST API's HTTP Basic):
// `SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>` (base64 parts, RFC 5802/7677) and
// `md5<hex of md5(password || user)>`. `orbit user add` writes them into the config.
import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';

/** A stored password: never the password itself. */
export type Verifier =
  | { readonly kind: 'scram'; readonly iterations: number; readonly salt: Buffer; readonly storedKey: Buffer; readonly serverKey: Buffer }
  | { readonly kind: 'md5'; readonly hash: string };

/** RFC 7677 asks for at least 4096 iterations; PostgreSQL's default too. */
export const SCRAM_ITERATIONS = 4096;

/** Parses a stored verifier; undefined when it is neither form. */
export function parseVerifier(s: string): Verifier | undefined {
  const md5 = /^md5([0-9a-f]{32})$/.exec(s);
  if (md5) return { kind: 'md5', hash: md5[1]! };
  const scram = /^SCRAM-SHA-256\$(\d+):([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]+):([A-Za-z0-9+/=]+)$/.exec(s);
  if (!scram) return undefined;
  const iterations = Number(scram[1]);
  const salt = Buffer.from(scram[2]!, 'base64');
  const storedKey = Buffer.from(scram[3]!, 'base64');
  const serverKey = Buffer.from(scram[4]!, 'base64');
  if (iterations < 1 || salt.length === 0 || storedKey.length !== 32 || serverKey.length !== 32) return undefined;
  return { kind: 'scram', iterations, salt, storedKey, serverKey };
}

/**
 * The SCRAM-SHA-256 verifier for a password, in PostgreSQL's stored form (what `orbit user add`
 * writes): StoredKey = H(HMAC(SaltedPassword, "Client Key")), ServerKey = HMAC(SaltedPassword, "Server Key") (RFC 5802 §3).
 */
export function scramVerifier(password: string, iterations = SCRAM_ITERATIONS, salt: Buffer = randomBytes(16)): string {
  const keys = scramKeys(password, salt, iterations);
  return `SCRAM-SHA-256$${iterations}:${salt.toString('base64')}$${keys.storedKey.toString('base64')}:${keys.serverKey.toString('base64')}`;
}

/** The md5 verifier PostgreSQL stores: "md5" + hex(md5(password || user name)). */
export function md5Verifier(password: string, user: string): string {
  return `md5${md5hex(password + user)}`;
}

/** SCRAM-SHA-256's StoredKey and ServerKey of a password (RFC 5802 §3). */
export function scramKeys(password: string, salt: Buffer, iterations: number): { storedKey: Buffer; serverKey: Buffer } {
  const salted = pbkdf2Sync(saslPrep(password), salt, iterations, 32, 'sha256');
  const clientKey = hmac(salted, 'Client Key');
  return { storedKey: createHash('sha256').update(clientKey).digest(), serverKey: hmac(salted, 'Server Key') };
}

/**
 * SASLprep (RFC 4013) as far as passwords need it: non-ASCII spaces map to a space, characters
 * "commonly mapped to nothing" are dropped, then NFKC. ASCII passwords pass unchanged.
 */
function saslPrep(password: string): string {
  return password
    .replace(/[\u00A0\u1680\u2000-\u200B\u202F\u205F\u3000]/g, ' ')
    .replace(/[\u00AD\u034F\u1806\u180B-\u180D\u200C\u200D\u2060\uFE00-\uFE0F\uFEFF]/g, '')
    .normalize('NFKC');
}

/** HMAC-SHA-256. */
export function hmac(key: Buffer, data: string | Buffer): Buffer {
  return createHmac('sha256', key).update(data).digest();
}

/** Hex MD5. */
export function md5hex(s: string | Buffer): string {
  return createHash('md5').update(s).digest('hex');
}

/** Equal bytes, compared in constant time. */
export function sameBytes(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}


/** Whether `password` (sent in clear, as HTTP Basic or PostgreSQL's password method send it) matches `v`. */
export function passwordMatches(v: Verifier, user: string, password: string): boolean {
  if (v.kind === 'md5') return sameBytes(Buffer.from(md5Verifier(password, user)), Buffer.from(`md5${v.hash}`));
  const keys = scramKeys(password, v.salt, v.iterations);
  return sameBytes(keys.storedKey, v.storedKey) && sameBytes(keys.serverKey, v.serverKey);
}
