// The forms on a user's page. Each: CSRF, the guards of src/admin/access.ts, the change and its
// audit event (one transaction: a process killed in between leaves neither), and a 303 back to
// the page with a notice. A missing confirmation or a bad value shows the page again with a
// message (400); nothing changes.
import type { Context } from 'koa';
import type Router from '@koa/router';
import type { AdminDeps } from '../spec.ts';
import type { UserRow } from '../../db/users.ts';
import { readForm, field } from '../../http/form-body.ts';
import { consoleState } from '../../console/session.ts';
import { recordWithChange, requestOrigin } from '../../audit/record.ts';
import type { AuditEvent } from '../../db/audit-events.ts';
import { pickLang, translator } from '../../i18n/index.ts';
import type { MessageKey } from '../../i18n/en.ts';
import { resetMfa } from '../../mfa/reset.ts';
import { clearUserLocks } from '../../mfa/user-locks.ts';
import { changeRole, deleteUser, disableUser, enableUser, InvalidUserInput } from '../../directory/user-admin.ts';
import { liftMfaRequirement, REASON_MAX, reasonProblem, requireMfaOf } from '../../mfa/admin-requirement.ts';
import { endOneSession } from '../../directory/revocation.ts';
import { AUDIT_ACTION, checkCsrf, guarded, targetFor, type UserAction } from '../access.ts';
import { renderUserPage } from './pages.ts';

type Change = {
  path: string;
  action: UserAction;
  /** The checkbox a destructive change needs, and the message when it is missing. */
  confirm?: MessageKey;
  done: string;
  run: (deps: AdminDeps, target: UserRow, form: URLSearchParams) => Promise<Record<string, unknown>>;
};

const CHANGES: Change[] = [
  {
    path: 'reset-mfa',
    action: 'reset',
    confirm: 'admin.users.reset.confirmMissing',
    done: 'reset',
    run: async (deps, target) => ({ ...(await resetMfa(deps.db, target.id)) }),
  },
  {
    path: 'require-mfa',
    action: 'require_mfa',
    done: 'mfa_required',
    run: async (deps, target, form) => {
      const reason = field(form, 'reason').trim();
      const problem = reasonProblem(reason);
      if (problem)
        throw new InvalidUserInput(problem === 'missing' ? 'admin.users.requireMfa.reasonMissing' : 'admin.users.requireMfa.reasonTooLong', {
          max: String(REASON_MAX),
        });
      return { reason, ...(await requireMfaOf(deps.db, target, deps.clock.now())) };
    },
  },
  {
    path: 'lift-mfa-requirement',
    action: 'lift_mfa',
    done: 'mfa_lifted',
    run: async (deps, target) => liftMfaRequirement(deps.db, target, deps.clock.now()),
  },
  {
    path: 'clear-lock',
    action: 'clear_lock',
    done: 'lock',
    run: async (deps, target) => ({ cleared: await clearUserLocks(deps.db, target) }),
  },
  {
    path: 'role',
    action: 'role',
    done: 'role',
    run: async (deps, target, form) => changeRole(deps.db, target, field(form, 'role'), deps.clock.now()),
  },
  {
    path: 'disable',
    action: 'disable',
    confirm: 'admin.users.disable.confirmMissing',
    done: 'disabled',
    run: async (deps, target) => disableUser(deps.db, target, deps.clock.now()),
  },
  {
    path: 'enable',
    action: 'enable',
    done: 'enabled',
    run: async (deps, target) => {
      await enableUser(deps.db, target, deps.clock.now());
      return {};
    },
  },
  {
    path: 'delete',
    action: 'delete',
    confirm: 'admin.users.delete.confirmMissing',
    done: 'deleted',
    run: async (deps, target) => {
      await deleteUser(deps.db, target);
      return { email: target.email, name: target.name, role: target.role };
    },
  },
  {
    // One session (one browser) ends, with its grants and tokens; the apps it signed in to are told.
    path: 'end-session',
    action: 'end_session',
    done: 'session',
    run: async (deps, target, form) => {
      const { ended, logoutNotices } = await endOneSession(deps.db, target.id, field(form, 'session'), deps.tokenKey);
      if (!ended) throw new InvalidUserInput('admin.users.session.gone');
      return { logout_notices: logoutNotices };
    },
  },
];

function successEvent(ctx: Context, action: UserAction, target: UserRow, details: Record<string, unknown>): AuditEvent {
  const { user: actor } = consoleState(ctx);
  return {
    action: AUDIT_ACTION[action],
    outcome: 'success',
    workspaceId: actor.workspace_id,
    actorType: 'user',
    actorId: actor.id,
    actorLabel: actor.email,
    targetType: 'user',
    targetId: target.id,
    details: { email: target.email, ...details },
    ...requestOrigin(ctx),
  };
}

/** The change and its event in one transaction; the services' own transactions nest as savepoints. */
function auditedRun(deps: AdminDeps, ctx: Context, change: Change, target: UserRow, form: URLSearchParams): Promise<Record<string, unknown>> {
  return deps.db.transaction(async (trx) => {
    const details = await change.run({ ...deps, db: trx }, target, form);
    await recordWithChange(trx, successEvent(ctx, change.action, target, details));
    return details;
  });
}

export function mountUserActions(router: Router, deps: AdminDeps): void {
  for (const change of CHANGES) {
    router.post(`/admin/users/:id/${change.path}`, async (ctx) => {
      const form = await readForm(ctx);
      await checkCsrf(deps.db, ctx, form, change.action);
      const target = await targetFor(deps.db, ctx, ctx.params.id!, change.action);
      const t = translator(pickLang(ctx));
      if (change.confirm && field(form, 'confirm') !== 'yes') {
        return renderUserPage(deps, ctx, target, { error: t(change.confirm) }, 400);
      }
      try {
        await guarded(deps.db, ctx, change.action, target.id, () => auditedRun(deps, ctx, change, target, form));
      } catch (err) {
        if (err instanceof InvalidUserInput) return renderUserPage(deps, ctx, target, { error: t(err.key, err.vars) }, 400);
        throw err;
      }
      ctx.status = 303;
      ctx.redirect(change.action === 'delete' ? '/admin/users?done=deleted' : `/admin/users/${target.id}?done=${change.done}`);
    });
  }
}
