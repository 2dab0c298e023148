// Adding a passkey or security key: the browser's registration answer is verified against the
// stored challenge and ISSUER's origin, then the public key is stored. As with an authenticator
// app (src/mfa/enrolment.ts), recovery codes come with the first factor and the audit event is
// committed with the change.
import type { RegistrationResponseJSON, VerifiedRegistrationResponse } from '@simplewebauthn/server';
import type { Db } from '../db/connection.ts';
import { lockUserRow } from '../db/users.ts';
import { insertPasskey, type PasskeyRow } from '../db/passkeys.ts';
import { countUnusedRecoveryCodes, replaceRecoveryCodes } from '../db/recovery-codes.ts';
import { recordWithChange } from '../audit/record.ts';
import type { AuditEvent } from '../db/audit-events.ts';
import { hashRecoveryCode, newRecoveryCodes } from './recovery-codes.ts';
import { MAX_LABEL_LENGTH } from './enrolment.ts';
import { challengeVerifier, parseCredentialResponse, SUPPORTED_ALGORITHMS, webauthnLibrary, type PasskeyRp } from './passkey.ts';

export type PasskeyEnrolmentResult =
  // `userVerified`: the authenticator verified the person (PIN, biometric) while registering.
  | { ok: true; passkey: PasskeyRow; recoveryCodes: string[] | undefined; userVerified: boolean }
  // `rejected`: not a valid answer to a challenge we issued (stale, replayed, wrong origin, bad
  // attestation); `already`: this credential is registered already.
  | { ok: false; reason: 'malformed' | 'rejected' | 'already' };

export async function confirmPasskeyEnrolment(
  db: Db,
  dataKey: Buffer,
  rp: PasskeyRp,
  input: {
    userId: string;
    label: string;
    response: string;
    now: Date;
    audit: (done: { passkey: PasskeyRow; recoveryCodesIssued: boolean }) => AuditEvent;
  },
): Promise<PasskeyEnrolmentResult> {
  const response = parseCredentialResponse<RegistrationResponseJSON>(input.response);
  if (!response) return { ok: false, reason: 'malformed' };
  const challenge = challengeVerifier(db, input.userId, 'register', input.now);
  const { verifyRegistrationResponse } = await webauthnLibrary();
  let info: NonNullable<VerifiedRegistrationResponse['registrationInfo']>;
  try {
    const verified = await verifyRegistrationResponse({
      response,
      expectedChallenge: challenge.verify,
      expectedOrigin: rp.origin,
      expectedRPID: rp.id,
      requireUserVerification: false,
      supportedAlgorithmIDs: SUPPORTED_ALGORITHMS,
    });
    if (!verified.verified || !verified.registrationInfo) return { ok: false, reason: 'rejected' };
    info = verified.registrationInfo;
  } catch {
    return { ok: false, reason: 'rejected' };
  }
  const label = input.label.trim().slice(0, MAX_LABEL_LENGTH) || 'Passkey';
  return db.transaction(async (trx): Promise<PasskeyEnrolmentResult> => {
    await lockUserRow(trx, input.userId);
    const passkey = await insertPasskey(trx, {
      userId: input.userId,
      label,
      credentialId: info.credential.id,
      publicKey: info.credential.publicKey,
      signCount: info.credential.counter,
      transports: info.credential.transports ?? [],
      aaguid: info.aaguid,
      backedUp: info.credentialBackedUp,
      now: input.now,
    });
    if (!passkey) return { ok: false, reason: 'already' };
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
    await recordWithChange(trx, input.audit({ passkey, recoveryCodesIssued: Boolean(recoveryCodes) }));
    return { ok: true, passkey, recoveryCodes, userVerified: info.userVerified };
  });
}
