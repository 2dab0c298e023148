// Reads an application/x-www-form-urlencoded body with a size cap. Forms here are a handful of
// short fields; anything larger is refused before it is buffered.
import type { Context } from 'koa';
import { HttpError } from './errors.ts';

const LIMIT = 64 * 1024;

export async function readForm(ctx: Context): Promise<URLSearchParams> {
  if (!ctx.is('application/x-www-form-urlencoded')) {
    throw new HttpError(415, 'error.badRequest', 'expected a form submission');
  }
  const declared = Number(ctx.get('content-length') || 0);
  if (declared > LIMIT) throw new HttpError(413, 'error.badRequest', 'form too large');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > LIMIT) throw new HttpError(413, 'error.badRequest', 'form too large');
    chunks.push(chunk);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

/** A single text field; repeated or missing fields count as empty. */
export function field(form: URLSearchParams, name: string): string {
  const values = form.getAll(name);
  return values.length === 1 ? values[0]! : '';
}
