// The answer while the database is away (src/db/unavailable.ts decides when): 503 with
// Retry-After, as a short translated page for a browser and as an OAuth error for a client
// (`temporarily_unavailable`, RFC 6749 §4.1.2.1), so an RP or a load balancer knows to retry.
import type { Context } from 'koa';
import { renderPage } from './render.ts';
import { pickLang, translator } from '../i18n/index.ts';
import { RETRY_AFTER_SECONDS } from '../db/unavailable.ts';

export async function answerUnavailable(ctx: Context, as: 'json' | 'html'): Promise<void> {
  const t = translator(pickLang(ctx));
  ctx.set('Retry-After', String(RETRY_AFTER_SECONDS));
  ctx.set('Cache-Control', 'no-store');
  if (as === 'json') {
    ctx.status = 503;
    ctx.body = { error: 'temporarily_unavailable', error_description: t('error.unavailable') };
    return;
  }
  await renderPage(ctx, 'unavailable', { title: t('error.unavailable.title') }, 503);
}
