// Decides the database: PostgreSQL through `pg` when DATABASE_URL is set, otherwise the embedded
// PGlite in the data folder (or in memory, for tests). Both run the same knex migrations.
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import knexFactory, { type Knex } from 'knex';
import { lockDataDir } from './data-dir-lock.ts';
import { log } from '../log.ts';
import { dbStatements } from '../metrics.ts';

export type Db = Knex;

export type DatabaseOptions = {
  databaseUrl?: string | undefined;
  /** Folder of the embedded database; 'memory' keeps it in memory (tests). */
  dataDir: string | 'memory';
};

export const CONNECT_TIMEOUT_MS = 3_000;
export const ACQUIRE_TIMEOUT_MS = 5_000;

export type Database = { db: Db; close: () => Promise<void>; embedded: boolean };

export const migrationsDirectory = fileURLToPath(new URL('../../migrations', import.meta.url));

export function migrationConfig(): Knex.MigratorConfig {
  return { directory: migrationsDirectory, loadExtensions: ['.ts'], tableName: 'knex_migrations' };
}

// knex prints its own warnings through console.log (stdout); route them into the structured log.
const knexLog = {
  warn: (message: unknown) => log.warn('knex', { message: String(message) }),
  error: (message: unknown) => log.error('knex', { message: String(message) }),
  deprecate: (method: string, alternative: string) => log.warn('knex deprecation', { method, alternative }),
  debug: (message: unknown) => log.debug('knex', { message: String(message) }),
};

const countStatement = () => dbStatements.inc();

export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  if (options.databaseUrl) {
    const db = knexFactory({
      client: 'pg',
      // Fail fast while PostgreSQL is away (src/db/unavailable.ts turns it into a 503): a request
      // waits at most CONNECT_TIMEOUT_MS for a new connection and ACQUIRE_TIMEOUT_MS for a free one,
      // never for ever. Keep-alive notices a peer that vanished without closing the socket.
      connection: { connectionString: options.databaseUrl, connectionTimeoutMillis: CONNECT_TIMEOUT_MS, keepAlive: true },
      acquireConnectionTimeout: ACQUIRE_TIMEOUT_MS,
      // min 0: no idle connection is kept that could be the one PostgreSQL closed while it was away.
      pool: { min: 0, max: 10, idleTimeoutMillis: 30_000 },
      migrations: migrationConfig(),
      log: knexLog,
    });
    db.on('query', countStatement);
    await db.raw('select 1');
    return { db, close: () => db.destroy(), embedded: false };
  }
  const release = options.dataDir === 'memory' ? () => {} : lockDataDir(options.dataDir);
  try {
    // Loaded only here: a node on PostgreSQL never loads the embedded database's driver.
    const { default: ClientPgLite } = await import('knex-pglite');
    const db = knexFactory({
      client: ClientPgLite as unknown as typeof Knex.Client,
      dialect: 'postgres',
      connection: options.dataDir === 'memory' ? {} : { filename: join(options.dataDir, 'pgdata') },
      useNullAsDefault: false,
      migrations: migrationConfig(),
      log: knexLog,
    } as Knex.Config);
    db.on('query', countStatement);
    await db.raw('select 1');
    return {
      db,
      embedded: true,
      close: async () => {
        await db.destroy();
        release();
      },
    };
  } catch (err) {
    release();
    throw err;
  }
}

/** What a migration that converts stored values needs from the instance secret. */
export type MigrationKeys = () => { tokenKey: Buffer; dataKey: Buffer };

/**
 * Applies pending migrations, all in one transaction. `keys` reaches the migrations as
 * `knex.userParams.instanceKeys` (0005 re-keys stored tokens); it is called only when a migration
 * has rows to convert, so a fresh database never needs the secret here.
 */
export async function migrateLatest(db: Db, keys: MigrationKeys): Promise<string[]> {
  if (await upToDate(db)) return [];
  const [, applied] = (await db.withUserParams({ ...db.userParams, instanceKeys: keys }).migrate.latest()) as [number, string[]];
  return applied;
}

// Every start of every node asks this; knex's own answer takes a dozen statements and a write
// to its lock table. Anything but an exact match (a pending migration, or an applied one whose
// file is gone, which knex refuses) is left to knex.
async function upToDate(db: Db): Promise<boolean> {
  if (!(await db.schema.hasTable('knex_migrations'))) return false;
  const applied = new Set((await db('knex_migrations').select<{ name: string }[]>('name')).map((row) => row.name));
  const files = readdirSync(migrationsDirectory).filter((name) => name.endsWith('.ts'));
  return files.length === applied.size && files.every((name) => applied.has(name));
}

/** Rows removed by a delete: pg answers a number, knex-pglite its raw result object. */
export function deletedCount(result: unknown): number {
  if (typeof result === 'number') return result;
  const raw = result as { affectedRows?: number; rowCount?: number } | undefined;
  return Number(raw?.affectedRows ?? raw?.rowCount ?? 0);
}
