// Checks a TOTP or recovery code for a user: lock first, then the code, then the single-use claim.
// Every failure counts toward the user's second-factor lock, whichever kind of code it was.
import type { Db } from '../db/connection.ts';
import { listAuthenticators, claimTimeStep } from '../db/authenticators.ts';
import { useRecoveryCode } from '../db/recovery-codes.ts';
import { open } from '../crypto/secret-box.ts';
import { matchingStep, normaliseCode, isWellFormedCode } from './totp.ts';
import { hashRecoveryCode, looksLikeRecoveryCode } from './recovery-codes.ts';
import { attemptFailed, attemptSucceeded, beginAttempt, throttleKeys, type AfterFailure } from './throttle.ts';

export const TOTP_SECRET_PURPOSE = 'totp-secret';

export type FactorResult =
  | { ok: true; authenticatorId?: string }
  | { ok: false; reason: 'malformed' }
  | { ok: false; reason: 'wrong' | 'replayed'; lock: AfterFailure }
  | { ok: false; reason: 'locked'; lock: { locked: true; until: Date } };

async function fail(db: Db, userId: string, reason: 'wrong' | 'replayed', now: Date): Promise<FactorResult> {
  return { ok: false, reason, lock: await attemptFailed(db, throttleKeys.totp(userId), now) };
}

export async function checkTotp(db: Db, dataKey: Buffer, userId: string, input: string, now: Date): Promise<FactorResult> {
  const code = normaliseCode(input);
  // Malformed input is refused before any verification and does not count as a guess.
  if (!isWellFormedCode(code)) return { ok: false, reason: 'malformed' };
  const lock = await beginAttempt(db, throttleKeys.totp(userId), now);
  if (lock.locked) return { ok: false, reason: 'locked', lock };
  for (const authenticator of await listAuthenticators(db, userId)) {
    const step = await matchingStep(open(dataKey, TOTP_SECRET_PURPOSE, authenticator.secret_encrypted), code, now);
    if (step === undefined) continue;
    if (!(await claimTimeStep(db, authenticator.id, step, now))) return fail(db, userId, 'replayed', now);
    await attemptSucceeded(db, throttleKeys.totp(userId));
    return { ok: true, authenticatorId: authenticator.id };
  }
  return fail(db, userId, 'wrong', now);
}

export async function checkRecoveryCode(db: Db, dataKey: Buffer, userId: string, input: string, now: Date): Promise<FactorResult> {
  if (!looksLikeRecoveryCode(input)) return { ok: false, reason: 'malformed' };
  const lock = await beginAttempt(db, throttleKeys.totp(userId), now);
  if (lock.locked) return { ok: false, reason: 'locked', lock };
  if (!(await useRecoveryCode(db, userId, hashRecoveryCode(dataKey, input), now))) return fail(db, userId, 'wrong', now);
  await attemptSucceeded(db, throttleKeys.totp(userId));
  return { ok: true };
}
