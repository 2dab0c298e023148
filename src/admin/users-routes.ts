// Placeholder: replaced by the full users pages.
import Router from '@koa/router';
import type { AdminDeps } from './spec.ts';
import { consoleState } from '../console/session.ts';

export function userRoutes(_deps: AdminDeps): Router {
  const router = new Router();
  router.get('/admin/users', (ctx) => {
    ctx.body = { page: 'users', user: consoleState(ctx).user.email };
  });
  return router;
}
