// The input boundary in front of oidc-provider. The provider stores what a client sends
// (authorization parameters in interactions and pushed requests, claim names in grants) and looks
// up what it is given (codes, tokens, client ids), so before this guard a NUL in any parameter
// became a PostgreSQL error and a 500. Its query, its form body and every parameter that holds
// JSON (`claims`) are checked by the rules of our own forms; a refusal is the boundary's audited
// 400, answered the provider's way (src/server.ts): `invalid_request` as JSON, or the error page
// for a browser.
import { IncomingMessage } from 'node:http';
import type { Context } from 'koa';
import { RefusedInput } from '../http/errors.ts';
import { readBody } from '../http/form-body.ts';
import { assertCleanTarget } from '../http/input-boundary.ts';
import { decodeUrlEncoded, refusalOfPair, urlBytes, type Refused } from '../http/hostile-text.ts';

// oidc-provider's own body limit (lib/shared/selective_body.js); a larger body gets our 413.
const PROVIDER_BODY_LIMIT = 56 * 1024;

/** The first string (key or value) inside a JSON parameter that the boundary refuses. */
function refusedInJson(name: string, value: string): Refused | undefined {
  if (!/^\s*[[{]/.test(value)) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    return undefined; // the provider refuses malformed JSON itself
  }
  const walk = (node: unknown): Refused | undefined => {
    if (typeof node === 'string') return refusalOfPair(name, node);
    if (Array.isArray(node)) return node.map(walk).find(Boolean);
    if (node && typeof node === 'object') {
      for (const [key, child] of Object.entries(node)) {
        const found = refusalOfPair(name, key) ?? walk(child);
        if (found) return found;
      }
    }
    return undefined;
  };
  return walk(parsed);
}

function assertCleanParameters(bytes: Uint8Array, place: 'query' | 'form'): void {
  const decoded = decodeUrlEncoded(bytes);
  if ('refused' in decoded) throw new RefusedInput(place, decoded.refused);
  for (const [name, value] of decoded.pairs) {
    const refused = refusedInJson(name, value);
    if (refused) throw new RefusedInput(place, refused);
  }
}

/** The same request with its body, already read, ready to be read again by the provider. */
function replayed(req: IncomingMessage, body: Buffer): IncomingMessage {
  const copy = new IncomingMessage(req.socket);
  Object.assign(copy, {
    method: req.method,
    url: req.url,
    headers: req.headers,
    rawHeaders: req.rawHeaders,
    httpVersion: req.httpVersion,
    httpVersionMajor: req.httpVersionMajor,
    httpVersionMinor: req.httpVersionMinor,
    // Complete: once read, the copy is destroyed like any request; an incomplete one would take the socket with it.
    complete: true,
  });
  copy.push(body);
  copy.push(null);
  return copy;
}

/** Checks a request for the provider; returns the request to hand to it. */
export async function checkProviderInput(ctx: Context): Promise<IncomingMessage> {
  assertCleanTarget(ctx);
  assertCleanParameters(urlBytes(ctx.querystring), 'query');
  if (ctx.method !== 'POST' || !ctx.is('application/x-www-form-urlencoded')) return ctx.req;
  const body = await readBody(ctx, PROVIDER_BODY_LIMIT);
  assertCleanParameters(body, 'form');
  return replayed(ctx.req, body);
}
