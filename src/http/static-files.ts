// The stylesheet and the scripts of Tobira's pages, served from our own origin (no CDN, strict
// CSP). Also while a node starts or stops, so even its "one moment" page is styled.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Context } from 'koa';
import { viewsDirectory } from './render.ts';

const own = (name: string) => join(viewsDirectory, 'static', name);
// @simplewebauthn/browser's self-contained build, as the package ships it (no build step of ours).
const webauthnBrowser = fileURLToPath(new URL('../dist/bundle/index.umd.min.js', import.meta.resolve('@simplewebauthn/browser')));

const FILES: Record<string, { type: string; file: string }> = {
  '/static/tobira.css': { type: 'text/css', file: own('tobira.css') },
  '/static/copy.js': { type: 'text/javascript', file: own('copy.js') },
  '/static/passkey.js': { type: 'text/javascript', file: own('passkey.js') },
  '/static/webauthn-browser.js': { type: 'text/javascript', file: webauthnBrowser },
};

/** Answers a request for one of the static files; false when the path is not one of them. */
export async function serveStaticFile(ctx: Context): Promise<boolean> {
  const found = FILES[ctx.path];
  if (!found || (ctx.method !== 'GET' && ctx.method !== 'HEAD')) return false;
  ctx.type = found.type;
  ctx.set('Cache-Control', 'public, max-age=3600');
  ctx.body = await readFile(found.file);
  return true;
}
