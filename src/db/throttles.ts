import { deletedCount, type Db } from './connection.ts';

export type ThrottleRow = { key: string; failures: number; locks: number; locked_until: Date | null; updated_at: Date };

export async function findThrottle(db: Db, key: string): Promise<ThrottleRow | undefined> {
  return db<ThrottleRow>('throttles').where({ key }).first();
}

/**
 * Counts one attempt against each key atomically, in one statement, before it is checked, and
 * returns the rows afterwards (a password attempt counts against the account and the address at
 * once). A locked key is not counted. Attempts older than `windowStart` are forgotten (a few typos
 * spread over weeks never add up to a lock), and so are past locks older than `forgetLocksBefore`.
 * Keys are taken in a fixed order, so two such statements never wait on each other's rows in a cycle.
 */
export async function countAttempts(db: Db, keys: string[], now: Date, windowStart: Date, forgetLocksBefore: Date): Promise<Map<string, ThrottleRow>> {
  const sorted = [...new Set(keys)].sort();
  const result = await db.raw(
    `insert into throttles (key, failures, locks, updated_at) select k, 1, 0, ? from unnest(?::text[]) with ordinality as t(k, n) order by n
     on conflict (key) do update set
       failures = case
         when throttles.locked_until > ? then throttles.failures
         when throttles.updated_at < ? then 1
         else throttles.failures + 1 end,
       locks = case when throttles.locked_until < ? then 0 else throttles.locks end,
       updated_at = case when throttles.locked_until > ? then throttles.updated_at else excluded.updated_at end
     returning *`,
    [now, sorted, now, windowStart, forgetLocksBefore, now],
  );
  return new Map((result.rows as ThrottleRow[]).map((row) => [row.key, row]));
}

/**
 * After a success, in one statement: `clear` keys are deleted (the attempt cleared them), `uncount`
 * keys (shared ones, such as an address) only give this attempt back.
 */
export async function settleSuccess(db: Db, clear: string[], uncount: string[]): Promise<void> {
  await db.raw(
    `with cleared as (delete from throttles where key = any(?::text[]) returning key)
     update throttles set failures = failures - 1 where key = any(?::text[]) and failures > 0`,
    [clear, uncount],
  );
}

/**
 * Locks the key unless it is locked already; the condition is re-checked under the row lock, so
 * of many requests racing to lock it, one does and the lock length grows only once.
 */
export async function lockUnlessLocked(db: Db, key: string, until: (locks: number) => Date, now: Date): Promise<Date> {
  return db.transaction(async (trx) => {
    const row = await trx<ThrottleRow>('throttles').where({ key }).forUpdate().first();
    if (row?.locked_until && row.locked_until > now) return row.locked_until;
    const lockedUntil = until(row?.locks ?? 0);
    await trx('throttles')
      .where({ key })
      .update({ failures: 0, locks: (row?.locks ?? 0) + 1, locked_until: lockedUntil, updated_at: now });
    return lockedUntil;
  });
}

export async function clearThrottle(db: Db, key: string): Promise<boolean> {
  return deletedCount(await db('throttles').where({ key }).delete()) > 0;
}

/** A LIKE pattern for keys starting with `prefix`; keys hold base64url, whose `_` is a wildcard. */
const startingWith = (prefix: string) => `${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

function keysOrPrefixes(db: Db, keys: string[], prefixes: string[]) {
  return db<ThrottleRow>('throttles').where((w) => {
    w.whereIn('key', keys);
    // Served by the text_pattern_ops index of migration 0006.
    for (const prefix of prefixes) w.orWhere('key', 'like', startingWith(prefix));
  });
}

/** Rows locked at `now` among `keys` and the keys starting with any of `prefixes`. */
export async function listLockedThrottles(db: Db, keys: string[], prefixes: string[], now: Date): Promise<ThrottleRow[]> {
  if (!keys.length && !prefixes.length) return [];
  return keysOrPrefixes(db, keys, prefixes).andWhere('locked_until', '>', now);
}

/** Deletes `keys` and the keys starting with any of `prefixes` in one statement; returns the keys deleted. */
export async function deleteThrottles(db: Db, keys: string[], prefixes: string[]): Promise<string[]> {
  if (!keys.length && !prefixes.length) return [];
  const rows = await keysOrPrefixes(db, keys, prefixes).delete().returning('key');
  return (rows as { key: string }[]).map((r) => r.key);
}

/**
 * Deletes at most `limit` counters that no longer hold anything: no attempt and no lock within
 * `forgetAfterSeconds`, after which the next attempt would start them afresh anyway. Without it a
 * guessing run over made-up e-mails or many addresses would leave its rows forever.
 */
export async function deleteForgottenThrottles(db: Db, limit: number, forgetAfterSeconds: number): Promise<number> {
  return deletedCount(
    await db.raw(
      `delete from throttles where ctid = any(array(
         select ctid from throttles
         where updated_at < now() - make_interval(secs => ?)
           and (locked_until is null or locked_until < now() - make_interval(secs => ?))
         limit ?))`,
      [forgetAfterSeconds, forgetAfterSeconds, limit],
    ),
  );
}
