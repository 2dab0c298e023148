// Brute-force guard, kept in the database so every node sees the same counters and a restart
// does not reset them. An attempt is counted before it is checked (so parallel requests cannot
// outrun the limit); the attempt that reaches the limit and fails locks the key, as does any
// attempt beyond it. Each further lock doubles: 1, 2, 4 … minutes, capped at an hour. A success
// clears the key.
import { createHash } from 'node:crypto';
import type { Db } from '../db/connection.ts';
import type { CanonicalEmail } from '../identity/email.ts';
import { clearThrottle, countAttempts, findThrottle, lockUnlessLocked, settleSuccess } from '../db/throttles.ts';

export const FAILURES_BEFORE_LOCK = 5;
// Many people can share one address (an office, a mobile carrier), so an address gets more tries.
export const ADDRESS_FAILURES_BEFORE_LOCK = 20;
const FAILURE_WINDOW_SECONDS = 15 * 60;
const FIRST_LOCK_SECONDS = 60;
const MAX_LOCK_SECONDS = 3600;
// A key that has stayed quiet this long after its last lock starts again from the shortest lock.
export const FORGET_LOCKS_AFTER_SECONDS = 24 * 3600;

const digest = (value: string) => createHash('sha256').update(value).digest('base64url');

const DEVICE_KEY_INFIX = ':device:';

export const throttleKeys = {
  totp: (userId: string) => `totp:user:${userId}`,
  // Keyed by the canonical form of the typed e-mail (the one the lookup uses, so every spelling of
  // an address meets one lock), not the user id: an unknown e-mail is throttled exactly like a
  // known one, so a lock never reveals whether an account exists.
  passwordAccount: (email: CanonicalEmail) => `password:email:${digest(email)}`,
  passwordAddress: (ip: string) => `password:ip:${ip}`,
  // One device cookie's own budget for one account (src/mfa/device-cookie.ts). It sits under the
  // account's key so the admin page finds every one of them; the nonce is hashed like the e-mail.
  passwordDevice: (accountKey: string, nonce: string) => `${accountKey}${DEVICE_KEY_INFIX}${digest(nonce)}`,
};

/**
 * The same keys as SQL expressions over a user row's columns, for filtering the users list by lock
 * in the database (sha256 as `digest` above, base64url without padding). Kept next to
 * `throttleKeys` so a change of scheme changes both; the users-list tests seed keys with
 * `throttleKeys` and find them through these.
 */
export const throttleKeySql = {
  totp: (idColumn: string) => `('totp:user:' || ${idColumn}::text)`,
  passwordAccount: (emailColumn: string) =>
    `('password:email:' || rtrim(translate(encode(sha256(convert_to(${emailColumn}, 'UTF8')), 'base64'), '+/', '-_'), '='))`,
  deviceInfix: DEVICE_KEY_INFIX,
};

/** The prefix shared by the device-cookie budgets of one account key. */
export const deviceKeysOf = (accountKey: string) => `${accountKey}${DEVICE_KEY_INFIX}`;

export type LockState = { locked: false } | { locked: true; until: Date };

/**
 * After a failure: the lock, or how many more failures this key takes before it locks and for how
 * long that lock would last (what the person at the prompt is warned of).
 */
export type AfterFailure = { locked: true; until: Date } | { locked: false; left: number; nextLockSeconds: number };

export function lockSeconds(previousLocks: number): number {
  return Math.min(FIRST_LOCK_SECONDS * 2 ** previousLocks, MAX_LOCK_SECONDS);
}

const after = (now: Date, seconds: number) => new Date(now.getTime() + seconds * 1000);

async function lock(db: Db, key: string, now: Date): Promise<{ locked: true; until: Date }> {
  return { locked: true, until: await lockUnlessLocked(db, key, (locks) => after(now, lockSeconds(locks)), now) };
}

/** Counts an attempt; `locked` means refuse it without checking anything. */
export async function beginAttempt(db: Db, key: string, now: Date, threshold = FAILURES_BEFORE_LOCK): Promise<LockState> {
  return (await beginAttempts(db, [{ key, threshold }], now))[0]!;
}

/** `beginAttempt` for several keys with one statement; the states come in the order of `entries`. */
export async function beginAttempts(db: Db, entries: readonly { key: string; threshold: number }[], now: Date): Promise<LockState[]> {
  const rows = await countAttempts(
    db,
    entries.map((e) => e.key),
    now,
    after(now, -FAILURE_WINDOW_SECONDS),
    after(now, -FORGET_LOCKS_AFTER_SECONDS),
  );
  const states: LockState[] = [];
  for (const { key, threshold } of entries) {
    const row = rows.get(key)!;
    if (row.locked_until && row.locked_until > now) states.push({ locked: true, until: row.locked_until });
    else if (row.failures > threshold) states.push(await lock(db, key, now));
    else states.push({ locked: false });
  }
  return states;
}

/** After a success: clears `clear` and gives one attempt back to each shared key, in one statement. */
export async function attemptsSucceeded(db: Db, clear: string[], shared: string[]): Promise<void> {
  await settleSuccess(db, clear, shared);
}

/** After a counted attempt failed: locks the key when this was the last allowed try. */
export async function attemptFailed(db: Db, key: string, now: Date, threshold = FAILURES_BEFORE_LOCK): Promise<AfterFailure> {
  const row = await findThrottle(db, key);
  if (row?.locked_until && row.locked_until > now) return { locked: true, until: row.locked_until };
  const failures = row?.failures ?? 0;
  if (failures >= threshold) return lock(db, key, now);
  // beginAttempt already forgot stale locks of this row, so `locks` is what the next lock grows from.
  return { locked: false, left: threshold - failures, nextLockSeconds: lockSeconds(row?.locks ?? 0) };
}

export async function attemptSucceeded(db: Db, key: string): Promise<void> {
  await clearThrottle(db, key);
}
