// tobira user require-mfa — rule 6 from the command line: the same change as the admin's button on
// the user's page (src/mfa/admin-requirement.ts), with the operator as actor and the reason in the
// audit event. The user's sessions end; the next sign-in enrols them, whatever the workspace policy.
import { systemClock } from '../../clock.ts';
import { findWorkspaceById } from '../../db/workspaces.ts';
import { requireMfaOf } from '../../mfa/admin-requirement.ts';
import { describe, type Command } from '../command.ts';
import { auditedChange } from '../audit.ts';
import { withDatabase } from '../session.ts';
import { emailOption, reasonOption, userByEmail } from '../user-target.ts';

const NAME = 'user require-mfa';

export const requireMfa: Command = {
  name: NAME,
  summary: 'require two-step verification of one user from the next sign-in on, and end their sessions (needs a reason)',
  help: `user require-mfa --email EMAIL --reason REASON

Requires two-step verification of this user whatever the workspace policy, and ends the user's
sessions and tokens. At the next sign-in the user enters the password and then sets up an
authenticator app (or enters a code from the one they have). The requirement stays, and the user
cannot turn two-step verification off, until an admin lifts it on the user's page in /admin.

  --email EMAIL    the user's sign-in e-mail address
  --reason REASON  why (e.g. a support ticket); kept in the audit log`,
  options: {
    email: { type: 'string' },
    reason: { type: 'string' },
  },
  async run(args) {
    const email = emailOption(args, NAME);
    const reason = reasonOption(args, NAME);
    const { user, workspace, result } = await withDatabase(async ({ db }) => {
      const user = await userByEmail(db, email, 'mfa.require', { requested_reason: reason });
      const result = await auditedChange(db, async (trx) => {
        const done = await requireMfaOf(trx, user, systemClock.now());
        return {
          result: done,
          event: {
            action: 'mfa.require',
            workspaceId: user.workspace_id,
            targetType: 'user',
            targetId: user.id,
            details: { email: user.email, reason, ...done },
          },
        };
      });
      return { user, workspace: await findWorkspaceById(db, user.workspace_id), result };
    });
    return {
      json: { userId: user.id, email: user.email, workspace: workspace?.slug ?? null, alreadyRequired: result.alreadyRequired, sessionsEnded: true },
      text: describe(`Two-step verification is now required of ${user.email}`, [
        ['workspace', workspace?.slug ?? '-'],
        ['before', result.alreadyRequired ? 'already required' : 'not required'],
        ['sessions', 'ended'],
        ['next sign-in', 'password, then a new authenticator app (or a code from the one the user has)'],
        ['lifted by', "an admin of the workspace, on the user's page in /admin"],
      ]),
    };
  },
};
