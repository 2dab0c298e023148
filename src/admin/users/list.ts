// The users list as admins use it: who has no second factor, who is locked or disabled, by role,
// in any order, a page at a time or all at once as CSV. View models only: plain objects, never rows.
import type { Db } from '../../db/connection.ts';
import type { Role, UserStatus } from '../../db/users.ts';
import { countUsers, listUsers, type UserCounts, type UserListFilter, type UserListRow } from '../../db/user-list.ts';
import { canonicalEmail, foldEmailText } from '../../identity/email.ts';
import { USER_LOCKED_SQL } from '../../mfa/user-locks.ts';
import { csvCell } from '../../audit/export.ts';
import { formatTime, locksOf, type Locks } from './overview.ts';
import type { ListQuery } from './list-query.ts';

export const PAGE_SIZE = 25;
const EXPORT_BATCH = 500;

export type UserListItem = {
  id: string;
  name: string;
  email: string;
  role: Role;
  status: UserStatus;
  /** Second factors of any kind: authenticator apps and passkeys. */
  secondFactors: number;
  recoveryCodes: number;
  /** Rule 6: an admin or the operator requires MFA of this user. */
  mfaRequired: boolean;
  locks: Locks;
  /** As the workspace's clock shows it. */
  created: string;
};

/** `%`, `_` and `\` typed into the search box match themselves. */
const likePattern = (q: string) => `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

function filterOf(workspaceId: string, query: ListQuery): UserListFilter {
  const filter: UserListFilter = {
    workspaceId,
    ...(query.mfa ? { mfa: query.mfa } : {}),
    ...(query.status ? { status: query.status } : {}),
    ...(query.role ? { role: query.role } : {}),
  };
  if (query.q) {
    // E-mails are stored canonical: the typed text is folded the same way (ＡＬＩＣＥ finds alice),
    // and a whole address also matches through its canonical form (an IDN domain is stored as punycode).
    const whole = canonicalEmail(query.q);
    filter.search = { emailLike: likePattern(foldEmailText(query.q)), nameLike: likePattern(query.q), ...(whole.ok ? { email: whole.email } : {}) };
  }
  return filter;
}

export async function userList(db: Db, workspaceId: string, query: ListQuery, now: Date, timeZone: string) {
  const rows = await listUsers(db, filterOf(workspaceId, query), query, { limit: PAGE_SIZE + 1, offset: (query.page - 1) * PAGE_SIZE }, USER_LOCKED_SQL, now);
  const shown = rows.slice(0, PAGE_SIZE);
  const locks = await locksOf(db, shown, now, timeZone);
  const users: UserListItem[] = shown.map((r) => ({
    id: r.id,
    name: r.name,
    email: r.email,
    role: r.role,
    status: r.status,
    secondFactors: r.second_factors,
    recoveryCodes: r.recovery_codes,
    mfaRequired: r.mfa_required_at !== null,
    locks: locks.get(r.id) ?? {},
    created: formatTime(r.created_at, timeZone),
  }));
  return { users, hasPrev: query.page > 1, hasNext: rows.length > PAGE_SIZE };
}

export function userCounts(db: Db, workspaceId: string, now: Date): Promise<UserCounts> {
  return countUsers(db, workspaceId, USER_LOCKED_SQL, now);
}

const CSV_COLUMNS = ['email', 'name', 'role', 'status', 'second_factors', 'recovery_codes_left', 'mfa_required_by_admin', 'locked', 'created'] as const;

const csvLine = (cells: unknown[]) => `${cells.map(csvCell).join(',')}\r\n`;

function csvRecord(r: UserListRow): string {
  // Codes, not words, and UTC: the file is read by programs and by admins in any zone alike.
  return csvLine([
    r.email,
    r.name,
    r.role,
    r.status,
    String(r.second_factors),
    String(r.recovery_codes),
    String(r.mfa_required_at !== null),
    String(r.locked),
    new Date(r.created_at).toISOString(),
  ]);
}

/**
 * The whole filtered, sorted list as CSV (RFC 4180, formula cells defused as in the audit export),
 * in batches so a large workspace streams. Batches are windows of one order with the id as
 * tiebreak; a user created or deleted during a long export can shift a row across a batch edge.
 */
export async function* userCsv(db: Db, workspaceId: string, query: ListQuery, now: Date): AsyncGenerator<string> {
  yield csvLine([...CSV_COLUMNS]);
  const filter = filterOf(workspaceId, query);
  for (let offset = 0; ; offset += EXPORT_BATCH) {
    const rows = await listUsers(db, filter, query, { limit: EXPORT_BATCH, offset }, USER_LOCKED_SQL, now);
    if (rows.length) yield rows.map(csvRecord).join('');
    if (rows.length < EXPORT_BATCH) return;
  }
}
