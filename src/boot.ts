// Starts one Tobira node: database, migrations, keys, the app, the cleanup job, the HTTP listener.
// Shared by `npm start` and the tests, so the tests exercise exactly what a newcomer runs.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type Provider from 'oidc-provider';
import type { Config } from './config.ts';
import { openDatabase, migrateLatest, type Db } from './db/connection.ts';
import { deriveInstanceKeys, lazyInstanceKeys, resolveSecret, type InstanceKeys } from './crypto/instance-secret.ts';
import { ensureSigningKey, KEY_RELOAD_MS, loadSigningJwks } from './oidc/keys.ts';
import { buildApp } from './server.ts';
import { startCleanupJob } from './oidc/cleanup.ts';
import { systemClock, type Clock } from './clock.ts';
import { log } from './log.ts';
import { startMetricsServer } from './metrics-server.ts';
import { closeClientCache } from './oidc/client-cache.ts';
import { notReadyApp } from './http/not-ready.ts';

export type RunningTobira = {
  issuer: string;
  server: Server;
  readonly provider: Provider;
  db: Db;
  keys: InstanceKeys;
  /** Loads the usable signing keys again; true when they or the signing key had changed (also runs every minute). */
  reloadKeys: () => Promise<boolean>;
  /** The loopback-only /metrics address when METRICS_PORT is set. */
  metricsUrl: string | undefined;
  /** Stops the node: with graceMs, requests in flight get that long to finish (SIGTERM). */
  close: (graceMs?: number) => Promise<void>;
};

const kids = (jwks: { keys: Record<string, unknown>[] }) => jwks.keys.map((k) => String(k.kid)).join(',');

export type BootOptions = {
  /** Use an in-memory embedded database (tests) instead of config.dataDir. */
  inMemory?: boolean;
  /** Called after migrations, while the listening server still answers 503 (the demo seed; tests pause the boot here). */
  beforeServe?: (db: Db, keys: InstanceKeys, issuer: string) => Promise<void>;
  /** Time for TOTP steps and locks; tests pass an adjustable clock. */
  clock?: Clock;
  /** An already open database, shared with another node in this process (tests); left open on close. */
  sharedDb?: Db;
};

export async function openAndMigrate(config: Config, inMemory = false) {
  const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: inMemory ? 'memory' : config.dataDir });
  try {
    await migrateLatest(database.db, lazyInstanceKeys(config));
  } catch (err) {
    await database.close();
    throw err;
  }
  return database;
}

export async function bootTobira(config: Config, options: BootOptions = {}): Promise<RunningTobira> {
  // Listen first and answer every request at once with a 503 until the node is ready: a request
  // that arrives during the boot (a health check, a user in a rolling restart) never waits on it.
  const server = createServer();
  let handle = notReadyApp('starting').callback();
  server.on('request', (req, res) => handle(req, res));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const local = !config.host || config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
  const issuer = config.issuerFromEnv ? config.issuer : `http://${local}:${port}`;
  let database: { db: Db; close: () => Promise<void> };
  try {
    database = options.sharedDb ? { db: options.sharedDb, close: async () => {} } : await openAndMigrate(config, options.inMemory);
  } catch (err) {
    server.closeAllConnections();
    server.close();
    throw err;
  }
  const { db } = database;
  try {
    const keys = deriveInstanceKeys(resolveSecret(config.secret, config.dataDir));
    const clock = options.clock ?? systemClock;
    await ensureSigningKey(db, keys.dataKey, clock);
    await options.beforeServe?.(db, keys, issuer);
    const build = (jwks: { keys: Record<string, unknown>[] }) =>
      buildApp({
        issuer,
        db,
        dataKey: keys.dataKey,
        cookieKeys: keys.cookieKeys,
        tokenKey: keys.tokenKey,
        jwks,
        instanceName: config.instanceName,
        trustProxy: config.trustProxy,
        metricsToken: config.metricsToken,
        metricsOnMainPort: config.metricsPort === undefined,
        cacheViews: !config.development,
        clock,
      });
    // oidc-provider fixes its keystore at construction. Every piece of state lives in the
    // database, so when `keys rotate` (on any node or the CLI) changes the usable keys, this node
    // builds a fresh app with them and new requests go there; requests in flight finish on the old.
    // A rotated-in key starts signing at its activation time, which changes the order of the same
    // kids (the signing key comes first), so the comparison below sees it too.
    let jwks = await loadSigningJwks(db, keys.dataKey, clock.now());
    let current = build(jwks);
    handle = current.app.callback();
    let stopping = false;
    const reloadKeys = async (): Promise<boolean> => {
      const next = await loadSigningJwks(db, keys.dataKey, clock.now());
      if (kids(next) === kids(jwks)) return false;
      jwks = next;
      current = build(jwks);
      if (!stopping) handle = current.app.callback();
      log.info('signing keys reloaded', { kids: kids(jwks) });
      return true;
    };
    const reloadTimer = setInterval(() => {
      reloadKeys().catch((err: unknown) => log.warn('could not reload signing keys', { err }));
    }, KEY_RELOAD_MS);
    reloadTimer.unref();
    const stopCleanup = startCleanupJob(db);
    const metrics = config.metricsPort === undefined ? undefined : await startMetricsServer(config.metricsPort);
    if (metrics) log.info('metrics served on the loopback interface only', { url: metrics.url });
    return {
      issuer,
      server,
      metricsUrl: metrics?.url,
      get provider() {
        return current.provider;
      },
      db,
      keys,
      reloadKeys,
      close: async (graceMs = 0) => {
        stopping = true;
        handle = notReadyApp('stopping').callback();
        clearInterval(reloadTimer);
        stopCleanup();
        await metrics?.close();
        await drain(server, graceMs);
        await closeClientCache(db);
        await database.close();
      },
    };
  } catch (err) {
    server.closeAllConnections();
    server.close();
    await database.close();
    throw err;
  }
}

// Stops accepting connections, lets the requests in flight finish for up to graceMs, then cuts
// whatever is left. Idle kept-alive connections are closed as soon as they become idle.
async function drain(server: Server, graceMs: number): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  if (graceMs <= 0) {
    server.closeAllConnections();
    return closed;
  }
  const idle = setInterval(() => server.closeIdleConnections(), 100);
  const cut = setTimeout(() => {
    log.warn('requests still running after the grace period; closing their connections', { graceMs });
    server.closeAllConnections();
  }, graceMs);
  server.closeIdleConnections();
  try {
    await closed;
  } finally {
    clearInterval(idle);
    clearTimeout(cut);
  }
}
