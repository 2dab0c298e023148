// Brute-force guard, kept in the database so every node sees the same counters and a restart
// does not reset them. After FAILURES_BEFORE_LOCK failures a key is locked; each further lock
// doubles (1, 2, 4 … minutes, capped at an hour). A success clears the key.
import type { Db } from '../db/connection.ts';
import { addFailure, clearThrottle, findThrottle, lockThrottle } from '../db/throttles.ts';

export const FAILURES_BEFORE_LOCK = 5;
// Many people can share one address (an office, a mobile carrier), so an address gets more tries.
export const ADDRESS_FAILURES_BEFORE_LOCK = 20;
const FAILURE_WINDOW_SECONDS = 15 * 60;
const FIRST_LOCK_SECONDS = 60;
const MAX_LOCK_SECONDS = 3600;
// A key that has stayed quiet this long after its last lock starts again from the shortest lock.
const FORGET_AFTER_SECONDS = 24 * 3600;

export const throttleKeys = {
  totp: (userId: string) => `totp:user:${userId}`,
  // Keyed by the typed e-mail, not the user id: an unknown e-mail is throttled exactly like a
  // known one, so a lock never reveals whether an account exists.
  passwordAccount: (email: string) => `password:email:${email.trim().toLowerCase()}`,
  passwordAddress: (ip: string) => `password:ip:${ip}`,
};

export type LockState = { locked: false } | { locked: true; until: Date };

export async function lockState(db: Db, key: string, now: Date): Promise<LockState> {
  const row = await findThrottle(db, key);
  if (row?.locked_until && row.locked_until > now) return { locked: true, until: row.locked_until };
  return { locked: false };
}

/** The longest of several locks (e.g. per account and per address). */
export async function strictestLock(db: Db, keys: string[], now: Date): Promise<LockState> {
  let result: LockState = { locked: false };
  for (const key of keys) {
    const state = await lockState(db, key, now);
    if (state.locked && (!result.locked || state.until > result.until)) result = state;
  }
  return result;
}

export function lockSeconds(previousLocks: number): number {
  return Math.min(FIRST_LOCK_SECONDS * 2 ** previousLocks, MAX_LOCK_SECONDS);
}

/** Counts a failure; returns the new lock when this failure triggered one. */
export async function recordFailure(db: Db, key: string, now: Date, threshold = FAILURES_BEFORE_LOCK): Promise<LockState> {
  const before = await findThrottle(db, key);
  if (before?.locked_until && now.getTime() - before.locked_until.getTime() > FORGET_AFTER_SECONDS * 1000) {
    await clearThrottle(db, key);
  }
  const row = await addFailure(db, key, now, new Date(now.getTime() - FAILURE_WINDOW_SECONDS * 1000));
  if (row.failures < threshold) return { locked: false };
  const until = new Date(now.getTime() + lockSeconds(row.locks) * 1000);
  await lockThrottle(db, key, until, now);
  return { locked: true, until };
}

export async function recordSuccess(db: Db, key: string): Promise<void> {
  await clearThrottle(db, key);
}
