// The admin console's users pages: list, create, a user's page and its actions. Every route runs
// behind the console guard (src/console/mount.ts) and checks workspace and role again itself
// (src/admin/access.ts).
import Router from '@koa/router';
import type { AdminDeps } from './spec.ts';
import { mountUserList } from './users/list-routes.ts';
import { mountUserPages } from './users/pages.ts';
import { mountCreateUser } from './users/create.ts';
import { mountUserActions } from './users/actions.ts';

export function userRoutes(deps: AdminDeps): Router {
  const router = new Router();
  mountUserList(router, deps);
  mountUserPages(router, deps);
  mountCreateUser(router, deps);
  mountUserActions(router, deps);
  return router;
}
