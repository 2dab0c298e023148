// The admin console's pages. Every path under /admin (except sign-in) passes the console guard
// in src/console/mount.ts first; each page module checks role and workspace again for its action.
import Router from '@koa/router';
import type { AdminDeps } from './spec.ts';
import { userRoutes } from './users-routes.ts';
import { workspaceRoutes } from './workspace-routes.ts';
import { workspaceContactRoutes } from './workspace-contact-routes.ts';
import { workspaceTimeZoneRoutes } from './workspace-time-zone-routes.ts';
import { auditRoutes } from './audit-routes.ts';
import { setPasswordRoutes } from './set-password-routes.ts';

export function adminPages(deps: AdminDeps): Router[] {
  const home = new Router();
  home.get('/admin', (ctx) => ctx.redirect('/admin/users'));
  // The set-password page is public (outside /admin): the guard only covers the console's prefix.
  return [
    home,
    userRoutes(deps),
    workspaceRoutes(deps),
    workspaceContactRoutes(deps),
    workspaceTimeZoneRoutes(deps),
    auditRoutes(deps),
    setPasswordRoutes(deps),
  ];
}
