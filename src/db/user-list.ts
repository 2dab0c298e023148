// The users list of one workspace: filters, sort, a page or every row (the CSV export), and the
// summary counts. What "has a second factor" means comes from ./second-factors.ts; what "locked"
// means comes from the caller (src/mfa/user-locks.ts owns the throttle keys), as a condition over
// `users as u` and `locked_keys`.
import type { Knex } from 'knex';
import type { Db } from './connection.ts';
import type { Role, UserStatus } from './users.ts';
import type { CanonicalEmail } from '../identity/email.ts';
import { HAS_SECOND_FACTOR_SQL, SECOND_FACTOR_COUNT_SQL } from './second-factors.ts';

export const USER_SORTS = ['email', 'name', 'role', 'status', 'mfa', 'created'] as const;
export type UserSort = (typeof USER_SORTS)[number];
export type SortDir = 'asc' | 'desc';

export type UserListFilter = {
  workspaceId: string;
  /** Already folded for the e-mail column (`emailLike`) and raw for the name (`nameLike`); both LIKE patterns. */
  search?: { emailLike: string; nameLike: string; email?: CanonicalEmail };
  mfa?: 'none' | 'enrolled';
  status?: 'locked' | 'disabled';
  role?: Role;
};

export type UserListRow = {
  id: string;
  name: string;
  email: CanonicalEmail;
  role: Role;
  status: UserStatus;
  created_at: Date;
  mfa_required_at: Date | null;
  second_factors: number;
  recovery_codes: number;
  locked: boolean;
};

/** Condition over `users as u` (with `locked_keys`): the user has a lock; see src/mfa/user-locks.ts. */
export type LockedCondition = string;

const ROLE_RANK = "case u.role when 'member' then 0 when 'user_admin' then 1 else 2 end";

function sortExpression(sort: UserSort, locked: LockedCondition): string {
  switch (sort) {
    case 'email':
      return 'u.email';
    // The list shows the name, or the e-mail when there is none: sort by what is shown.
    case 'name':
      return "lower(coalesce(nullif(u.name, ''), u.email))";
    case 'role':
      return ROLE_RANK;
    case 'status':
      return `case when u.status = 'disabled' then 2 when ${locked} then 1 else 0 end`;
    case 'mfa':
      return SECOND_FACTOR_COUNT_SQL;
    case 'created':
      return 'u.created_at';
  }
}

/** Throttle keys locked at `now`: few rows, so each user's lock test scans this instead of the table. */
const withLockedKeys = (db: Db, now: Date) => db.queryBuilder().with('locked_keys', db.raw('select key from throttles where locked_until > ?', [now]));

function applyFilter(q: Knex.QueryBuilder, filter: UserListFilter, locked: LockedCondition): Knex.QueryBuilder {
  q.where('u.workspace_id', filter.workspaceId);
  const { search } = filter;
  if (search) {
    q.andWhere((w) => {
      w.whereRaw("u.email like ? escape '\\'", [search.emailLike]).orWhereRaw("u.name ilike ? escape '\\'", [search.nameLike]);
      if (search.email) w.orWhere('u.email', search.email);
    });
  }
  if (filter.mfa === 'none') q.whereRaw(`not ${HAS_SECOND_FACTOR_SQL}`);
  if (filter.mfa === 'enrolled') q.whereRaw(HAS_SECOND_FACTOR_SQL);
  if (filter.status === 'locked') q.whereRaw(locked);
  if (filter.status === 'disabled') q.where('u.status', 'disabled');
  if (filter.role) q.where('u.role', filter.role);
  return q;
}

/** One window of the filtered list, in the given order with the id as tiebreak, so pages never overlap. */
export async function listUsers(
  db: Db,
  filter: UserListFilter,
  order: { sort: UserSort; dir: SortDir },
  window: { limit: number; offset: number },
  locked: LockedCondition,
  now: Date,
): Promise<UserListRow[]> {
  const q = withLockedKeys(db, now)
    .from('users as u')
    .select('u.id', 'u.name', 'u.email', 'u.role', 'u.status', 'u.created_at', 'u.mfa_required_at')
    .select(db.raw(`${SECOND_FACTOR_COUNT_SQL} as second_factors`))
    .select(db.raw('(select count(*) from recovery_codes r where r.user_id = u.id and r.used_at is null)::int as recovery_codes'))
    .select(db.raw(`(${locked}) as locked`));
  applyFilter(q, filter, locked)
    .orderByRaw(`${sortExpression(order.sort, locked)} ${order.dir}, u.id asc`)
    .limit(window.limit)
    .offset(window.offset);
  const rows = (await q) as UserListRow[];
  return rows.map((r) => ({ ...r, second_factors: Number(r.second_factors), recovery_codes: Number(r.recovery_codes), locked: Boolean(r.locked) }));
}

export type UserCounts = { total: number; withoutSecondFactor: number; locked: number; disabled: number };

/** The summary line's counts over the whole workspace; each equals the rows of its filter. */
export async function countUsers(db: Db, workspaceId: string, locked: LockedCondition, now: Date): Promise<UserCounts> {
  const row = (await withLockedKeys(db, now)
    .from('users as u')
    .where('u.workspace_id', workspaceId)
    .select(
      db.raw('count(*)::int as total'),
      db.raw(`(count(*) filter (where not ${HAS_SECOND_FACTOR_SQL}))::int as without`),
      db.raw(`(count(*) filter (where ${locked}))::int as locked`),
      db.raw("(count(*) filter (where u.status = 'disabled'))::int as disabled"),
    )
    .first()) as { total: number; without: number; locked: number; disabled: number };
  return { total: Number(row.total), withoutSecondFactor: Number(row.without), locked: Number(row.locked), disabled: Number(row.disabled) };
}
