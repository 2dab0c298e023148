// Reads an application/x-www-form-urlencoded body with a size cap, through the input boundary:
// the bytes must be UTF-8 (also once percent-decoded) and no name or value may hold a control
// character or a lone surrogate (src/http/hostile-text.ts). Forms here are a handful of short
// fields; anything larger is refused before it is buffered.
import type { Context } from 'koa';
import { HttpError, RefusedInput } from './errors.ts';
import { decodeUrlEncoded } from './hostile-text.ts';

const LIMIT = 64 * 1024;

const tooLarge = () => new HttpError(413, 'error.tooLarge', 'request body too large');

/** The raw body, at most `limit` bytes (413 above it, declared or not). */
export async function readBody(ctx: Context, limit: number): Promise<Buffer> {
  const declared = Number(ctx.get('content-length') || 0);
  if (declared > limit) throw tooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw tooLarge();
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

export async function readForm(ctx: Context): Promise<URLSearchParams> {
  if (!ctx.is('application/x-www-form-urlencoded')) {
    throw new HttpError(415, 'error.badRequest', 'expected a form submission');
  }
  const decoded = decodeUrlEncoded(await readBody(ctx, LIMIT));
  if ('refused' in decoded) throw new RefusedInput('form', decoded.refused);
  return new URLSearchParams(decoded.pairs);
}

/** A single text field; repeated or missing fields count as empty. */
export function field(form: URLSearchParams, name: string): string {
  const values = form.getAll(name);
  return values.length === 1 ? values[0]! : '';
}
