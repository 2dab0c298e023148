// Placeholder: replaced by the full audit pages.
import Router from '@koa/router';
import type { AdminDeps } from './spec.ts';
import { consoleState } from '../console/session.ts';

export function auditRoutes(_deps: AdminDeps): Router {
  const router = new Router();
  router.get('/admin/audit', (ctx) => {
    ctx.body = { page: 'audit', user: consoleState(ctx).user.email };
  });
  return router;
}
