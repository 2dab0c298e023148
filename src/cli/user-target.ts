// What the operator's commands about one user share: the user named by --email (an unknown address
// is refused in one line and audited), and the --reason that a change keeps in the audit log.
import type { Db } from '../db/connection.ts';
import { findUserByEmail, type UserRow } from '../db/users.ts';
import { canonicalEmail, EMAIL_REFUSALS, type CanonicalEmail } from '../identity/email.ts';
import { refusalOf } from '../http/hostile-text.ts';
import { REASON_MAX } from '../mfa/admin-requirement.ts';
import { requireOption, UsageError, type ParsedArgs } from './command.ts';
import { auditRefusal } from './audit.ts';

/** --email, checked and in its canonical form before the database is opened. */
export type EmailOption = { typed: string; canonical: CanonicalEmail };

export function emailOption(args: ParsedArgs, command: string): EmailOption {
  const typed = requireOption(args, 'email', command).trim();
  const canonical = canonicalEmail(typed);
  if (!canonical.ok) throw new UsageError(`${JSON.stringify(typed)} cannot be used as an e-mail address: ${EMAIL_REFUSALS[canonical.reason]}`);
  return { typed, canonical: canonical.email };
}

/** --reason: required, one line of plain text, at most REASON_MAX characters. */
export function reasonOption(args: ParsedArgs, command: string): string {
  const reason = requireOption(args, 'reason', command).trim();
  if (!reason) throw new UsageError(`"${command}" needs a non-empty --reason; it is kept in the audit log`);
  if (reason.length > REASON_MAX) throw new UsageError(`--reason must be at most ${REASON_MAX} characters`);
  if (refusalOf(reason)) throw new UsageError('--reason must be one line of text without control characters');
  return reason;
}

/**
 * The user with this e-mail address. An unknown one is audited as a failed `action` (with the
 * address as typed; `details.reason` is the refusal's, so pass an operator's reason under another
 * name) and refused with what to do about it.
 */
export async function userByEmail(db: Db, email: EmailOption, action: string, details: Record<string, unknown> = {}): Promise<UserRow> {
  const user = await findUserByEmail(db, email.canonical);
  if (user) return user;
  await auditRefusal(db, { action, targetType: 'user', details: { email: email.typed, ...details } }, 'no such user');
  throw new UsageError(
    `no user with e-mail "${email.typed}"; check the address (users are found by their sign-in e-mail), or create the user with tobira user create`,
  );
}
