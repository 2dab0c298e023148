// Bearer values — tokens, codes, session and interaction ids, console sessions, set-password links —
// are stored only as HMAC-SHA-256 under a key derived from TOBIRA_SECRET. A read of the database (a
// backup, a replica, an SQL injection) then yields nothing that works, and unlike a plain hash it
// does not let the reader confirm a value seen elsewhere (a log line, a proxy) without the secret.
import { createHmac } from 'node:crypto';

export function tokenDigest(tokenKey: Buffer, value: string): string {
  return createHmac('sha256', tokenKey).update(value).digest('base64url');
}

/**
 * The CSRF token of a console session, derived from the session's cookie value instead of stored:
 * the page gets it from the server, a forger would need the cookie, and the database holds neither.
 */
export function consoleCsrfToken(tokenKey: Buffer, sessionToken: string): string {
  return tokenDigest(tokenKey, `console-csrf:${sessionToken}`);
}
