// tobira mfa reset — the operator's way back in for a user (typically the only workspace admin)
// who has lost both the authenticator and the recovery codes (S11, "contact support" in the FAQ).
// The reason is required and kept in the audit event, so every reset outside the admin pages
// can be accounted for later.
import { resetMfa } from '../../mfa/reset.ts';
import { findUserByEmail } from '../../db/users.ts';
import { canonicalEmail, EMAIL_REFUSALS } from '../../identity/email.ts';
import { findWorkspaceById } from '../../db/workspaces.ts';
import { describe, requireOption, UsageError, type Command, type CommandGroup } from '../command.ts';
import { auditedChange, auditRefusal } from '../audit.ts';
import { withDatabase } from '../session.ts';

const NAME = 'mfa reset';
const REASON_MAX = 500;

const reset: Command = {
  name: NAME,
  summary: "remove a user's authenticators and recovery codes and end their sessions (needs a reason)",
  help: `mfa reset --email EMAIL --reason REASON

Removes every authenticator app and recovery code of the user, clears a second-factor lock, and
ends the user's sessions and tokens. The user signs in again with the password and, where two-step
verification is required (always for the admin console), sets up a new authenticator app.
The workspace policy is not changed.

  --email EMAIL    the user's sign-in e-mail address
  --reason REASON  why (e.g. a support ticket); kept in the audit log`,
  options: {
    email: { type: 'string' },
    reason: { type: 'string' },
  },
  async run(args) {
    const email = requireOption(args, 'email', NAME).trim();
    const reason = requireOption(args, 'reason', NAME).trim();
    if (!reason) throw new UsageError(`"${NAME}" needs a non-empty --reason; it is kept in the audit log`);
    if (reason.length > REASON_MAX) throw new UsageError(`--reason must be at most ${REASON_MAX} characters`);
    const canonical = canonicalEmail(email);
    if (!canonical.ok) throw new UsageError(`${JSON.stringify(email)} cannot be used as an e-mail address: ${EMAIL_REFUSALS[canonical.reason]}`);
    const done = await withDatabase(async ({ db }) => {
      const user = await findUserByEmail(db, canonical.email);
      if (!user) {
        await auditRefusal(db, { action: 'mfa.reset', targetType: 'user', details: { email, reason } }, 'no such user');
        throw new UsageError(`no user with e-mail "${email}"`);
      }
      const workspace = await findWorkspaceById(db, user.workspace_id);
      const removed = await auditedChange(db, async (trx) => {
        const result = await resetMfa(trx, user.id);
        return {
          result,
          event: {
            action: 'mfa.reset',
            workspaceId: user.workspace_id,
            targetType: 'user',
            targetId: user.id,
            details: { reason, email: user.email, authenticators: result.authenticators, recovery_codes: result.recoveryCodes },
          },
        };
      });
      return { user, workspace, removed };
    });
    const { user, workspace, removed } = done;
    return {
      json: {
        userId: user.id,
        email: user.email,
        workspace: workspace?.slug ?? null,
        authenticatorsRemoved: removed.authenticators,
        recoveryCodesRemoved: removed.recoveryCodes,
        sessionsEnded: true,
      },
      text: describe(`Reset two-step verification of ${user.email}`, [
        ['workspace', workspace?.slug ?? '-'],
        ['authenticators removed', String(removed.authenticators)],
        ['recovery codes removed', String(removed.recoveryCodes)],
        ['sessions', 'ended'],
        ['next sign-in', 'password, then a new authenticator app where two-step verification is required'],
      ]),
    };
  },
};

export const mfaCommands: CommandGroup = { name: 'mfa', summary: "reset a user's two-step verification", commands: [reset] };
