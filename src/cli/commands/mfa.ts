// tobira mfa reset — the operator's way back in for a user (typically the only workspace admin)
// who has lost both the authenticator and the recovery codes (S11, "contact support" in the FAQ).
// The reason is required and kept in the audit event, so every reset outside the admin pages
// can be accounted for later.
import { resetMfa } from '../../mfa/reset.ts';
import { findWorkspaceById } from '../../db/workspaces.ts';
import { describe, type Command, type CommandGroup } from '../command.ts';
import { auditedChange } from '../audit.ts';
import { withDatabase } from '../session.ts';
import { emailOption, reasonOption, userByEmail } from '../user-target.ts';

const NAME = 'mfa reset';

const reset: Command = {
  name: NAME,
  summary: "remove a user's authenticator apps, passkeys and recovery codes and end their sessions (needs a reason)",
  help: `mfa reset --email EMAIL --reason REASON

Removes every authenticator app, passkey or security key and recovery code of the user, clears a
second-factor lock, and ends the user's sessions and tokens. The user signs in again with the
password and, where two-step verification is required (always for the admin console), sets up a
new authenticator app or passkey.
The workspace policy is not changed.

  --email EMAIL    the user's sign-in e-mail address
  --reason REASON  why (e.g. a support ticket); kept in the audit log`,
  options: {
    email: { type: 'string' },
    reason: { type: 'string' },
  },
  async run(args) {
    const email = emailOption(args, NAME);
    const reason = reasonOption(args, NAME);
    const done = await withDatabase(async ({ db }) => {
      // The operator's reason stays in the refusal's audit row too, beside the refusal's own.
      const user = await userByEmail(db, email, 'mfa.reset', { requested_reason: reason });
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
            details: { reason, email: user.email, authenticators: result.authenticators, passkeys: result.passkeys, recovery_codes: result.recoveryCodes },
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
        passkeysRemoved: removed.passkeys,
        recoveryCodesRemoved: removed.recoveryCodes,
        sessionsEnded: true,
      },
      text: describe(`Reset two-step verification of ${user.email}`, [
        ['workspace', workspace?.slug ?? '-'],
        ['authenticators removed', String(removed.authenticators)],
        ['passkeys removed', String(removed.passkeys)],
        ['recovery codes removed', String(removed.recoveryCodes)],
        ['sessions', 'ended'],
        ['next sign-in', 'password, then a new authenticator app or passkey where two-step verification is required'],
      ]),
    };
  },
};

export const mfaCommands: CommandGroup = { name: 'mfa', summary: "reset a user's two-step verification", commands: [reset] };
