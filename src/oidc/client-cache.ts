// Decrypted client metadata kept in process: a sign-in looks its client up about five times, and
// each lookup was a query plus an AES-GCM decrypt. Every change to the clients table (the command
// line, the demo seed, another node) sends a notice in its transaction (src/db/clients.ts), and
// the notice drops the entry on every node. While notices cannot be trusted (the listening
// connection is down), nothing is served from the cache. Unknown ids are cached too, so a flood of
// made-up client ids costs one query each, once; registering one of them sends a notice as well.
import type { Db } from '../db/connection.ts';
import { findClient } from '../db/clients.ts';
import { CLIENTS_CHANNEL, listenForChanges, type ChangeListener } from '../db/notifications.ts';
import { clientMetadata } from './clients.ts';

export type ClientMetadata = Record<string, unknown>;

// A bound on memory whatever ids are thrown at the endpoints; clients themselves are few.
const MAX_ENTRIES = 5000;

type Cache = {
  entries: Map<string, ClientMetadata | null>;
  generation: number;
  listener: Promise<ChangeListener>;
};

// One cache per database handle, i.e. per node: the provider is rebuilt when signing keys change,
// the cache and its listening connection are not.
const caches = new WeakMap<Db, Cache>();

function cacheFor(db: Db): Cache {
  let cache = caches.get(db);
  if (!cache) {
    const created: Cache = { entries: new Map(), generation: 0, listener: Promise.resolve({ listening: false, close: async () => {} }) };
    created.listener = listenForChanges(db, CLIENTS_CHANNEL, (clientId) => {
      created.generation += 1;
      if (clientId === undefined) return created.entries.clear();
      for (const key of created.entries.keys()) if (key.endsWith(`\n${clientId}`)) created.entries.delete(key);
    }).catch(() => ({ listening: false, close: async () => {} }));
    caches.set(db, created);
    cache = created;
  }
  return cache;
}

export async function findClientMetadata(db: Db, dataKey: Buffer, issuer: string, clientId: string): Promise<ClientMetadata | undefined> {
  const cache = cacheFor(db);
  const listening = (await cache.listener).listening;
  // Metadata depends on the issuer (the consoles' redirect URIs); test nodes on one database differ in it.
  const key = `${issuer}\n${clientId}`;
  if (listening && cache.entries.has(key)) return cache.entries.get(key) ?? undefined;
  const generation = cache.generation;
  const row = await findClient(db, clientId);
  const metadata = row ? clientMetadata(row, dataKey, issuer) : undefined;
  // A notice that arrived during the read may concern this very row: keep nothing then.
  if (listening && generation === cache.generation) {
    if (cache.entries.size >= MAX_ENTRIES) cache.entries.clear();
    cache.entries.set(key, metadata ?? null);
  }
  return metadata;
}

/** Stops listening for client changes (the node is closing its database). */
export async function closeClientCache(db: Db): Promise<void> {
  const cache = caches.get(db);
  if (!cache) return;
  caches.delete(db);
  await (await cache.listener).close();
}
