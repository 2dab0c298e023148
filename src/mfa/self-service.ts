// A user's own changes to their MFA (/account). Every change is confirmed with a fresh proof — a
// TOTP code from an authenticator app the user already has (checkTotp: throttled, single-use), a
// signed answer from one of their passkeys (checkPasskey: same throttle, challenge used once), or
// the password for a user who has neither — so a session left open on a shared computer, or a stolen
// console cookie, cannot quietly add an attacker's phone or switch MFA off.
import { deleteModelsOfAccount } from '../db/oidc-models.ts';
import { deleteConsoleSessionsOfExcept } from '../db/console-sessions.ts';
import { noticeEveryHolder } from '../directory/revocation.ts';
import type { Db } from '../db/connection.ts';
import type { UserRow } from '../db/users.ts';
import {
  countAuthenticators,
  deleteAuthenticator,
  deleteAuthenticatorsOf,
  lockAuthenticatorsOf,
  renameAuthenticator as renameRow,
} from '../db/authenticators.ts';
import { countPasskeys, deletePasskey, deletePasskeysOf, lockPasskeysOf, renamePasskey as renamePasskeyRow } from '../db/passkeys.ts';
import { deleteRecoveryCodes, replaceRecoveryCodes } from '../db/recovery-codes.ts';
import { verifyAgainstDecoy, verifyPassword, MAX_PASSWORD_LENGTH } from '../crypto/passwords.ts';
import { checkTotp } from './second-factor.ts';
import { checkPasskey, type PasskeyRp } from './passkey.ts';
import { hashRecoveryCode, newRecoveryCodes } from './recovery-codes.ts';
import { beginPasswordAttempt, passwordAttemptFailed, passwordAttemptSucceeded, passwordBudgets, longest } from './password-throttle.ts';
import { deviceNonceFor } from './device-cookie.ts';

/**
 * `deviceCookie`: the browser's raw device cookie, checked here like at the sign-in form.
 * `passkey`: the browser's WebAuthn answer when the user confirmed with a passkey instead of a code;
 * `rp` is who that answer must be addressed to (ISSUER).
 */
export type FreshProof = { code: string; password: string; passkey?: string; rp?: PasskeyRp; deviceCookie?: string | undefined };

export type ProofMethod = 'otp' | 'passkey' | 'pwd';

export type FreshResult =
  | { ok: true; method: ProofMethod }
  | { ok: false; reason: 'malformed' | 'wrong' | 'replayed'; method: ProofMethod }
  | { ok: false; reason: 'locked'; method: ProofMethod; until: Date };

/** Which kinds of second factor the user can confirm a change with; neither means the password. */
export async function freshFactors(db: Db, userId: string): Promise<{ app: boolean; passkey: boolean }> {
  return { app: (await countAuthenticators(db, userId)) > 0, passkey: (await countPasskeys(db, userId)) > 0 };
}

export async function checkFreshProof(db: Db, dataKey: Buffer, user: UserRow, proof: FreshProof, now: Date): Promise<FreshResult> {
  const factors = await freshFactors(db, user.id);
  // A passkey answer when one was sent (the page's passkey button), or when a passkey is all the user has.
  if (factors.passkey && (proof.passkey || !factors.app)) {
    if (!proof.passkey || !proof.rp) return { ok: false, reason: 'malformed', method: 'passkey' };
    const result = await checkPasskey(db, proof.rp, user.id, proof.passkey, now);
    if (result.ok) return { ok: true, method: 'passkey' };
    if (result.reason === 'locked') return { ok: false, reason: 'locked', method: 'passkey', until: result.lock.until };
    return { ok: false, reason: result.reason, method: 'passkey' };
  }
  if (factors.app) {
    const result = await checkTotp(db, dataKey, user.id, proof.code, now);
    if (result.ok) return { ok: true, method: 'otp' };
    if (result.reason === 'locked') return { ok: false, reason: 'locked', method: 'otp', until: result.lock.until };
    return { ok: false, reason: result.reason, method: 'otp' };
  }
  // Same budgets as the sign-in form, so /account is no side door for guessing the password, and
  // the user's own browser is not held by a lock that strangers set off.
  if (!proof.password) return { ok: false, reason: 'malformed', method: 'pwd' };
  const budgets = passwordBudgets(user.email, { deviceNonce: deviceNonceFor(proof.deviceCookie, dataKey, user.email, now) });
  const lock = await beginPasswordAttempt(db, budgets, now);
  if (lock) return { ok: false, reason: 'locked', method: 'pwd', until: lock.until };
  const right =
    user.password_hash && proof.password.length <= MAX_PASSWORD_LENGTH
      ? await verifyPassword(proof.password, user.password_hash)
      : await verifyAgainstDecoy(proof.password);
  if (!right) {
    const after = longest(await passwordAttemptFailed(db, budgets, now));
    return after ? { ok: false, reason: 'locked', method: 'pwd', until: after.until } : { ok: false, reason: 'wrong', method: 'pwd' };
  }
  await passwordAttemptSucceeded(db, budgets);
  return { ok: true, method: 'pwd' };
}

export { mfaRequiredBy } from './decision.ts';

/**
 * Ends every OIDC artefact of the user (SSO sessions, grants, codes, refresh tokens) and their
 * console sessions except the one making the change: the person at /account stays there, every
 * other browser and every relying party has to sign in again (S15); those registered for
 * back-channel logout are told so.
 */
export async function endOtherSessions(trx: Db, userId: string, keepConsoleSessionId: string): Promise<{ oidcArtefacts: number; consoleSessions: number }> {
  await noticeEveryHolder(trx, userId);
  const oidcArtefacts = await deleteModelsOfAccount(trx, userId);
  const consoleSessions = await deleteConsoleSessionsOfExcept(trx, userId, keepConsoleSessionId);
  return { oidcArtefacts, consoleSessions };
}

export async function renameAuthenticator(db: Db, userId: string, authenticatorId: string, label: string): Promise<boolean> {
  return renameRow(db, userId, authenticatorId, label);
}

export async function renamePasskey(db: Db, userId: string, passkeyId: string, label: string): Promise<boolean> {
  return renamePasskeyRow(db, userId, passkeyId, label);
}

export type Ended = { oidcArtefacts: number; consoleSessions: number };

export type RemoveResult = { ok: true; label: string; ended: Ended } | { ok: false; reason: 'not_found' | 'last' };

/**
 * Both kinds of factor, row-locked in one order (apps, then passkeys) so that two removals — of an
 * app and of a passkey — cannot both pass the "not the last one" check.
 */
async function lockSecondFactorsOf(trx: Db, userId: string) {
  return { apps: await lockAuthenticatorsOf(trx, userId), passkeys: await lockPasskeysOf(trx, userId) };
}

/**
 * Removes one second factor, never the last: leaving a user with recovery codes and no factor is a
 * half-state; turning MFA off is its own, rule-checked action.
 */
async function removeFactor(
  db: Db,
  userId: string,
  keepConsoleSessionId: string,
  pick: (factors: Awaited<ReturnType<typeof lockSecondFactorsOf>>) => { label: string } | undefined,
  remove: (trx: Db) => Promise<unknown>,
): Promise<RemoveResult> {
  return db.transaction(async (trx) => {
    const factors = await lockSecondFactorsOf(trx, userId);
    const target = pick(factors);
    if (!target) return { ok: false as const, reason: 'not_found' as const };
    if (factors.apps.length + factors.passkeys.length === 1) return { ok: false as const, reason: 'last' as const };
    await remove(trx);
    return { ok: true as const, label: target.label, ended: await endOtherSessions(trx, userId, keepConsoleSessionId) };
  });
}

export async function removeAuthenticator(db: Db, userId: string, authenticatorId: string, keepConsoleSessionId: string): Promise<RemoveResult> {
  return removeFactor(
    db,
    userId,
    keepConsoleSessionId,
    (f) => f.apps.find((a) => a.id === authenticatorId),
    (trx) => deleteAuthenticator(trx, userId, authenticatorId),
  );
}

export async function removePasskey(db: Db, userId: string, passkeyId: string, keepConsoleSessionId: string): Promise<RemoveResult> {
  return removeFactor(
    db,
    userId,
    keepConsoleSessionId,
    (f) => f.passkeys.find((p) => p.id === passkeyId),
    (trx) => deletePasskey(trx, userId, passkeyId),
  );
}

/** A fresh set of recovery codes; every earlier code, used or not, stops working. */
export async function regenerateRecoveryCodes(db: Db, dataKey: Buffer, userId: string, now: Date): Promise<string[]> {
  const codes = newRecoveryCodes();
  await db.transaction(async (trx) => {
    await replaceRecoveryCodes(
      trx,
      userId,
      codes.map((c) => hashRecoveryCode(dataKey, c)),
      now,
    );
  });
  return codes;
}

/** Turns MFA off: every authenticator app, passkey and recovery code goes, and other sessions end. The caller checks the rules first. */
export async function disableMfa(
  db: Db,
  userId: string,
  keepConsoleSessionId: string,
): Promise<{ authenticators: number; passkeys: number; recoveryCodes: number; ended: Ended }> {
  return db.transaction(async (trx) => {
    await lockSecondFactorsOf(trx, userId);
    const authenticators = await deleteAuthenticatorsOf(trx, userId);
    const passkeys = await deletePasskeysOf(trx, userId);
    const recoveryCodes = await deleteRecoveryCodes(trx, userId);
    return { authenticators, passkeys, recoveryCodes, ended: await endOtherSessions(trx, userId, keepConsoleSessionId) };
  });
}
