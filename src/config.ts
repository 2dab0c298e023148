// The only reader of process.env: every setting is validated once, at start, with one clear
// message per mistake, so a misconfigured node refuses to start instead of misbehaving later.
import { resolve } from 'node:path';
import { availableParallelism } from 'node:os';
import { isIP } from 'node:net';

export type Config = {
  /** Public URL of the provider, without trailing slash; `iss` of every token. */
  issuer: string;
  /** False when ISSUER was not set: the issuer is then http://localhost:<listening port>. */
  issuerFromEnv: boolean;
  port: number;
  /** Listening address; undefined listens on every interface (IPv6 and IPv4 where available). */
  host: string | undefined;
  /** postgres:// URL; undefined selects the embedded PGlite database in dataDir. */
  databaseUrl: string | undefined;
  dataDir: string;
  /** Raw instance secret from TOBIRA_SECRET; undefined means "generate one in dataDir" (development). */
  secret: string | undefined;
  production: boolean;
  /** NODE_ENV=development: views are compiled on every render, so edits show without a restart. */
  development: boolean;
  /** Trust X-Forwarded-* headers (Tobira behind a TLS-terminating proxy). */
  trustProxy: boolean;
  instanceName: string;
  logLevel: 'debug' | 'info' | 'warn' | 'error' | 'silent';
  demoRpPort: number;
  /** When set, /metrics demands `Authorization: Bearer <token>`. */
  metricsToken: string | undefined;
  /** When set, /metrics is served only on this port of the loopback interface, not on PORT. */
  metricsPort: number | undefined;
  /** Processes serving PORT (node:cluster when more than one). */
  workers: number;
  /** libuv threads (password hashing runs there); set before the pool starts, see src/main.ts. */
  threadpoolSize: number;
  /** Hosts whose back-channel logout URIs may reach loopback and private addresses ('any' outside production). */
  backchannelAllowedHosts: 'any' | string[];
};

export class ConfigError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.problems = problems;
  }
}

type Env = Record<string, string | undefined>;

function readPort(env: Env, name: string, fallback: number, problems: string[]): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    problems.push(`${name} must be a port number between 0 and 65535 (got "${raw}")`);
    return fallback;
  }
  return port;
}

function readCount(env: Env, name: string, fallback: number, problems: string[]): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const count = Number(raw);
  if (!Number.isInteger(count) || count < 1 || count > 1024) {
    problems.push(`${name} must be a whole number from 1 to 1024 (got "${raw}")`);
    return fallback;
  }
  return count;
}

function readBoolean(env: Env, name: string, problems: string[]): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return false;
  if (['1', 'true', 'yes'].includes(raw.toLowerCase())) return true;
  if (['0', 'false', 'no'].includes(raw.toLowerCase())) return false;
  problems.push(`${name} must be true or false (got "${raw}")`);
  return false;
}

// Back-channel logout may reach the operator's own network only where the operator says so in
// production (src/backchannel/address-guard.ts); in development and tests the apps are local.
function readAllowedHosts(env: Env, production: boolean, problems: string[]): 'any' | string[] {
  const raw = env.BACKCHANNEL_ALLOWED_HOSTS?.trim();
  if (!raw) return production ? [] : 'any';
  if (raw === '*') return 'any';
  const hosts = raw.split(',').map((h) =>
    h
      .trim()
      .toLowerCase()
      .replace(/^\[|\]$/g, ''),
  );
  const bad = hosts.filter((h) => (h.includes(':') ? isIP(h) !== 6 : !/^[a-z0-9.-]+$/.test(h) || h.includes('..')));
  if (bad.length) {
    problems.push(`BACKCHANNEL_ALLOWED_HOSTS must be host names or IP addresses separated by commas, or *, without scheme or port (got "${bad.join('", "')}")`);
  }
  return hosts;
}

export function loadConfig(env: Env = process.env): Config {
  const problems: string[] = [];
  const production = env.NODE_ENV === 'production';
  const port = readPort(env, 'PORT', 3000, problems);
  const demoRpPort = readPort(env, 'DEMO_RP_PORT', port === 0 ? 0 : port + 1, problems);

  let issuer = env.ISSUER || `http://localhost:${port}`;
  try {
    const url = new URL(issuer);
    if (url.protocol !== 'https:' && url.protocol !== 'http:') {
      problems.push(`ISSUER must be an http(s) URL (got "${issuer}")`);
    } else if (production && url.protocol !== 'https:') {
      problems.push('ISSUER must use https when NODE_ENV=production');
    }
    if (url.search || url.hash) problems.push('ISSUER must not have a query or fragment');
    issuer = issuer.replace(/\/+$/, '');
  } catch {
    problems.push(`ISSUER must be an absolute URL such as https://id.example.com (got "${issuer}")`);
  }

  const databaseUrl = env.DATABASE_URL || undefined;
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    problems.push('DATABASE_URL must start with postgres:// or postgresql://');
  }

  const secret = env.TOBIRA_SECRET || undefined;
  if (secret !== undefined && secret.length < 32) {
    problems.push('TOBIRA_SECRET must be at least 32 characters (e.g. `openssl rand -base64 32`)');
  }
  if (databaseUrl && secret === undefined && !production) {
    // Nodes and the command line sharing a database must share the key that seals its secrets;
    // a secret generated into one machine's data folder would make the others unable to read them.
    problems.push('TOBIRA_SECRET is required with DATABASE_URL, the same on every node and for the command line (e.g. `openssl rand -base64 32`)');
  }
  if (production && secret === undefined) {
    problems.push('TOBIRA_SECRET is required when NODE_ENV=production (e.g. `openssl rand -base64 32`)');
  }

  const metricsToken = env.METRICS_TOKEN || undefined;
  const metricsPort = env.METRICS_PORT ? readPort(env, 'METRICS_PORT', 0, problems) : undefined;
  if (production && !metricsToken && metricsPort === undefined) {
    // Metrics tell an outsider how many people sign in and fail: never public in production.
    problems.push(
      'METRICS_TOKEN or METRICS_PORT is required when NODE_ENV=production, or /metrics would be public: set METRICS_TOKEN=<long random value> (scrape with Authorization: Bearer …) or METRICS_PORT=<port> (served on 127.0.0.1 only)',
    );
  }

  const logLevel = (env.LOG_LEVEL || 'info') as Config['logLevel'];
  if (!['debug', 'info', 'warn', 'error', 'silent'].includes(logLevel)) {
    problems.push(`LOG_LEVEL must be one of debug, info, warn, error, silent (got "${env.LOG_LEVEL}")`);
  }

  const cores = availableParallelism();
  const workers = readCount(env, 'WORKERS', production && databaseUrl ? cores : 1, problems);
  if (workers > 1 && !databaseUrl) {
    problems.push(`WORKERS=${workers} needs DATABASE_URL: the embedded database in TOBIRA_DATA_DIR can be opened by one process only`);
  }
  // libuv's default is 4 threads; argon2 hashing of concurrent sign-ins should use every core.
  const threadpoolSize = readCount(env, 'UV_THREADPOOL_SIZE', Math.max(4, cores), problems);

  const backchannelAllowedHosts = readAllowedHosts(env, production, problems);

  const config: Config = {
    issuer,
    issuerFromEnv: Boolean(env.ISSUER),
    port,
    host: env.HOST || undefined,
    databaseUrl,
    dataDir: resolve(env.TOBIRA_DATA_DIR || './data'),
    secret,
    production,
    development: env.NODE_ENV === 'development',
    trustProxy: readBoolean(env, 'TRUST_PROXY', problems),
    instanceName: env.TOBIRA_NAME || 'Tobira',
    logLevel,
    demoRpPort,
    metricsToken,
    metricsPort,
    workers,
    threadpoolSize,
    backchannelAllowedHosts,
  };
  if (problems.length) throw new ConfigError(problems);
  return config;
}
