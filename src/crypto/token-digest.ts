// Bearer values — tokens, codes, session and interaction ids, console sessions, set-password links —
// are stored only as HMAC-SHA-256 under a key derived from TOBIRA_SECRET. A read of the database (a
// backup, a replica, an SQL injection) then yields nothing that works, and unlike a plain hash it
// does not let the reader confirm a value seen elsewhere (a log line, a proxy) without the secret.
import { createHmac, createSecretKey, type KeyObject } from 'node:crypto';

// createHmac with a Buffer key converts it to a key object on every call, which costs about six
// times the HMAC itself (9 µs against 1.5 µs on Node 24); every token request hashes one or two ids.
const keyObjects = new WeakMap<Buffer, KeyObject>();

function keyObjectOf(tokenKey: Buffer): KeyObject {
  let key = keyObjects.get(tokenKey);
  if (!key) {
    key = createSecretKey(tokenKey);
    keyObjects.set(tokenKey, key);
  }
  return key;
}

export function tokenDigest(tokenKey: Buffer, value: string): string {
  return createHmac('sha256', keyObjectOf(tokenKey)).update(value).digest('base64url');
}

/**
 * The CSRF token of a console session, derived from the session's cookie value instead of stored:
 * the page gets it from the server, a forger would need the cookie, and the database holds neither.
 */
export function consoleCsrfToken(tokenKey: Buffer, sessionToken: string): string {
  return tokenDigest(tokenKey, `console-csrf:${sessionToken}`);
}
