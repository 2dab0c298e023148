// tobira user sessions — a user's live SSO sessions with the apps signed in through each, e.g. to
// see what `user disable` or `user require-mfa` is about to end. Reading them is audited, as the
// audit log export is: the workspace's admins see that the operator looked.
import { listSessions, type SessionApp } from '../../directory/sessions.ts';
import { findWorkspaceById } from '../../db/workspaces.ts';
import type { Command } from '../command.ts';
import { auditCompleted } from '../audit.ts';
import { withDatabase } from '../session.ts';
import { emailOption, userByEmail } from '../user-target.ts';

const NAME = 'user sessions';

const utc = (date: Date | null | undefined): string => (date ? `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC` : '-');
const appName = (app: SessionApp) => (app.name ? `${app.name} (${app.clientId})` : `${app.clientId} (deleted client)`);

export const sessions: Command = {
  name: NAME,
  summary: "list a user's live sessions with their sign-in time, expiry, methods and apps",
  help: `user sessions --email EMAIL

Lists the user's live sessions, newest first: when the user signed in, when the session expires,
how (amr: pwd, otp, hwk, user, mfa), and the apps signed in through it. Times are in UTC.

  --email EMAIL  the user's sign-in e-mail address`,
  options: { email: { type: 'string' } },
  async run(args) {
    const email = emailOption(args, NAME);
    const { user, workspace, list } = await withDatabase(async ({ db }) => {
      const user = await userByEmail(db, email, 'user.sessions_list');
      const list = await listSessions(db, user.id);
      await auditCompleted(db, {
        action: 'user.sessions_list',
        workspaceId: user.workspace_id,
        targetType: 'user',
        targetId: user.id,
        details: { email: user.email, sessions: list.length },
      });
      return { user, workspace: await findWorkspaceById(db, user.workspace_id), list };
    });
    const heading = `${list.length} live session${list.length === 1 ? '' : 's'} of ${user.email} (workspace ${workspace?.slug ?? '-'})`;
    const lines = list.flatMap((s) => [
      `  signed in ${utc(s.signedInAt)}, expires ${utc(s.expiresAt)}, methods ${s.amr.join(', ') || '-'}`,
      `    apps: ${s.apps.map(appName).join(', ') || '(none)'}`,
    ]);
    return {
      json: {
        userId: user.id,
        email: user.email,
        workspace: workspace?.slug ?? null,
        sessions: list.map((s) => ({
          signedInAt: s.signedInAt?.toISOString() ?? null,
          expiresAt: s.expiresAt?.toISOString() ?? null,
          amr: s.amr,
          acr: s.acr,
          apps: s.apps,
        })),
      },
      text: [heading, ...lines].join('\n'),
    };
  },
};
