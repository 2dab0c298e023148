// Who may do what to whom in the admin console (S12). Checked on the server for every request;
// the pages only hide what these rules would refuse anyway. Every refusal is a 403 and an audit
// event with the reason.
//
// - The target must be in the actor's workspace. An id from another workspace and an id that
//   does not exist get the same answer, so the console cannot be used to probe other workspaces.
// - Only workspace admins change roles or create workspace admins.
// - A user admin cannot act on a workspace admin at all (reset, require MFA or lift it, lock,
//   role, disable, enable, delete). Clearing a lock is included: it would let a user admin keep guessing a workspace
//   admin's codes, which is the escalation the lock exists to stop.
// - Nobody resets, requires or lifts a requirement of their own MFA here (that is /account,
//   behind a fresh TOTP; an admin who could lift their own requirement would make it pointless),
//   nor changes their own role, disables or deletes themselves.
// - The last active workspace admin cannot be demoted, disabled or deleted; that is checked inside
//   the change's transaction (src/directory/user-admin.ts throws `Refused`; `guarded` audits it),
//   so two admins demoting each other at once cannot both succeed.
import type { Context } from 'koa';
import type { Db } from '../db/connection.ts';
import { findUserById, type Role, type UserRow } from '../db/users.ts';
import { HttpError } from '../http/errors.ts';
import { isUuid } from '../http/input-boundary.ts';
import { recordAudit, requestOrigin } from '../audit/record.ts';
import { assertCsrf, consoleState } from '../console/session.ts';
import type { MessageKey } from '../i18n/en.ts';
import { Refused } from '../directory/user-admin.ts';

export type UserAction = 'view' | 'reset' | 'require_mfa' | 'lift_mfa' | 'clear_lock' | 'role' | 'disable' | 'enable' | 'delete' | 'create' | 'end_session';

export const AUDIT_ACTION: Record<UserAction, string> = {
  view: 'user.view',
  reset: 'mfa.reset',
  require_mfa: 'mfa.require',
  lift_mfa: 'mfa.require_lift',
  clear_lock: 'lock.clear',
  role: 'user.role_change',
  disable: 'user.disable',
  enable: 'user.enable',
  delete: 'user.delete',
  create: 'user.create',
  end_session: 'session.end',
};

export type RefusalReason =
  | 'not_in_workspace'
  | 'own_mfa'
  | 'self'
  | 'workspace_admin_target'
  | 'role_needs_workspace_admin'
  | 'create_workspace_admin'
  | 'last_workspace_admin'
  | 'csrf';

const SELF_REFUSED: readonly UserAction[] = ['role', 'disable', 'delete'];
const OWN_MFA: readonly UserAction[] = ['reset', 'require_mfa', 'lift_mfa'];

/** The rules that depend only on who acts on whom; undefined when the action is allowed. */
export function refusalFor(actor: UserRow, target: UserRow, action: UserAction): RefusalReason | undefined {
  if (target.workspace_id !== actor.workspace_id) return 'not_in_workspace';
  if (action === 'view') return undefined;
  if (OWN_MFA.includes(action) && target.id === actor.id) return 'own_mfa';
  if (SELF_REFUSED.includes(action) && target.id === actor.id) return 'self';
  if (action === 'role' && actor.role !== 'workspace_admin') return 'role_needs_workspace_admin';
  if (target.role === 'workspace_admin' && actor.role !== 'workspace_admin') return 'workspace_admin_target';
  return undefined;
}

/** The roles `actor` may give to a new user. */
export function assignableRoles(actor: UserRow): Role[] {
  return actor.role === 'workspace_admin' ? ['member', 'user_admin', 'workspace_admin'] : ['member', 'user_admin'];
}

export function creationRefusal(actor: UserRow, role: Role): RefusalReason | undefined {
  return assignableRoles(actor).includes(role) ? undefined : 'create_workspace_admin';
}

const MESSAGE: Record<RefusalReason, MessageKey> = {
  not_in_workspace: 'admin.users.refused.not_in_workspace',
  own_mfa: 'admin.users.refused.own_mfa',
  self: 'admin.users.refused.self',
  workspace_admin_target: 'admin.users.refused.workspace_admin_target',
  role_needs_workspace_admin: 'admin.users.refused.role_needs_workspace_admin',
  create_workspace_admin: 'admin.users.refused.create_workspace_admin',
  last_workspace_admin: 'admin.users.refused.last_workspace_admin',
  csrf: 'console.csrf',
};

/** Records the refusal and ends the request with a 403 page. */
export async function refuse(
  db: Db,
  ctx: Context,
  action: UserAction,
  reason: RefusalReason,
  targetId?: string,
  details: Record<string, unknown> = {},
): Promise<never> {
  const { user: actor } = consoleState(ctx);
  await recordAudit(db, {
    action: AUDIT_ACTION[action],
    outcome: 'refused',
    workspaceId: actor.workspace_id,
    actorType: 'user',
    actorId: actor.id,
    actorLabel: actor.email,
    targetType: 'user',
    targetId: targetId ?? null,
    details: { reason, ...details },
    ...requestOrigin(ctx),
  });
  throw new HttpError(403, MESSAGE[reason], `admin ${action} refused: ${reason}`);
}

/**
 * The user named in the URL, if the actor may do `action` to them. A malformed, unknown or
 * foreign id is refused the same way. The audit row's target is set only for a user of this
 * workspace; otherwise the id as typed goes into the details, naming nothing the actor did not send.
 */
export async function targetFor(db: Db, ctx: Context, id: string, action: UserAction): Promise<UserRow> {
  const { user: actor } = consoleState(ctx);
  const target = isUuid(id) ? await findUserById(db, id) : undefined;
  if (!target || target.workspace_id !== actor.workspace_id) {
    return refuse(db, ctx, action, 'not_in_workspace', undefined, { requested_id: id.slice(0, 64) });
  }
  const reason = refusalFor(actor, target, action);
  if (reason) return refuse(db, ctx, action, reason, target.id);
  return target;
}

/** The CSRF check of every admin form, audited like any other refusal. */
export async function checkCsrf(db: Db, ctx: Context, form: URLSearchParams, action: UserAction): Promise<void> {
  try {
    assertCsrf(ctx, form);
  } catch (err) {
    if (err instanceof HttpError && err.status === 403) await refuse(db, ctx, action, 'csrf');
    throw err;
  }
}

/** Runs a change; a `Refused` from inside its transaction becomes an audited 403. */
export async function guarded<T>(db: Db, ctx: Context, action: UserAction, targetId: string, change: () => Promise<T>): Promise<T> {
  try {
    return await change();
  } catch (err) {
    if (err instanceof Refused) return refuse(db, ctx, action, err.reason, targetId);
    throw err;
  }
}
