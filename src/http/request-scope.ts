// What lives exactly as long as one HTTP request: a place for reads that the same request would
// otherwise repeat (oidc-provider looks the same interaction or session up several times while
// serving one request). Nothing in it outlives the request, so nodes never serve each other stale
// state, and whatever writes to a table drops what the request remembered of it.
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Context, Next } from 'koa';

const storage = new AsyncLocalStorage<Map<string, unknown>>();

/** Koa middleware: everything the request does below it (the provider included) shares one scope. */
export async function requestScope(_ctx: Context, next: Next): Promise<void> {
  await storage.run(new Map(), next);
}

/** The current request's memo, or undefined outside a request (the command line, background jobs). */
export function requestMemo(): Map<string, unknown> | undefined {
  return storage.getStore();
}
