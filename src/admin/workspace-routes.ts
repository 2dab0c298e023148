// Placeholder: replaced by the full workspace pages.
import Router from '@koa/router';
import type { AdminDeps } from './spec.ts';
import { consoleState } from '../console/session.ts';

export function workspaceRoutes(_deps: AdminDeps): Router {
  const router = new Router();
  router.get('/admin/workspace', (ctx) => {
    ctx.body = { page: 'workspace', user: consoleState(ctx).user.email };
  });
  return router;
}
