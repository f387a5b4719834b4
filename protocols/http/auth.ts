// Who may call the REST API: users (HTTP Basic, RFC 7617) and bearer tokens (RFC 6750) from `protocols.http`, checked per request.
//
// A user's password is stored as a verifier in PostgreSQL's forms (docs 21.5 "Password Authentication"),
// the same strings `protocols.pg.users` holds: `SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>`
// or `md5<hex of md5(password || user)>`. A token is stored as the hex SHA-256 of its text.
import { createHash } from 'node:crypto';
import { type Verifier, parseVerifier, passwordMatches } from '../kit/passwords.ts';

/** The credentials of one listener. With neither users nor tokens, loopback clients are trusted. */
export interface AuthConfig {
  readonly users: ReadonlyMap<string, Verifier>;
  /** SHA-256 of the token (hex) → the name its requests run as. */
  readonly tokens: ReadonlyMap<string, string>;
}

/** A config-file mistake in the credentials; the listener refuses to start. */
export class AuthConfigError extends Error {
  override name = 'AuthConfigError';
}

/** Reads `users` (name → verifier) and `tokens` (name → hex SHA-256 of the token) from the listener's settings. */
export function authConfig(settings: Readonly<Record<string, unknown>>): AuthConfig {
  const users = new Map<string, Verifier>();
  for (const [name, v] of Object.entries(section(settings, 'users', 'user name → password verifier'))) {
    const verifier = typeof v === 'string' ? parseVerifier(v) : undefined;
    if (!verifier) throw new AuthConfigError(`protocols.http.users.${name}: not a SCRAM-SHA-256 or md5 password verifier (create one with \`orbit user add\`)`);
    users.set(name, verifier);
  }
  const tokens = new Map<string, string>();
  for (const [name, v] of Object.entries(section(settings, 'tokens', 'token name → hex SHA-256 of the token'))) {
    if (typeof v !== 'string' || !/^[0-9a-fA-F]{64}$/.test(v)) throw new AuthConfigError(`protocols.http.tokens.${name}: expected the token's SHA-256 as 64 hex digits`);
    tokens.set(v.toLowerCase(), name);
  }
  return { users, tokens };
}

function section(settings: Readonly<Record<string, unknown>>, key: string, what: string): Record<string, unknown> {
  const raw = settings[key] ?? {};
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new AuthConfigError(`protocols.http.${key}: expected an object of ${what}`);
  return raw as Record<string, unknown>;
}

/** Whether any credential is configured: then every request must carry one, loopback included. */
export function authRequired(config: AuthConfig): boolean {
  return config.users.size > 0 || config.tokens.size > 0;
}

/** The outcome of checking a request's `Authorization` header. */
export type AuthResult = { readonly ok: true; readonly user: string } | { readonly ok: false; readonly reason: 'missing' | 'invalid' };

/**
 * Checks an `Authorization` header (RFC 9110 §11.6.2) against the configured users and tokens.
 * A password is checked against its verifier the way the server it was made for would: for SCRAM,
 * StoredKey = H(HMAC(PBKDF2(password, salt, i), "Client Key")) (RFC 5802 §3). Passwords that
 * passed are remembered by their hash, so a client sending Basic on every request pays the key
 * derivation once.
 */
export class Authenticator {
  private readonly passed = new Map<string, string>();

  constructor(private readonly config: AuthConfig) {}

  /** The user a request with this `Authorization` header value (null: none sent) runs as, or why not. */
  check(header: string | null): AuthResult {
    if (header === null) return { ok: false, reason: 'missing' };
    const m = /^(\S+)[ \t]+(\S+)[ \t]*$/.exec(header);
    if (!m) return { ok: false, reason: 'invalid' };
    const scheme = m[1]!.toLowerCase();
    const value = m[2]!;
    if (scheme === 'bearer' && this.config.tokens.size > 0) {
      const name = this.config.tokens.get(sha256hex(value));
      return name === undefined ? { ok: false, reason: 'invalid' } : { ok: true, user: name };
    }
    if (scheme === 'basic' && this.config.users.size > 0) return this.basic(value);
    return { ok: false, reason: 'invalid' };
  }

  /** RFC 7617 §2: base64 of `user-id ":" password`, UTF-8 (the charset the challenge announces). */
  private basic(value: string): AuthResult {
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(value)) return { ok: false, reason: 'invalid' };
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return { ok: false, reason: 'invalid' };
    const user = decoded.slice(0, colon);
    const password = decoded.slice(colon + 1);
    const key = sha256hex(`${user}\u0000${password}`);
    if (this.passed.get(key) === user) return { ok: true, user };
    const v = this.config.users.get(user);
    if (!v || !passwordMatches(v, user, password)) return { ok: false, reason: 'invalid' };
    // Bounded: a client rotating passwords cannot grow it without limit.
    if (this.passed.size >= 1024) this.passed.clear();
    this.passed.set(key, user);
    return { ok: true, user };
  }
}

function sha256hex(s: string): string {
  return createHash('sha256').update(s).digest('hex');
}

/** The challenges a 401 answer carries (RFC 9110 §11.6.1), one per scheme the config enables. */
export function challenges(config: AuthConfig): string[] {
  const out: string[] = [];
  if (config.users.size > 0) out.push('Basic realm="orbit", charset="UTF-8"');
  if (config.tokens.size > 0) out.push('Bearer realm="orbit"');
  return out;
}
