// The stylesheet and the one script of Tobira's pages, served from our own origin (no CDN, strict
// CSP). Also while a node starts or stops, so even its "one moment" page is styled.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Context } from 'koa';
import { viewsDirectory } from './render.ts';

const FILES: Record<string, string> = { '/static/tobira.css': 'text/css', '/static/copy.js': 'text/javascript' };

/** Answers a request for one of the static files; false when the path is not one of them. */
export async function serveStaticFile(ctx: Context): Promise<boolean> {
  const type = FILES[ctx.path];
  if (!type || (ctx.method !== 'GET' && ctx.method !== 'HEAD')) return false;
  ctx.type = type;
  ctx.set('Cache-Control', 'public, max-age=3600');
  ctx.body = await readFile(join(viewsDirectory, 'static', ctx.path.slice('/static/'.length)));
  return true;
}
