// oidc-provider turns every unexpected error into `server_error` (500) in its own error handler,
// before our Koa app sees anything. A database that went away is not a server error: a client
// should retry. This middleware runs around the provider's routes and, when the error behind a
// `server_error` was the database (src/db/unavailable.ts), answers 503 `temporarily_unavailable`
// with Retry-After instead. HTML answers are rendered by renderError (src/oidc/provider.ts).
import type Provider from 'oidc-provider';
import type { Context } from 'koa';
import { isDatabaseUnavailable } from '../db/unavailable.ts';
import { answerUnavailable } from '../http/unavailable.ts';
import { log } from '../log.ts';

export function answerDatabaseOutagesWith503(provider: Provider): void {
  const outages = new WeakSet<object>();
  const outage = (ctx: Context, err: unknown) => {
    outages.add(ctx);
    log.warn('database unavailable', { path: ctx.path, err });
  };
  provider.on('server_error', (ctx: Context, err: unknown) => {
    if (isDatabaseUnavailable(err)) outage(ctx, err);
  });
  provider.use(async (ctx, next) => {
    try {
      await next();
    } catch (err) {
      // Raised outside a route's error handler (the provider's own set-up of the request).
      if (!isDatabaseUnavailable(err)) throw err;
      outage(ctx as unknown as Context, err);
    }
    if (!outages.has(ctx)) return;
    const page = ctx.status === 503 && ctx.response.is('html');
    if (!page) await answerUnavailable(ctx as unknown as Context, ctx.accepts('json', 'html') === 'html' ? 'html' : 'json');
  });
}
