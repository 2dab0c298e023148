// Which budgets one password attempt is charged to. A browser with a valid device cookie for the
// typed account (src/mfa/device-cookie.ts) spends only its own small budget, so it keeps signing in
// while strangers are locked out. Every other browser is "untrusted": it shares the account's lock
// with all unrecognised browsers, and its client address has a budget of its own. An unknown e-mail
// can never have a device cookie, so it is throttled exactly like a known one seen from a new browser.
import type { CanonicalEmail } from '../identity/email.ts';
import type { Db } from '../db/connection.ts';
import { ADDRESS_FAILURES_BEFORE_LOCK, FAILURES_BEFORE_LOCK, attemptFailed, attemptsSucceeded, beginAttempts, throttleKeys } from './throttle.ts';

// A device cookie is proof that this browser signed in before, not of who sits at it now: a few
// typos are fine, a guessing run locks that one cookie (the "lockout list" of the OWASP design).
export const DEVICE_FAILURES_BEFORE_LOCK = 5;

export type LockScope = 'untrusted' | 'device' | 'address';
export type ScopedLock = { scope: LockScope; until: Date };
type Budget = { scope: LockScope; key: string; threshold: number };
export type PasswordBudgets = readonly Budget[];

export function passwordBudgets(email: CanonicalEmail, from: { address?: string | undefined; deviceNonce?: string | undefined }): PasswordBudgets {
  const account = throttleKeys.passwordAccount(email);
  if (from.deviceNonce) {
    return [{ scope: 'device', key: throttleKeys.passwordDevice(account, from.deviceNonce), threshold: DEVICE_FAILURES_BEFORE_LOCK }];
  }
  return [
    { scope: 'untrusted', key: account, threshold: FAILURES_BEFORE_LOCK },
    ...(from.address ? [{ scope: 'address' as const, key: throttleKeys.passwordAddress(from.address), threshold: ADDRESS_FAILURES_BEFORE_LOCK }] : []),
  ];
}

/** Which budget the attempt was charged to: the device's own, or the untrusted ones. */
export const chargedTo = (budgets: PasswordBudgets): 'device' | 'untrusted' => (budgets[0]?.scope === 'device' ? 'device' : 'untrusted');

/** The lock that lasts longest, if any. */
export function longest(locks: ScopedLock[]): ScopedLock | undefined {
  return locks.reduce<ScopedLock | undefined>((a, b) => (!a || b.until > a.until ? b : a), undefined);
}

/** Counts the attempt against every budget before anything is checked; a lock on any refuses it. */
export async function beginPasswordAttempt(db: Db, budgets: PasswordBudgets, now: Date): Promise<ScopedLock | undefined> {
  const states = await beginAttempts(db, budgets, now);
  const locks: ScopedLock[] = [];
  budgets.forEach((b, i) => {
    const state = states[i]!;
    if (state.locked) locks.push({ scope: b.scope, until: state.until });
  });
  return longest(locks);
}

/** After a counted attempt failed: the budgets that are locked now (this failure may have locked them). */
export async function passwordAttemptFailed(db: Db, budgets: PasswordBudgets, now: Date): Promise<ScopedLock[]> {
  const locks: ScopedLock[] = [];
  for (const b of budgets) {
    const state = await attemptFailed(db, b.key, now, b.threshold);
    if (state.locked) locks.push({ scope: b.scope, until: state.until });
  }
  return locks;
}

/**
 * The right password clears the budget it was charged to. An address only gets this attempt back:
 * one good password must not wipe the failures others made from the same address. A trusted
 * browser's success leaves the untrusted lock alone: the user signing in does not unlock the attacker.
 */
export async function passwordAttemptSucceeded(db: Db, budgets: PasswordBudgets): Promise<void> {
  const shared = budgets.filter((b) => b.scope === 'address').map((b) => b.key);
  await attemptsSucceeded(
    db,
    budgets.filter((b) => b.scope !== 'address').map((b) => b.key),
    shared,
  );
}
