// Creating a user: with an initial password, or with a one-time set-password link shown once on
// the result page (there is no mail server; the admin passes the link on).
import type Router from '@koa/router';
import type { AdminDeps } from '../spec.ts';
import { readForm, field } from '../../http/form-body.ts';
import { consoleState } from '../../console/session.ts';
import { renderConsolePage } from '../../console/render.ts';
import { requestOrigin } from '../../audit/record.ts';
import { pickLang, translator } from '../../i18n/index.ts';
import { createWorkspaceUser, InvalidUserInput, isRole } from '../../directory/user-admin.ts';
import { adminNav } from '../nav.ts';
import { checkCsrf, creationRefusal, refuse } from '../access.ts';
import { renderNewUserPage, type NewUserForm } from './pages.ts';
import { formatTime } from './overview.ts';

export function mountCreateUser(router: Router, deps: AdminDeps): void {
  router.post('/admin/users', async (ctx) => {
    const raw = await readForm(ctx);
    await checkCsrf(deps.db, ctx, raw, 'create');
    const { user: actor, workspace } = consoleState(ctx);
    const t = translator(pickLang(ctx));
    const form: NewUserForm = {
      email: field(raw, 'email').slice(0, 320),
      name: field(raw, 'name').slice(0, 200),
      role: field(raw, 'role'),
      method: field(raw, 'method'),
    };
    // The role list offers only what the actor may give; anything else is a forged request.
    const refusal = isRole(form.role) ? creationRefusal(actor, form.role) : undefined;
    if (refusal) await refuse(deps.db, ctx, 'create', refusal, undefined, { email: form.email, role: form.role });
    let created: Awaited<ReturnType<typeof createWorkspaceUser>>;
    try {
      created = await createWorkspaceUser(
        deps.db,
        deps.tokenKey,
        workspace,
        { ...form, name: field(raw, 'name'), password: field(raw, 'password') },
        deps.clock.now(),
        (user) => ({
          action: 'user.create',
          outcome: 'success',
          workspaceId: workspace.id,
          actorType: 'user',
          actorId: actor.id,
          actorLabel: actor.email,
          targetType: 'user',
          targetId: user.id,
          details: { email: user.email, role: user.role, method: form.method },
          ...requestOrigin(ctx),
        }),
      );
    } catch (err) {
      if (err instanceof InvalidUserInput) return renderNewUserPage(ctx, form, t(err.key, err.vars), 400);
      throw err;
    }
    const { user, link } = created;
    if (!link) {
      ctx.status = 303;
      return ctx.redirect(`/admin/users/${user.id}?done=created`);
    }
    await renderConsolePage(ctx, 'admin/users/created', {
      title: t('admin.users.created.title'),
      nav: adminNav(ctx, 'users'),
      user: { id: user.id, email: user.email },
      link: `${deps.provider.issuer}/set-password/${link.token}`,
      expires: formatTime(link.expiresAt, consoleState(ctx).workspace.time_zone),
    });
  });
}
