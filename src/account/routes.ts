// Placeholder: replaced by the full account pages.
import Router from '@koa/router';
import type { AccountDeps } from './spec.ts';
import { consoleState } from '../console/session.ts';

export function accountPages(_deps: AccountDeps): Router[] {
  const router = new Router();
  router.get('/account', (ctx) => {
    ctx.body = { page: 'account', user: consoleState(ctx).user.email };
  });
  return [router];
}
