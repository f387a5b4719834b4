// Password authentication (docs 55.3): users and verifiers from the config, cleartext, md5 and SCRAM-SHA-256 exchanges.
//
// Verifiers use PostgreSQL's stored forms (docs 21.5 "Password Authentication"; see kit/passwords.ts):
// `SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>` (base64 parts) and `md5<hex of md5(password || user)>`.
import { createHash, randomBytes } from 'node:crypto';
import { SCRAM_ITERATIONS, type Verifier, hmac, md5hex, parseVerifier, passwordMatches, sameBytes } from '../kit/passwords.ts';

export { md5Verifier, scramVerifier, type Verifier } from '../kit/passwords.ts';

/** The methods of pg_hba.conf this server offers; `trust` is only the no-users loopback default. */
export type AuthMethod = 'scram-sha-256' | 'md5' | 'password';

/** Who may log in and how, from `protocols.pg` in the config file. */
export interface AuthConfig {
  readonly method: AuthMethod;
  readonly users: ReadonlyMap<string, Verifier>;
}

/** A config-file mistake in the authentication settings; the listener refuses to start. */
export class AuthConfigError extends Error {
  override name = 'AuthConfigError';
}

const METHODS: readonly AuthMethod[] = ['scram-sha-256', 'md5', 'password'];


/**
 * Reads `users` (name → verifier string) and `auth` (method, default scram-sha-256) from the
 * listener's settings. No users means trust for loopback clients.
 */
export function authConfig(settings: Readonly<Record<string, unknown>>): AuthConfig {
  const rawMethod = settings['auth'] ?? 'scram-sha-256';
  if (typeof rawMethod !== 'string' || !(METHODS as readonly string[]).includes(rawMethod)) {
    throw new AuthConfigError(`protocols.pg.auth: unknown method ${JSON.stringify(rawMethod)} (expected ${METHODS.join(', ')})`);
  }
  const users = new Map<string, Verifier>();
  const raw = settings['users'] ?? {};
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new AuthConfigError('protocols.pg.users: expected an object of user name → password verifier');
  for (const [name, v] of Object.entries(raw)) {
    const verifier = typeof v === 'string' ? parseVerifier(v) : undefined;
    if (!verifier) throw new AuthConfigError(`protocols.pg.users.${name}: not a SCRAM-SHA-256 or md5 password verifier (create one with \`orbit user add\`)`);
    users.set(name, verifier);
  }
  return { method: rawMethod as AuthMethod, users };
}

/** What the session sends next during authentication. */
export type AuthStep =
  /** AuthenticationCleartextPassword (code 3). */
  | { readonly kind: 'cleartext' }
  /** AuthenticationMD5Password (code 5) with its 4-byte salt. */
  | { readonly kind: 'md5'; readonly salt: Buffer }
  /** AuthenticationSASL (code 10) listing the mechanisms. */
  | { readonly kind: 'sasl'; readonly mechanisms: readonly string[] }
  /** AuthenticationSASLContinue (code 11). */
  | { readonly kind: 'sasl-continue'; readonly data: Buffer }
  /** AuthenticationSASLFinal (code 12), followed by AuthenticationOk. */
  | { readonly kind: 'sasl-final'; readonly data: Buffer }
  | { readonly kind: 'ok' }
  | { readonly kind: 'fail'; readonly reason: string };

/** A malformed authentication message: 08P01, as PostgreSQL answers it. */
export class AuthProtocolError extends Error {
  override name = 'AuthProtocolError';
}

/**
 * One login's exchange. Unknown users and users whose verifier cannot serve the method go
 * through the same exchange and fail only at its end, so a client cannot probe which users exist.
 */
export class Authenticator {
  private stage: 'start' | 'password' | 'sasl-initial' | 'sasl-final' | 'done' = 'start';
  private md5Salt = Buffer.alloc(0);
  private scram: { clientFirstBare: string; serverFirst: string; nonce: string; gs2: string } | undefined;
  private readonly verifier: Verifier | undefined;
  private readonly useScram: boolean;

  constructor(
    private readonly config: AuthConfig,
    private readonly user: string,
  ) {
    this.verifier = config.users.get(user);
    // As in PostgreSQL: md5 with a SCRAM verifier stored runs SCRAM instead (docs 21.5); an unknown
    // user gets the md5 challenge, so the method asked for says nothing about who exists.
    this.useScram = config.method === 'scram-sha-256' || (config.method === 'md5' && this.verifier?.kind === 'scram');
  }

  /** The first request to the client. */
  start(): AuthStep {
    if (this.config.method === 'password') {
      this.stage = 'password';
      return { kind: 'cleartext' };
    }
    if (this.useScram) {
      this.stage = 'sasl-initial';
      return { kind: 'sasl', mechanisms: ['SCRAM-SHA-256'] };
    }
    this.stage = 'password';
    this.md5Salt = randomBytes(4);
    return { kind: 'md5', salt: this.md5Salt };
  }

  /** Takes the body of a client 'p' message (PasswordMessage, SASLInitialResponse or SASLResponse). */
  next(body: Uint8Array): AuthStep {
    const b = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
    switch (this.stage) {
      case 'password':
        return this.password(b);
      case 'sasl-initial':
        return this.saslInitial(b);
      case 'sasl-final':
        return this.saslFinal(b);
      default:
        throw new AuthProtocolError('unexpected password message');
    }
  }

  private finish(ok: boolean, reason: string): AuthStep {
    this.stage = 'done';
    return ok ? { kind: 'ok' } : { kind: 'fail', reason };
  }

  /** PasswordMessage (55.7): a NUL-terminated string, cleartext or "md5…". */
  private password(b: Buffer): AuthStep {
    const end = b.indexOf(0);
    if (end !== b.length - 1) throw new AuthProtocolError('invalid password packet size');
    const given = b.subarray(0, end).toString('utf8');
    const v = this.verifier;
    if (!v) return this.finish(false, `Role "${this.user}" does not exist.`);
    if (given === '') return this.finish(false, 'empty password returned by client');
    if (this.config.method === 'password') return this.finish(passwordMatches(v, this.user, given), 'Password does not match.');
    if (v.kind !== 'md5') return this.finish(false, 'User does not have a valid md5 password.');
    const expected = `md5${md5hex(Buffer.concat([Buffer.from(v.hash), this.md5Salt]))}`;
    return this.finish(sameBytes(Buffer.from(given), Buffer.from(expected)), 'Password does not match.');
  }

  /** SASLInitialResponse (55.3.1): mechanism, then client-first-message "gs2-header client-first-bare" (RFC 5802 §7). */
  private saslInitial(b: Buffer): AuthStep {
    const end = b.indexOf(0);
    if (end < 0 || b.length < end + 5) throw new AuthProtocolError('malformed SASLInitialResponse message');
    const mechanism = b.subarray(0, end).toString('utf8');
    if (mechanism !== 'SCRAM-SHA-256') throw new AuthProtocolError('client selected an invalid SASL authentication mechanism');
    const len = b.readInt32BE(end + 1);
    const data = b.subarray(end + 5);
    if (len !== data.length) throw new AuthProtocolError('malformed SASLInitialResponse message');
    const text = data.toString('utf8');
    // gs2-header: "n" (no channel binding) or "y" (client could, server did not offer), then an empty authzid.
    const m = /^([ny]),,(.*)$/s.exec(text);
    if (!m) throw new AuthProtocolError('malformed SCRAM message: unsupported channel binding or authorization identity');
    const clientFirstBare = m[2]!;
    const nonce = /(?:^|,)r=([^,]+)/.exec(clientFirstBare)?.[1];
    if (!/^n=[^,]*,r=/.test(clientFirstBare) || !nonce || !/^[\x21-\x2b\x2d-\x7e]+$/.test(nonce)) {
      throw new AuthProtocolError('malformed SCRAM message: expected "n=…,r=…"');
    }
    const fullNonce = nonce + randomBytes(18).toString('base64');
    // An unknown user (or one with an md5 verifier) gets a made-up salt and fails at the proof.
    const v = this.verifier?.kind === 'scram' ? this.verifier : undefined;
    const salt = v ? v.salt : randomBytes(16);
    const iterations = v ? v.iterations : SCRAM_ITERATIONS;
    const serverFirst = `r=${fullNonce},s=${salt.toString('base64')},i=${iterations}`;
    this.scram = { clientFirstBare, serverFirst, nonce: fullNonce, gs2: `${m[1]},,` };
    this.stage = 'sasl-final';
    return { kind: 'sasl-continue', data: Buffer.from(serverFirst) };
  }

  /** SASLResponse with client-final-message "c=…,r=…,p=…"; checks the proof against StoredKey (RFC 5802 §3). */
  private saslFinal(b: Buffer): AuthStep {
    const s = this.scram!;
    const text = b.toString('utf8');
    const m = /^c=([^,]*),r=([^,]*)(?:,[^p][^,]*)*,p=([A-Za-z0-9+/=]+)$/.exec(text);
    if (!m) throw new AuthProtocolError('malformed SCRAM message: expected "c=…,r=…,p=…"');
    if (Buffer.from(m[1]!, 'base64').toString('utf8') !== s.gs2) throw new AuthProtocolError('SCRAM channel binding check failed');
    if (m[2] !== s.nonce) throw new AuthProtocolError('SCRAM nonce mismatch');
    const v = this.verifier;
    if (!v) return this.finish(false, `Role "${this.user}" does not exist.`);
    if (v.kind !== 'scram') return this.finish(false, 'User does not have a valid SCRAM secret.');
    const withoutProof = text.slice(0, text.lastIndexOf(',p='));
    const authMessage = `${s.clientFirstBare},${s.serverFirst},${withoutProof}`;
    const proof = Buffer.from(m[3]!, 'base64');
    const signature = hmac(v.storedKey, authMessage);
    if (proof.length !== signature.length) return this.finish(false, 'Password does not match.');
    const clientKey = Buffer.alloc(proof.length);
    for (let i = 0; i < proof.length; i++) clientKey[i] = proof[i]! ^ signature[i]!;
    if (!sameBytes(createHash('sha256').update(clientKey).digest(), v.storedKey)) return this.finish(false, 'Password does not match.');
    this.stage = 'done';
    return { kind: 'sasl-final', data: Buffer.from(`v=${hmac(v.serverKey, authMessage).toString('base64')}`) };
  }
}
