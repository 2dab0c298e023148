// Starts one Tobira node: database, migrations, keys, the app, the cleanup job, the HTTP listener.
// Shared by `npm start` and the tests, so the tests exercise exactly what a newcomer runs.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type Provider from 'oidc-provider';
import type { Config } from './config.ts';
import { openDatabase, migrateLatest, type Db } from './db/connection.ts';
import { deriveInstanceKeys, resolveSecret, type InstanceKeys } from './crypto/instance-secret.ts';
import { ensureSigningKey, loadSigningJwks } from './oidc/keys.ts';
import { buildApp } from './server.ts';
import { startCleanupJob } from './oidc/cleanup.ts';
import { systemClock, type Clock } from './clock.ts';

export type RunningTobira = {
  issuer: string;
  server: Server;
  provider: Provider;
  db: Db;
  keys: InstanceKeys;
  close: () => Promise<void>;
};

export type BootOptions = {
  /** Use an in-memory embedded database (tests) instead of config.dataDir. */
  inMemory?: boolean;
  /** Called after migrations, before the server listens (the demo seed). */
  beforeServe?: (db: Db, keys: InstanceKeys, issuer: string) => Promise<void>;
  /** Time for TOTP steps and locks; tests pass an adjustable clock. */
  clock?: Clock;
  /** An already open database, shared with another node in this process (tests); left open on close. */
  sharedDb?: Db;
};

export async function openAndMigrate(config: Config, inMemory = false) {
  const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: inMemory ? 'memory' : config.dataDir });
  try {
    await migrateLatest(database.db);
  } catch (err) {
    await database.close();
    throw err;
  }
  return database;
}

export async function bootTobira(config: Config, options: BootOptions = {}): Promise<RunningTobira> {
  const database = options.sharedDb
    ? { db: options.sharedDb, close: async () => {}, embedded: false }
    : await openAndMigrate(config, options.inMemory);
  const { db } = database;
  const server = createServer();
  try {
    const keys = deriveInstanceKeys(resolveSecret(config.secret, config.dataDir));
    await ensureSigningKey(db, keys.dataKey);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.port, config.host, () => resolve());
    });
    const port = (server.address() as AddressInfo).port;
    const local = !config.host || config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
    const issuer = config.issuerFromEnv ? config.issuer : `http://${local}:${port}`;
    await options.beforeServe?.(db, keys, issuer);
    const { app, provider } = buildApp({
      issuer,
      db,
      dataKey: keys.dataKey,
      cookieKeys: keys.cookieKeys,
      jwks: await loadSigningJwks(db, keys.dataKey),
      instanceName: config.instanceName,
      trustProxy: config.trustProxy,
      metricsToken: config.metricsToken,
      clock: options.clock ?? systemClock,
    });
    server.on('request', app.callback());
    const stopCleanup = startCleanupJob(db);
    return {
      issuer,
      server,
      provider,
      db,
      keys,
      close: async () => {
        stopCleanup();
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
        await database.close();
      },
    };
  } catch (err) {
    server.close();
    await database.close();
    throw err;
  }
}
