// Mounts a console: its sign-in routes, a public signed-out page, and a guard that demands a
// console session for every other path under the console's prefix before its pages run. The
// input boundary checks a console path's segments and query after the guard, so a refusal is
// audited against the signed-in user (src/http/input-boundary.ts).
import type Koa from 'koa';
import type { Context, Next } from 'koa';
import Router from '@koa/router';
import { consoleAuthRoutes, requireConsole, type ConsoleDeps, type ConsoleSpec } from './session.ts';
import { renderPage } from '../http/render.ts';
import { assertCleanTarget } from '../http/input-boundary.ts';
import { pickLang, translator } from '../i18n/index.ts';

const PUBLIC = ['/login', '/callback', '/signed-out', '/logout'];

export function insideConsole(spec: Pick<ConsoleSpec, 'basePath'>, path: string): boolean {
  return path === spec.basePath || path.startsWith(`${spec.basePath}/`);
}

export function mountConsole(app: Koa, deps: ConsoleDeps, spec: ConsoleSpec, pages: Router[]): void {
  const auth = consoleAuthRoutes(deps, spec);
  const signedOut = new Router();
  signedOut.get(`${spec.basePath}/signed-out`, async (ctx) => {
    const t = translator(pickLang(ctx));
    await renderPage(ctx, 'console/signed-out', { title: t('console.signedOut.title'), signInHref: `${spec.basePath}/login` });
  });
  const guard = requireConsole(deps, spec);
  app.use(async (ctx: Context, next: Next) => {
    if (!insideConsole(spec, ctx.path)) return next();
    if (PUBLIC.includes(ctx.path.slice(spec.basePath.length))) {
      assertCleanTarget(ctx);
      return next();
    }
    return guard(ctx, async () => {
      assertCleanTarget(ctx);
      await next();
    });
  });
  app.use(auth.routes());
  app.use(signedOut.routes());
  for (const router of pages) app.use(router.routes()).use(router.allowedMethods());
}
