// Builds the Koa app: oidc-provider for its own paths (src/oidc/provider.ts ROUTES), our pages,
// health checks and consoles for the rest. Both share the cookie keys derived from the instance secret.
import { serveStaticFile } from './http/static-files.ts';
import Koa, { type Context, type Next } from 'koa';
import Router from '@koa/router';
import type Provider from 'oidc-provider';
import type { Db } from './db/connection.ts';
import { createProvider, isProviderPath, type ProviderOptions } from './oidc/provider.ts';
import { interactionRoutes } from './interactions/routes.ts';
import { cacheCompiledViews, renderPage } from './http/render.ts';
import { requestScope } from './http/request-scope.ts';
import { HttpError } from './http/errors.ts';
import { inputBoundary, loggablePath } from './http/input-boundary.ts';
import { checkProviderInput } from './oidc/input-guard.ts';
import { isLang, LANG_COOKIE, pickLang, translator } from './i18n/index.ts';
import { log } from './log.ts';
import { isDatabaseUnavailable } from './db/unavailable.ts';
import { answerUnavailable } from './http/unavailable.ts';
import { timingSafeEqual } from 'node:crypto';
import { cookieSigner } from './crypto/cookie-signer.ts';

function constantEquals(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
import { httpDuration, registry, routeGroup } from './metrics.ts';
import type { Clock } from './clock.ts';
import { insideConsole, mountConsole } from './console/mount.ts';
import { ADMIN_SPEC } from './admin/spec.ts';
import { adminPages } from './admin/routes.ts';
import { ACCOUNT_SPEC } from './account/spec.ts';
import { accountPages } from './account/routes.ts';

export type AppOptions = ProviderOptions & { clock: Clock; cacheViews?: boolean };

export type App = { app: Koa; provider: Provider };

async function securityHeaders(ctx: Context, next: Next): Promise<void> {
  ctx.set('X-Content-Type-Options', 'nosniff');
  ctx.set('Referrer-Policy', 'no-referrer');
  ctx.set('X-Frame-Options', 'DENY');
  if (ctx.secure) ctx.set('Strict-Transport-Security', 'max-age=31536000');
  await next();
}

// One line per request: method, path (secrets in paths masked; query strings, which carry codes
// and tokens, never logged), status and duration.
async function requestLog(ctx: Context, next: Next): Promise<void> {
  const started = performance.now();
  try {
    await next();
  } finally {
    const path = loggablePath(ctx.path);
    const status = ctx.respond === false ? ctx.res.statusCode : ctx.status;
    const ms = performance.now() - started;
    httpDuration.observe({ method: ctx.method, route: routeGroup(ctx.path), status: `${Math.floor(status / 100)}xx` }, ms / 1000);
    log.info('request', { method: ctx.method, path, status, ms: Math.round(ms) });
  }
}

async function errorPages(ctx: Context, next: Next): Promise<void> {
  try {
    await next();
    if (ctx.status === 404 && ctx.body === undefined && ctx.respond !== false) {
      throw new HttpError(404, 'error.notFound');
    }
  } catch (err) {
    // The provider's endpoints answer its way: JSON unless a browser asks for a page, with an
    // OAuth error code (src/oidc/input-guard.ts raises the boundary's refusals there).
    const provider = isProviderPath(ctx.path);
    const json = provider ? ctx.accepts('json', 'html') !== 'html' : ctx.accepts('html', 'json') === 'json';
    if (isDatabaseUnavailable(err)) {
      log.warn('database unavailable', { path: ctx.path, err });
      return answerUnavailable(ctx, json ? 'json' : 'html');
    }
    const status = err instanceof HttpError ? err.status : 500;
    if (status >= 500) log.error('request failed', { path: ctx.path, err });
    else log.debug('request refused', { path: ctx.path, status, reason: (err as Error).message });
    const t = translator(pickLang(ctx));
    const key = err instanceof HttpError ? err.messageKey : 'error.server';
    const code = status >= 500 ? 'server_error' : 'invalid_request';
    if (provider) ctx.set('Cache-Control', 'no-store');
    if (json) {
      ctx.status = status;
      ctx.body = { error: code, error_description: t(key) };
      return;
    }
    await renderPage(ctx, 'error', { title: t('error.title'), message: t(key), ...(provider ? { code } : {}) }, status);
  }
}

const READY_TIMEOUT_MS = 2_000;

function pageRoutes(db: Db, metricsToken: string | undefined, metricsOnMainPort: boolean): Router {
  const router = new Router();
  router.get('/', async (ctx) => {
    await renderPage(ctx, 'home', { title: translator(pickLang(ctx))('home.title') });
  });
  router.get('/static/:file', async (ctx, next) => {
    if (!(await serveStaticFile(ctx))) await next();
  });
  router.get('/lang/:lang', async (ctx) => {
    const lang = ctx.params.lang;
    if (!isLang(lang)) throw new HttpError(404, 'error.notFound');
    ctx.cookies.set(LANG_COOKIE, lang, { httpOnly: true, sameSite: 'lax', maxAge: 365 * 24 * 3600 * 1000, signed: false });
    const back = typeof ctx.query.back === 'string' ? ctx.query.back : '/';
    // Only local paths: an open redirect on an identity provider is a phishing tool.
    ctx.redirect(back.startsWith('/') && !back.startsWith('//') && !back.startsWith('/\\') ? back : '/');
  });
  router.get('/metrics', async (ctx) => {
    if (!metricsOnMainPort) throw new HttpError(404, 'error.notFound');
    if (metricsToken && !constantEquals(ctx.get('authorization'), `Bearer ${metricsToken}`)) {
      ctx.status = 401;
      ctx.body = { error: 'unauthorized', error_description: 'send Authorization: Bearer <METRICS_TOKEN>' };
      return;
    }
    ctx.type = registry.contentType;
    ctx.body = await registry.metrics();
  });
  router.get('/healthz', (ctx) => {
    ctx.body = { status: 'ok' };
  });
  router.get('/readyz', async (ctx) => {
    try {
      // Bounded even when the pool is full of requests waiting on a database that went away.
      await db.raw('select 1').timeout(READY_TIMEOUT_MS);
      ctx.body = { status: 'ready' };
    } catch {
      ctx.status = 503;
      ctx.body = { status: 'database unavailable' };
    }
  });
  return router;
}

export function buildApp(options: AppOptions): App {
  cacheCompiledViews(options.cacheViews !== false);
  const provider = createProvider(options);
  const app = new Koa({ proxy: options.trustProxy });
  app.keys = cookieSigner(options.cookieKeys);
  app.silent = true;
  app.use(requestScope);
  app.use(requestLog);
  app.use(securityHeaders);
  app.use(errorPages);
  const consoles = [ADMIN_SPEC, ACCOUNT_SPEC];
  // Provider paths are checked by checkProviderInput below, console paths after the console guard.
  app.use(inputBoundary(options.db, (path) => isProviderPath(path) || consoles.some((spec) => insideConsole(spec, path))));
  // The provider's paths go straight to it: none of our routers serves them, and a token, userinfo
  // or introspection request should not pay for matching every page and console route first.
  const handle = provider.callback();
  app.use(async (ctx, next) => {
    if (!isProviderPath(ctx.path)) return next();
    const req = await checkProviderInput(ctx);
    ctx.respond = false;
    await handle(req, ctx.res);
  });
  const pages = pageRoutes(options.db, options.metricsToken, options.metricsOnMainPort !== false);
  const interactions = interactionRoutes({ provider, db: options.db, dataKey: options.dataKey, clock: options.clock, instanceName: options.instanceName });
  app.use(pages.routes()).use(pages.allowedMethods());
  app.use(interactions.routes()).use(interactions.allowedMethods());
  const consoleDeps = {
    provider,
    db: options.db,
    clock: options.clock,
    dataKey: options.dataKey,
    tokenKey: options.tokenKey,
    instanceName: options.instanceName,
  };
  mountConsole(app, consoleDeps, ADMIN_SPEC, adminPages(consoleDeps));
  mountConsole(app, consoleDeps, ACCOUNT_SPEC, accountPages(consoleDeps));
  return { app, provider };
}
