// The read-only user's page (the list is in ./list-routes.ts). It shows only the actor's
// workspace; a user's page for any other id is the audited 403 of src/admin/access.ts.
import type { Context } from 'koa';
import type Router from '@koa/router';
import type { AdminDeps } from '../spec.ts';
import type { UserRow } from '../../db/users.ts';
import { consoleState } from '../../console/session.ts';
import { renderConsolePage } from '../../console/render.ts';
import { pickLang, translator } from '../../i18n/index.ts';
import type { MessageKey } from '../../i18n/en.ts';
import { adminNav } from '../nav.ts';
import { assignableRoles, targetFor } from '../access.ts';
import { userDetail } from './overview.ts';

const DONE: Record<string, MessageKey> = {
  reset: 'admin.users.done.reset',
  mfa_required: 'admin.users.done.mfaRequired',
  mfa_lifted: 'admin.users.done.mfaLifted',
  lock: 'admin.users.done.lock',
  role: 'admin.users.done.role',
  disabled: 'admin.users.done.disabled',
  enabled: 'admin.users.done.enabled',
  created: 'admin.users.done.created',
  deleted: 'admin.users.done.deleted',
  session: 'admin.users.done.session',
};

export const doneNotice = (ctx: Context) => {
  const key = typeof ctx.query.done === 'string' ? DONE[ctx.query.done] : undefined;
  return key ? translator(pickLang(ctx))(key) : undefined;
};

export async function renderUserPage(deps: AdminDeps, ctx: Context, target: UserRow, extra: { error?: string } = {}, status = 200): Promise<void> {
  const { user: actor } = consoleState(ctx);
  const model = await userDetail(deps.db, actor, target, deps.clock.now(), translator(pickLang(ctx)), consoleState(ctx).workspace.time_zone);
  await renderConsolePage(
    ctx,
    'admin/users/detail',
    {
      title: model.user.name,
      nav: adminNav(ctx, 'users'),
      ...model,
      roles: assignableRoles(actor),
      notice: doneNotice(ctx),
      error: extra.error,
    },
    status,
  );
}

export type NewUserForm = { email: string; name: string; role: string; method: string };

export async function renderNewUserPage(ctx: Context, form: NewUserForm, error?: string, status = 200): Promise<void> {
  const t = translator(pickLang(ctx));
  await renderConsolePage(
    ctx,
    'admin/users/new',
    {
      title: t('admin.users.new.title'),
      nav: adminNav(ctx, 'users'),
      form,
      error,
      roles: assignableRoles(consoleState(ctx).user),
    },
    status,
  );
}

export function mountUserPages(router: Router, deps: AdminDeps): void {
  router.get('/admin/users/new', async (ctx) => {
    await renderNewUserPage(ctx, { email: '', name: '', role: 'member', method: 'link' });
  });

  router.get('/admin/users/:id', async (ctx) => {
    const target = await targetFor(deps.db, ctx, ctx.params.id!, 'view');
    await renderUserPage(deps, ctx, target);
  });
}
