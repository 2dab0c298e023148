// WebAuthn (passkeys and security keys) as a second factor: the options a page hands the browser,
// and the check of what the browser answers. Verification is @simplewebauthn/server's; what is
// ours is where the challenge lives (the database, consumed once, see migrations/0013) and that a
// failure counts toward the same second-factor lock as a wrong TOTP code (src/mfa/throttle.ts).
import { createHash } from 'node:crypto';
import type {
  AuthenticationResponseJSON,
  AuthenticatorTransport,
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
  RegistrationResponseJSON,
  VerifiedAuthenticationResponse,
} from '@simplewebauthn/server';
import type { Db } from '../db/connection.ts';
import { findPasskeyByCredentialId, listPasskeys, recordPasskeyUse, type PasskeyRow } from '../db/passkeys.ts';
import { consumeChallenge, insertChallenge, type ChallengePurpose } from '../db/webauthn-challenges.ts';
import { attemptFailed, attemptSucceeded, beginAttempt, throttleKeys, type AfterFailure } from './throttle.ts';

// Loaded on first use: the library and its X.509/ASN.1 dependencies cost ~27 MB and ~0.3 s, which
// a node that never sees a passkey should not pay at start (issue 9's memory and start targets).
let library: Promise<typeof import('@simplewebauthn/server')> | undefined;
export const webauthnLibrary = () => (library ??= import('@simplewebauthn/server'));

/**
 * COSE algorithms accepted for new credentials: EdDSA, ES256, RS256 (what authenticators ship).
 * Named explicitly: the library's default probes Node's experimental post-quantum Web Crypto and
 * prints an ExperimentalWarning into the operator's log.
 */
export const SUPPORTED_ALGORITHMS = [-8, -7, -257];

/** Long enough for a user to find a security key and type its PIN; short enough to be useless later. */
export const CHALLENGE_TTL_SECONDS = 5 * 60;
const CEREMONY_TIMEOUT_MS = 2 * 60 * 1000;
/** A browser's answer is a few hundred bytes; anything far larger is not one. */
const MAX_RESPONSE_LENGTH = 16 * 1024;

/** The relying party Tobira is to authenticators: ISSUER's host, checked against ISSUER's origin. */
export type PasskeyRp = { id: string; origin: string; name: string };

export function passkeyRp(issuer: string): PasskeyRp {
  const url = new URL(issuer);
  return { id: url.hostname, origin: url.origin, name: 'Tobira' };
}

const challengeHash = (challenge: string) => createHash('sha256').update(challenge).digest('base64url');

async function storeChallenge(db: Db, userId: string, purpose: ChallengePurpose, challenge: string, now: Date): Promise<void> {
  await insertChallenge(db, { challengeHash: challengeHash(challenge), userId, purpose, expiresAt: new Date(now.getTime() + CHALLENGE_TTL_SECONDS * 1000) });
}

/**
 * A verifier for @simplewebauthn's `expectedChallenge` that consumes the stored challenge, so an
 * answer passes once, on any node. `failed` tells a stale or replayed answer from a bad signature.
 */
export function challengeVerifier(db: Db, userId: string, purpose: ChallengePurpose, now: Date) {
  const state = { failed: false };
  const verify = async (challenge: string) => {
    const ok = await consumeChallenge(db, { challengeHash: challengeHash(challenge), userId, purpose, now });
    if (!ok) state.failed = true;
    return ok;
  };
  return { verify, state };
}

const transportsOf = (row: PasskeyRow) => (row.transports ? (row.transports.split(',') as AuthenticatorTransport[]) : undefined);

/** A UUID as the 16 bytes WebAuthn keeps as the user handle: stable, and no e-mail in it. */
const userHandle = (userId: string) => new Uint8Array(Buffer.from(userId.replace(/-/g, ''), 'hex'));

export async function registrationOptions(
  db: Db,
  rp: PasskeyRp,
  user: { id: string; email: string; name: string },
  now: Date,
): Promise<PublicKeyCredentialCreationOptionsJSON> {
  const existing = await listPasskeys(db, user.id);
  const { generateRegistrationOptions } = await webauthnLibrary();
  const options = await generateRegistrationOptions({
    rpName: rp.name,
    rpID: rp.id,
    userID: userHandle(user.id),
    userName: user.email,
    userDisplayName: user.name || user.email,
    timeout: CEREMONY_TIMEOUT_MS,
    attestationType: 'none',
    supportedAlgorithmIDs: SUPPORTED_ALGORITHMS,
    // The browser refuses to register an authenticator the user has registered already.
    excludeCredentials: existing.map((p) => ({ id: p.credential_id, transports: transportsOf(p) })),
    authenticatorSelection: { residentKey: 'preferred', userVerification: 'preferred' },
  });
  await storeChallenge(db, user.id, 'register', options.challenge, now);
  return options;
}

/** Options for the user's passkeys, or undefined when the user has none. */
export async function authenticationOptions(db: Db, rp: PasskeyRp, userId: string, now: Date): Promise<PublicKeyCredentialRequestOptionsJSON | undefined> {
  const passkeys = await listPasskeys(db, userId);
  if (passkeys.length === 0) return undefined;
  const { generateAuthenticationOptions } = await webauthnLibrary();
  const options = await generateAuthenticationOptions({
    rpID: rp.id,
    timeout: CEREMONY_TIMEOUT_MS,
    allowCredentials: passkeys.map((p) => ({ id: p.credential_id, transports: transportsOf(p) })),
    userVerification: 'preferred',
  });
  await storeChallenge(db, userId, 'authenticate', options.challenge, now);
  return options;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The browser's answer as posted in a form field; undefined unless it has the shape of one. */
export function parseCredentialResponse<T extends RegistrationResponseJSON | AuthenticationResponseJSON>(input: string): T | undefined {
  if (!input || input.length > MAX_RESPONSE_LENGTH) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(input);
  } catch {
    return undefined;
  }
  if (!isRecord(value) || typeof value.id !== 'string' || typeof value.rawId !== 'string' || value.type !== 'public-key') return undefined;
  if (!isRecord(value.response) || typeof value.response.clientDataJSON !== 'string') return undefined;
  return value as T;
}

export type PasskeyResult =
  | { ok: true; passkeyId: string; userVerified: boolean }
  | { ok: false; reason: 'malformed' }
  | { ok: false; reason: 'wrong' | 'replayed'; lock: AfterFailure }
  | { ok: false; reason: 'locked'; lock: { locked: true; until: Date } };

/** Checks a signed assertion for the user: lock first, then the challenge, signature and counter. */
export async function checkPasskey(db: Db, rp: PasskeyRp, userId: string, input: string, now: Date): Promise<PasskeyResult> {
  const response = parseCredentialResponse<AuthenticationResponseJSON>(input);
  if (!response) return { ok: false, reason: 'malformed' };
  const key = throttleKeys.totp(userId);
  const lock = await beginAttempt(db, key, now);
  if (lock.locked) return { ok: false, reason: 'locked', lock };
  const fail = async (reason: 'wrong' | 'replayed'): Promise<PasskeyResult> => ({ ok: false, reason, lock: await attemptFailed(db, key, now) });
  const passkey = await findPasskeyByCredentialId(db, userId, response.id);
  if (!passkey) return fail('wrong');
  const challenge = challengeVerifier(db, userId, 'authenticate', now);
  const previous = Number(passkey.sign_count);
  const { verifyAuthenticationResponse } = await webauthnLibrary();
  let verified: VerifiedAuthenticationResponse;
  try {
    verified = await verifyAuthenticationResponse({
      response,
      expectedChallenge: challenge.verify,
      expectedOrigin: rp.origin,
      expectedRPID: rp.id,
      credential: { id: passkey.credential_id, publicKey: new Uint8Array(passkey.public_key), counter: previous, transports: transportsOf(passkey) },
      requireUserVerification: false,
    });
  } catch {
    // Wrong origin, bad signature, a counter that went backwards (a cloned authenticator) …
    return fail(challenge.state.failed ? 'replayed' : 'wrong');
  }
  if (!verified.verified) return fail('wrong');
  if (!(await recordPasskeyUse(db, passkey.id, previous, verified.authenticationInfo.newCounter, now))) return fail('replayed');
  await attemptSucceeded(db, key);
  return { ok: true, passkeyId: passkey.id, userVerified: verified.authenticationInfo.userVerified };
}
