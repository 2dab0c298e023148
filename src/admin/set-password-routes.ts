// The public page behind a one-time set-password link. There is no session: the token in the
// path is the secret that binds the form to the account (a forged cross-site post would need the
// token, and with it the attacker could use the link directly). Unknown, used and expired links
// all get the same 400 page.
import Router from '@koa/router';
import type { Context } from 'koa';
import type { AdminDeps } from './spec.ts';
import { readForm, field } from '../http/form-body.ts';
import { renderPage } from '../http/render.ts';
import { HttpError } from '../http/errors.ts';
import { recordAudit, requestOrigin, selfEvent } from '../audit/record.ts';
import { pickLang, translator } from '../i18n/index.ts';
import { InvalidUserInput, setPasswordWithLink, userOfSetPasswordLink } from '../directory/user-admin.ts';
import { MIN_PASSWORD_LENGTH } from '../crypto/passwords.ts';

const invalid = () => new HttpError(400, 'admin.users.setPassword.invalid', 'set-password link unknown, used or expired');

async function renderForm(ctx: Context, email: string, error?: string, status = 200) {
  const t = translator(pickLang(ctx));
  await renderPage(
    ctx,
    'set-password',
    {
      title: t('admin.users.setPassword.title'),
      email,
      error,
      done: false,
      min: String(MIN_PASSWORD_LENGTH),
      action: `/set-password/${encodeURIComponent(ctx.params.token!)}`,
    },
    status,
  );
}

export function setPasswordRoutes(deps: AdminDeps): Router {
  const router = new Router();
  router.use('/set-password/:token', async (ctx, next) => {
    ctx.set('Cache-Control', 'no-store');
    await next();
  });

  router.get('/set-password/:token', async (ctx) => {
    const user = await userOfSetPasswordLink(deps.db, deps.tokenKey, ctx.params.token!, deps.clock.now());
    if (!user) throw invalid();
    await renderForm(ctx, user.email);
  });

  router.post('/set-password/:token', async (ctx) => {
    const token = ctx.params.token!;
    const form = await readForm(ctx);
    const now = deps.clock.now();
    const owner = await userOfSetPasswordLink(deps.db, deps.tokenKey, token, now);
    if (!owner) throw invalid();
    let user: Awaited<ReturnType<typeof setPasswordWithLink>>;
    try {
      user = await setPasswordWithLink(deps.db, deps.tokenKey, token, field(form, 'password'), field(form, 'confirm'), now);
    } catch (err) {
      if (!(err instanceof InvalidUserInput)) throw err;
      if (err.key === 'admin.users.setPassword.invalid') throw invalid();
      return renderForm(ctx, owner.email, translator(pickLang(ctx))(err.key, err.vars), 400);
    }
    if (!user) throw invalid();
    await recordAudit(deps.db, {
      action: 'user.set_password',
      outcome: 'success',
      ...selfEvent(user),
      details: { via: 'link' },
      ...requestOrigin(ctx),
    });
    const t = translator(pickLang(ctx));
    await renderPage(ctx, 'set-password', { title: t('admin.users.setPassword.doneTitle'), email: user.email, done: true });
  });
  return router;
}
