// Resetting a user's MFA (the admin's button, the operator's `tobira mfa reset`): every
// authenticator app, passkey and recovery code goes, the second-factor lock is cleared, and the
// user's sessions and tokens end, all in one transaction. The workspace policy is never touched:
// if it requires MFA, the user simply enrols again at the next sign-in (S6).
import type { Db } from '../db/connection.ts';
import { deletedCount } from '../db/connection.ts';
import { deletePasskeysOf } from '../db/passkeys.ts';
import { endSessionsAndGrants } from '../directory/revocation.ts';
import { throttleKeys } from './throttle.ts';

export async function resetMfa(db: Db, userId: string): Promise<{ authenticators: number; passkeys: number; recoveryCodes: number }> {
  return db.transaction(async (trx) => {
    const authenticators = deletedCount(await trx('authenticators').where({ user_id: userId }).delete());
    // A lost phone may have been the passkey too (a synced passkey lives on it): all factors go.
    const passkeys = await deletePasskeysOf(trx, userId);
    const recoveryCodes = deletedCount(await trx('recovery_codes').where({ user_id: userId }).delete());
    await trx('throttles')
      .where({ key: throttleKeys.totp(userId) })
      .delete();
    await endSessionsAndGrants(trx, userId);
    return { authenticators, passkeys, recoveryCodes };
  });
}
