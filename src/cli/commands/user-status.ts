// tobira user disable | enable — the admin page's buttons from the command line: the same service
// functions (src/directory/user-admin.ts), so the effect and the audit event are the same, with the
// operator as actor and the reason added. Disabling ends the user's sessions and tokens; the last
// active workspace admin of a workspace cannot be disabled, here either.
import { systemClock } from '../../clock.ts';
import type { Db } from '../../db/connection.ts';
import type { UserRow } from '../../db/users.ts';
import { findWorkspaceById } from '../../db/workspaces.ts';
import { disableUser, enableUser, Refused } from '../../directory/user-admin.ts';
import { describe, UsageError, type Command, type CommandResult, type ParsedArgs } from '../command.ts';
import { auditedChange, auditRefusal } from '../audit.ts';
import { withDatabase } from '../session.ts';
import { emailOption, reasonOption, userByEmail } from '../user-target.ts';

type Change = { action: 'user.disable' | 'user.enable'; status: 'disabled' | 'active'; run: (trx: Db, user: UserRow) => Promise<Record<string, unknown>> };

const DISABLE: Change = { action: 'user.disable', status: 'disabled', run: (trx, user) => disableUser(trx, user, systemClock.now()) };
const ENABLE: Change = {
  action: 'user.enable',
  status: 'active',
  run: async (trx, user) => {
    await enableUser(trx, user, systemClock.now());
    return {};
  },
};

async function changeStatus(name: string, change: Change, args: ParsedArgs): Promise<CommandResult> {
  const email = emailOption(args, name);
  const reason = reasonOption(args, name);
  const { user, workspace } = await withDatabase(async ({ db }) => {
    const user = await userByEmail(db, email, change.action, { requested_reason: reason });
    const event = { action: change.action, workspaceId: user.workspace_id, targetType: 'user', targetId: user.id };
    try {
      await auditedChange(db, async (trx) => ({
        result: undefined,
        event: { ...event, details: { email: user.email, reason, ...(await change.run(trx, user)) } },
      }));
    } catch (err) {
      if (!(err instanceof Refused)) throw err;
      await auditRefusal(db, { ...event, details: { email: user.email, requested_reason: reason } }, err.reason);
      throw new UsageError(
        err.reason === 'last_workspace_admin'
          ? `${user.email} is the last active workspace admin of their workspace; make another user a workspace admin first`
          : `${user.email} cannot be changed: ${err.reason}`,
      );
    }
    return { user, workspace: await findWorkspaceById(db, user.workspace_id) };
  });
  const disabled = change.status === 'disabled';
  return {
    json: {
      userId: user.id,
      email: user.email,
      workspace: workspace?.slug ?? null,
      status: change.status,
      previousStatus: user.status,
      sessionsEnded: disabled,
    },
    text: describe(`${disabled ? 'Disabled' : 'Enabled'} ${user.email}`, [
      ['workspace', workspace?.slug ?? '-'],
      ['status', `${change.status}${user.status === change.status ? ' (it already was)' : ''}`],
      ...(disabled ? ([['sessions', 'ended']] as [string, string][]) : []),
    ]),
  };
}

const OPTIONS = { email: { type: 'string' }, reason: { type: 'string' } } as const;

export const disable: Command = {
  name: 'user disable',
  summary: 'disable a user and end their sessions (needs a reason)',
  help: `user disable --email EMAIL --reason REASON

Disables the user, as the Disable button on the user's page in /admin does: the user cannot sign
in, and their sessions, grants and refresh tokens end at once. The last active workspace admin of
a workspace cannot be disabled. Undo with tobira user enable.

  --email EMAIL    the user's sign-in e-mail address
  --reason REASON  why (e.g. a support ticket); kept in the audit log`,
  options: OPTIONS,
  run: (args) => changeStatus('user disable', DISABLE, args),
};

export const enable: Command = {
  name: 'user enable',
  summary: 'enable a disabled user again (needs a reason)',
  help: `user enable --email EMAIL --reason REASON

Enables the user again, as the Enable button on the user's page in /admin does: the user signs in
as before (their authenticator apps and recovery codes were kept).

  --email EMAIL    the user's sign-in e-mail address
  --reason REASON  why (e.g. a support ticket); kept in the audit log`,
  options: OPTIONS,
  run: (args) => changeStatus('user enable', ENABLE, args),
};
