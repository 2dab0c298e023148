// Tells "the database is not there right now" from a bug. The first is an outage the operator is
// already fixing (PostgreSQL restarting, a fail-over, the network): users get a 503 with
// Retry-After and nothing is logged as a failure of ours. Everything else stays a 500 and is logged.
// The transaction that failed was rolled back by PostgreSQL (or never began), so nothing is half-written.

/** Seconds a client is asked to wait before trying again (the Retry-After header). */
export const RETRY_AFTER_SECONDS = 5;

// Node's socket errors while connecting to or talking with PostgreSQL.
const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'ENOTFOUND']);

// PostgreSQL SQLSTATEs (Appendix A): 57P01 admin_shutdown, 57P02 crash_shutdown, 57P03
// cannot_connect_now (starting up, shutting down, recovery), 53300 too_many_connections.
// Class 08 (connection exception) is matched by its prefix.
const SQLSTATES = new Set(['57P01', '57P02', '57P03', '53300']);

// node-postgres reports a lost or timed-out connection as a plain Error, with no code.
const PG_CONNECTION_MESSAGES = [
  'Connection terminated',
  'timeout expired',
  'Client has encountered a connection error and is not queryable',
  'Client was closed and is not queryable',
];

// AggregateError: Node tries every address of a host name (::1 and 127.0.0.1) and reports all.
// `cause` is not followed on purpose: `fetch failed` (a back-channel logout to an RP that is down)
// carries ECONNREFUSED there, and an RP being down is not our database being down.
function withInner(err: unknown): unknown[] {
  if (!err || typeof err !== 'object') return [];
  const { errors } = err as { errors?: unknown };
  return [err, ...(Array.isArray(errors) ? errors : [])];
}

function isUnavailableError(err: unknown): boolean {
  const { code, name, message } = err as { code?: unknown; name?: unknown; message?: unknown };
  if (typeof code === 'string' && (SOCKET_CODES.has(code) || SQLSTATES.has(code) || /^08[0-9A-Z]{3}$/.test(code))) return true;
  // knex: no connection could be taken from the pool within acquireConnectionTimeout.
  if (name === 'KnexTimeoutError') return true;
  return typeof message === 'string' && PG_CONNECTION_MESSAGES.some((text) => message.includes(text));
}

export function isDatabaseUnavailable(err: unknown): boolean {
  return withInner(err).some(isUnavailableError);
}
