// Rule 6 set and lifted: an admin (the user's page) or the operator (`tobira user require-mfa`)
// requires two-step verification of one user, whatever the workspace policy.
//
// Requiring it ends the user's sessions and revokes their grants and refresh tokens in the same
// transaction, so the requirement applies at once: the next sign-in runs the password and then the
// TOTP step, or enrolment for a user without an authenticator (S3's path). The flag then stays —
// a standing requirement that keeps the user from turning MFA off at /account — until an admin
// lifts it. Lifting loosens nothing that is signed in, so it ends no session.
import type { Db } from '../db/connection.ts';
import { setMfaRequired, type UserRow } from '../db/users.ts';
import { endSessionsAndGrants } from '../directory/revocation.ts';

export const REASON_MAX = 500;

export type RequireResult = { alreadyRequired: boolean; oidcArtefacts: number; consoleSessions: number };

export async function requireMfaOf(db: Db, target: UserRow, now: Date): Promise<RequireResult> {
  return db.transaction(async (trx) => {
    await setMfaRequired(trx, target.id, true, now);
    const ended = await endSessionsAndGrants(trx, target.id);
    return { alreadyRequired: target.mfa_required_at !== null, oidcArtefacts: ended.oidcArtefacts, consoleSessions: ended.consoleSessions };
  });
}

export async function liftMfaRequirement(db: Db, target: UserRow, now: Date): Promise<{ wasRequired: boolean }> {
  const wasRequired = target.mfa_required_at !== null;
  await setMfaRequired(db, target.id, false, now);
  return { wasRequired };
}

/** What is wrong with the reason typed for requiring MFA (kept in the audit log), if anything. */
export function reasonProblem(reason: string): 'missing' | 'too_long' | undefined {
  if (!reason.trim()) return 'missing';
  return reason.trim().length > REASON_MAX ? 'too_long' : undefined;
}
