// Enrolment: a new secret is offered, and stored as an authenticator only once the user proves
// their app produces its codes. Recovery codes are issued with the first authenticator (or
// whenever the user has none left) and returned so the page can show them once.
import { createHmac } from 'node:crypto';
import type { Db } from '../db/connection.ts';
import { lockUserRow } from '../db/users.ts';
import { insertAuthenticator, type AuthenticatorRow } from '../db/authenticators.ts';
import { countUnusedRecoveryCodes, replaceRecoveryCodes } from '../db/recovery-codes.ts';
import { open, seal } from '../crypto/secret-box.ts';
import { matchingStep, newTotpSecret, normaliseCode, isWellFormedCode } from './totp.ts';
import { hashRecoveryCode, newRecoveryCodes } from './recovery-codes.ts';
import { TOTP_SECRET_PURPOSE } from './second-factor.ts';
import { recordWithChange } from '../audit/record.ts';
import type { AuditEvent } from '../db/audit-events.ts';

export const MAX_LABEL_LENGTH = 60;

export function startEnrolment(dataKey: Buffer): { secret: string; sealed: string } {
  const secret = newTotpSecret();
  return { secret, sealed: seal(dataKey, TOTP_SECRET_PURPOSE, secret) };
}

export function pendingSecret(dataKey: Buffer, sealed: string): string {
  return open(dataKey, TOTP_SECRET_PURPOSE, sealed);
}

export type EnrolmentResult =
  | { ok: true; authenticator: AuthenticatorRow; recoveryCodes: string[] | undefined }
  // `already`: another submission of this same enrolment (same secret) was stored first.
  | { ok: false; reason: 'malformed' | 'wrong' | 'already' };

/** A keyed fingerprint of a TOTP secret: equal for equal secrets, useless without the instance key. */
function secretFingerprint(dataKey: Buffer, secret: string): string {
  return createHmac('sha256', dataKey).update(`totp-secret:${secret}`).digest('base64url');
}

export async function confirmEnrolment(
  db: Db,
  dataKey: Buffer,
  input: {
    userId: string;
    label: string;
    sealedSecret: string;
    code: string;
    now: Date;
    /** The `mfa.enrol` event, committed with the authenticator and its recovery codes. */
    audit: (done: { authenticator: AuthenticatorRow; recoveryCodesIssued: boolean }) => AuditEvent;
  },
): Promise<EnrolmentResult> {
  const code = normaliseCode(input.code);
  if (!isWellFormedCode(code)) return { ok: false, reason: 'malformed' };
  const secret = pendingSecret(dataKey, input.sealedSecret);
  const step = await matchingStep(secret, code, input.now);
  if (step === undefined) return { ok: false, reason: 'wrong' };
  const label = input.label.trim().slice(0, MAX_LABEL_LENGTH) || 'Authenticator app';
  return db.transaction(async (trx): Promise<EnrolmentResult> => {
    // Two enrolments of one user at once (two tabs) must not both decide that recovery codes are
    // due and leave the user holding codes that were replaced: they take turns.
    await lockUserRow(trx, input.userId);
    const authenticator = await insertAuthenticator(trx, {
      userId: input.userId,
      label,
      secretEncrypted: input.sealedSecret,
      secretFingerprint: secretFingerprint(dataKey, secret),
      acceptedStep: step,
      now: input.now,
    });
    if (!authenticator) return { ok: false, reason: 'already' };
    let recoveryCodes: string[] | undefined;
    if ((await countUnusedRecoveryCodes(trx, input.userId)) === 0) {
      recoveryCodes = newRecoveryCodes();
      await replaceRecoveryCodes(
        trx,
        input.userId,
        recoveryCodes.map((c) => hashRecoveryCode(dataKey, c)),
        input.now,
      );
    }
    await recordWithChange(trx, input.audit({ authenticator, recoveryCodesIssued: Boolean(recoveryCodes) }));
    return { ok: true as const, authenticator, recoveryCodes };
  });
}
