import type { Db } from './connection.ts';

/**
 * How many second factors the user has: authenticator apps and passkeys alike (rules 1–6 treat
 * them the same; having either means enrolled).
 */
export async function countSecondFactors(db: Db, userId: string): Promise<number> {
  const result = await db.raw(
    `select (select count(*) from authenticators where user_id = ?) + (select count(*) from webauthn_credentials where user_id = ?) as count`,
    [userId, userId],
  );
  return Number((result.rows as { count: string | number }[])[0]?.count ?? 0);
}

// What counts as a second factor is defined here and nowhere else: a new kind of factor is added
// to both expressions below, and every count, filter and summary follows.

/** SQL condition, for a query over `users as u`: the user has at least one second factor of any kind. */
export const HAS_SECOND_FACTOR_SQL =
  '(exists (select 1 from authenticators a where a.user_id = u.id) or exists (select 1 from webauthn_credentials w where w.user_id = u.id))';

/** SQL expression, for a query over `users as u`: how many second factors of any kind the user has. */
export const SECOND_FACTOR_COUNT_SQL =
  '((select count(*) from authenticators a where a.user_id = u.id) + (select count(*) from webauthn_credentials w where w.user_id = u.id))::int';
