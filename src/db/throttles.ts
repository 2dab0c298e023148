import { deletedCount, type Db } from './connection.ts';

export type ThrottleRow = { key: string; failures: number; locks: number; locked_until: Date | null; updated_at: Date };

export async function findThrottle(db: Db, key: string): Promise<ThrottleRow | undefined> {
  return db<ThrottleRow>('throttles').where({ key }).first();
}

/**
 * Adds one failure atomically and returns the row as it is afterwards. Failures older than
 * `windowStart` are forgotten, so a handful of typos spread over weeks never add up to a lock.
 */
export async function addFailure(db: Db, key: string, now: Date, windowStart: Date): Promise<ThrottleRow> {
  const result = await db.raw(
    `insert into throttles (key, failures, locks, updated_at) values (?, 1, 0, ?)
     on conflict (key) do update set
       failures = case when throttles.updated_at < ? then 1 else throttles.failures + 1 end,
       updated_at = excluded.updated_at
     returning *`,
    [key, now, windowStart],
  );
  return (result.rows as ThrottleRow[])[0]!;
}

export async function lockThrottle(db: Db, key: string, until: Date, now: Date): Promise<void> {
  await db('throttles').where({ key }).update({ failures: 0, locks: db.raw('locks + 1'), locked_until: until, updated_at: now });
}

export async function clearThrottle(db: Db, key: string): Promise<boolean> {
  return deletedCount(await db('throttles').where({ key }).delete()) > 0;
}

export async function listThrottles(db: Db, keys: string[]): Promise<ThrottleRow[]> {
  return keys.length ? db<ThrottleRow>('throttles').whereIn('key', keys) : [];
}
