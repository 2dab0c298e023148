// Checks an e-mail and password. Every failure looks and costs the same (an unknown e-mail is
// verified against a decoy hash), so neither the message nor the timing tells whether an account exists.
import type { Db } from '../db/connection.ts';
import { findUserByEmail, type UserRow } from '../db/users.ts';
import type { CanonicalEmail } from '../identity/email.ts';
import { verifyAgainstDecoy, verifyPassword, MAX_PASSWORD_LENGTH } from '../crypto/passwords.ts';

export type SignInResult =
  | { ok: true; user: UserRow }
  | { ok: false; reason: 'unknown_account' | 'wrong_password' | 'disabled' | 'no_password'; user?: UserRow };

export async function checkPassword(db: Db, email: CanonicalEmail, password: string): Promise<SignInResult> {
  const user = await findUserByEmail(db, email);
  if (!user?.password_hash || password.length > MAX_PASSWORD_LENGTH) {
    await verifyAgainstDecoy(password);
    if (!user) return { ok: false, reason: 'unknown_account' };
    return { ok: false, reason: user.password_hash ? 'wrong_password' : 'no_password', user };
  }
  if (!(await verifyPassword(password, user.password_hash))) return { ok: false, reason: 'wrong_password', user };
  // Checked after the hash so a disabled account costs the same as any other failure.
  if (user.status !== 'active') return { ok: false, reason: 'disabled', user };
  return { ok: true, user };
}
