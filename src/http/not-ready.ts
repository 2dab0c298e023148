// What a node answers while it cannot serve: during the boot (database, migrations, keys, the
// provider) and while it drains after SIGTERM. Every request gets an immediate 503 with
// Retry-After, so a load balancer moves on and a browser is told to come back, instead of a
// connection that waits on the boot with no answer and no timeout.
import Koa from 'koa';
import { isProviderPath } from '../oidc/provider.ts';
import { renderPage } from './render.ts';
import { serveStaticFile } from './static-files.ts';
import { pickLang, translator } from '../i18n/index.ts';

export type NotReadyPhase = 'starting' | 'stopping';

export const RETRY_AFTER_SECONDS = 5;

export function notReadyApp(phase: NotReadyPhase): Koa {
  const app = new Koa();
  app.silent = true;
  app.use(async (ctx) => {
    // Liveness: the process is up and answering, which is all /healthz has ever promised.
    if (ctx.path === '/healthz') {
      ctx.body = { status: 'ok' };
      return;
    }
    if (await serveStaticFile(ctx)) return;
    ctx.set('Retry-After', String(RETRY_AFTER_SECONDS));
    ctx.set('Cache-Control', 'no-store');
    // A kept-alive connection of a stopping node must not stay pinned to it.
    if (phase === 'stopping') ctx.set('Connection', 'close');
    if (ctx.path === '/readyz') {
      ctx.status = 503;
      ctx.body = { status: phase };
      return;
    }
    const t = translator(pickLang(ctx));
    if (isProviderPath(ctx.path)) {
      // RFC 6749 §4.1.2.1 names this error for a server that cannot handle the request for now.
      ctx.status = 503;
      ctx.body = { error: 'temporarily_unavailable', error_description: t(`lifecycle.${phase}`) };
      return;
    }
    await renderPage(ctx, 'not-ready', { title: t('lifecycle.title'), message: t(`lifecycle.${phase}`) }, 503);
  });
  return app;
}
