// Prometheus metrics: request latency and the security events an operator alerts on (sign-in
// failures, second-factor failures, locks). Labels never carry a user, an address or a secret.
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export const registry = new Registry();
collectDefaultMetrics({ register: registry });

export const httpDuration = new Histogram({
  name: 'tobira_http_request_duration_seconds',
  help: 'HTTP request duration by method, route group and status class',
  labelNames: ['method', 'route', 'status'] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
  registers: [registry],
});

export const signIns = new Counter({
  name: 'tobira_sign_ins_total',
  help: 'Completed sign-ins by assurance level',
  labelNames: ['acr'] as const,
  registers: [registry],
});

export const authFailures = new Counter({
  name: 'tobira_auth_failures_total',
  help: 'Refused passwords and codes by factor and reason',
  labelNames: ['factor', 'reason'] as const,
  registers: [registry],
});

export const locks = new Counter({
  name: 'tobira_locks_total',
  help: 'Brute-force locks by factor',
  labelNames: ['factor'] as const,
  registers: [registry],
});

// Statements per request (this counter over tobira_http_request_duration_seconds_count) is what
// the caches and request-scoped reads save; bench/tokens.ts reads it around each flow.
export const dbStatements = new Counter({
  name: 'tobira_db_statements_total',
  help: 'SQL statements sent to the database, BEGIN and COMMIT included',
  registers: [registry],
});

/** A low-cardinality route label: the first path segment only (ids and tokens never become labels). */
export function routeGroup(path: string): string {
  const first = path.split('/')[1] ?? '';
  return /^[a-z._-]{1,24}$/.test(first) ? `/${first}` : '/';
}
