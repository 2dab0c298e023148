// Renders an ejs view inside the shared layout, in the request's language. Works with any Koa
// context, including oidc-provider's own (error and logout pages).
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import ejs from 'ejs';
import type { Context } from 'koa';
import { pickLang, translator, type Lang, type Translate } from '../i18n/index.ts';

export const viewsDirectory = fileURLToPath(new URL('../../views', import.meta.url));

const CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; base-uri 'none'; object-src 'none'; frame-ancestors 'none'";

export type PageModel = Record<string, unknown> & { title: string };

export type ViewLocals = PageModel & { t: Translate; lang: Lang; langSwitchHref: string };

function langSwitchHref(ctx: Context, lang: Lang): string {
  const other: Lang = lang === 'ja' ? 'en' : 'ja';
  return `/lang/${other}?back=${encodeURIComponent(ctx.originalUrl || ctx.url)}`;
}

// Compiled templates are kept (ejs caches them by file name) except in development, where an
// edited view should show at the next request.
let cache = true;

export function cacheCompiledViews(enabled: boolean): void {
  cache = enabled;
  if (!enabled) ejs.clearCache();
}

export async function renderPage(ctx: Context, view: string, model: PageModel, status = 200): Promise<void> {
  const lang = pickLang(ctx);
  const locals: ViewLocals = { ...model, t: translator(lang), lang, langSwitchHref: langSwitchHref(ctx, lang) };
  const body = await ejs.renderFile(join(viewsDirectory, `${view}.ejs`), locals, { async: true, cache });
  ctx.status = status;
  ctx.type = 'html';
  ctx.set('Content-Language', lang);
  // No inline script anywhere. form-action is left out on purpose: Chromium applies it to the
  // redirect that follows a sign-in form, which must be allowed to reach any registered RP.
  ctx.set('Content-Security-Policy', CSP);
  ctx.body = await ejs.renderFile(join(viewsDirectory, 'layout.ejs'), { ...locals, body }, { async: true, cache });
}
