// Change notices between nodes over PostgreSQL's LISTEN/NOTIFY. A notice is sent inside the
// transaction that makes the change, so it is delivered when (and only if) that commits. On
// PostgreSQL a dedicated connection listens, outside the pool, and reconnects when it is lost;
// notices sent meanwhile are missed, so the listener says "anything may have changed" both when
// it loses the connection and when it gets it back. PGlite is one process (the data folder lock
// keeps the command line out while a node runs), and its own listen API reaches every node that
// shares the instance.
import pg from 'pg';
import type { Db } from './connection.ts';
import { log } from '../log.ts';

export const CLIENTS_CHANNEL = 'tobira_clients';

export async function notify(db: Db, channel: string, payload: string): Promise<void> {
  await db.raw('select pg_notify(?, ?)', [channel, payload]);
}

export type ChangeListener = {
  /** False while notices may be missed: callers must not trust what they cached. */
  readonly listening: boolean;
  close: () => Promise<void>;
};

/** `onChange(undefined)` means "notices may have been missed: forget everything". */
export type OnChange = (payload: string | undefined) => void;

type PgliteLike = { listen: (channel: string, cb: (payload: string) => void) => Promise<() => Promise<void>> };

const RECONNECT_FIRST_MS = 1000;
const RECONNECT_MAX_MS = 30_000;

export async function listenForChanges(db: Db, channel: string, onChange: OnChange): Promise<ChangeListener> {
  const client = db.client as { pglite?: PgliteLike; config: { connection?: unknown } };
  if (client.pglite) {
    const unlisten = await client.pglite.listen(channel, (payload) => onChange(payload));
    return { listening: true, close: () => unlisten() };
  }
  return listenOnPostgres(client.config.connection as pg.ClientConfig | string, channel, onChange);
}

/** Resolves once the first attempt to listen has succeeded or failed (then it retries in the background). */
async function listenOnPostgres(connection: pg.ClientConfig | string, channel: string, onChange: OnChange): Promise<ChangeListener> {
  let current: pg.Client | undefined;
  let listening = false;
  let closed = false;
  let delay = RECONNECT_FIRST_MS;
  let timer: NodeJS.Timeout | undefined;

  const lost = (err?: unknown) => {
    if (listening) log.warn('change notices interrupted; caches are bypassed until they resume', { channel, err });
    listening = false;
    onChange(undefined);
    current?.removeAllListeners();
    current?.end().catch(() => {});
    current = undefined;
    if (!closed) {
      timer = setTimeout(connect, delay);
      timer.unref();
      delay = Math.min(delay * 2, RECONNECT_MAX_MS);
    }
  };

  async function connect(): Promise<void> {
    if (closed) return;
    const next = new pg.Client(typeof connection === 'string' ? { connectionString: connection } : connection);
    current = next;
    next.on('error', lost);
    next.on('end', () => lost());
    next.on('notification', (message) => {
      if (message.channel === channel) onChange(message.payload ?? undefined);
    });
    try {
      await next.connect();
      await next.query(`listen ${channel}`);
      if (closed || current !== next) return;
      listening = true;
      delay = RECONNECT_FIRST_MS;
      // Whatever changed while nobody listened is unknown.
      onChange(undefined);
    } catch (err) {
      if (current === next) lost(err);
    }
  }

  await connect();
  return {
    get listening() {
      return listening;
    },
    close: async () => {
      closed = true;
      listening = false;
      if (timer) clearTimeout(timer);
      const last = current;
      current = undefined;
      last?.removeAllListeners();
      last?.on('error', () => {});
      await last?.end().catch(() => {});
    },
  };
}
