// Ending one of my own sessions at /account ("I left myself signed in on the library computer"):
// that browser's SSO session, its grants and tokens end, and the apps it signed in to are told
// (back-channel logout). No fresh code is asked: ending a session only takes access away, which
// is what a person who fears a stolen session needs to do fast. CSRF still guards the form.
import Router from '@koa/router';
import type { AccountDeps } from './spec.ts';
import { assertCsrf, consoleState } from '../console/session.ts';
import { field, readForm } from '../http/form-body.ts';
import { recordWithChange } from '../audit/record.ts';
import { endOneSession } from '../directory/revocation.ts';
import { ACCOUNT_HOME, changeEvent, tr } from './common.ts';
import { doneHref, showAccountHome } from './home.ts';

export const END_SESSION = `${ACCOUNT_HOME}/sessions/end`;

export function sessionRoutes(deps: AccountDeps): Router {
  const router = new Router();
  router.post(END_SESSION, async (ctx) => {
    const form = await readForm(ctx);
    assertCsrf(ctx, form);
    const { user } = consoleState(ctx);
    const ended = await deps.db.transaction(async (trx) => {
      const result = await endOneSession(trx, user.id, field(form, 'session'), deps.tokenKey);
      if (result.ended) {
        const event = changeEvent(ctx, {
          action: 'session.end',
          outcome: 'success',
          targetType: 'user',
          targetId: user.id,
          details: { logout_notices: result.logoutNotices },
        });
        await recordWithChange(trx, event);
      }
      return result.ended;
    });
    if (!ended) return showAccountHome(deps, ctx, { message: tr(ctx)('account.sessions.gone'), status: 400 });
    ctx.status = 303;
    ctx.redirect(doneHref('session'));
  });
  return router;
}
