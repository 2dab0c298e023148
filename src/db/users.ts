import type { Db } from './connection.ts';
import type { CanonicalEmail } from '../identity/email.ts';
import { HAS_SECOND_FACTOR_SQL } from './second-factors.ts';

export type Role = 'member' | 'user_admin' | 'workspace_admin';
export const ROLES: readonly Role[] = ['member', 'user_admin', 'workspace_admin'];
/** User admins and workspace admins: who may open /admin and whom `required_for_admins` covers. */
export const isAdminRole = (role: Role): boolean => role === 'user_admin' || role === 'workspace_admin';
export type UserStatus = 'active' | 'disabled';

export type UserRow = {
  id: string;
  workspace_id: string;
  email: CanonicalEmail;
  email_verified: boolean;
  name: string;
  role: Role;
  status: UserStatus;
  password_hash: string | null;
  /** Since when an admin or the operator requires MFA of this user (rule 6); null when nobody does. */
  mfa_required_at: Date | null;
  created_at: Date;
  updated_at: Date;
};

export async function insertUser(
  db: Db,
  values: { workspaceId: string; email: CanonicalEmail; name: string; role: Role; passwordHash: string | null; emailVerified: boolean },
): Promise<UserRow> {
  const [row] = await db<UserRow>('users')
    .insert({
      workspace_id: values.workspaceId,
      email: values.email,
      name: values.name,
      role: values.role,
      password_hash: values.passwordHash,
      email_verified: values.emailVerified,
    })
    .returning('*');
  return row as UserRow;
}

/** Plain equality on the canonical form, which the unique index holds (no SQL lower(): see src/identity/email.ts). */
export async function findUserByEmail(db: Db, email: CanonicalEmail): Promise<UserRow | undefined> {
  return db<UserRow>('users').where({ email }).first();
}

export async function findUserById(db: Db, id: string): Promise<UserRow | undefined> {
  // Ids arrive from cookies and tokens; a malformed one is simply not found.
  if (!/^[0-9a-f-]{36}$/i.test(id)) return undefined;
  return db<UserRow>('users').where({ id }).first();
}

/** Active users of a workspace, with one of `roles` (all roles when omitted), who have no second factor of any kind. */
export async function countUsersWithoutAuthenticator(db: Db, workspaceId: string, roles?: readonly Role[]): Promise<number> {
  const q = db('users as u').where({ 'u.workspace_id': workspaceId, 'u.status': 'active' }).whereRaw(`not ${HAS_SECOND_FACTOR_SQL}`);
  if (roles) q.whereIn('u.role', roles as Role[]);
  const row = await q.count<{ count: string }[]>({ count: '*' }).first();
  return Number(row?.count ?? 0);
}

/** Holds the user's row until the transaction ends: changes to one user's factors run one at a time. */
export async function lockUserRow(trx: Db, userId: string): Promise<void> {
  await trx('users').where({ id: userId }).forUpdate().first('id');
}

/** Rule 6 on or off for one user; turning it on keeps the time it was first required. */
export async function setMfaRequired(db: Db, userId: string, required: boolean, now: Date): Promise<void> {
  await db('users')
    .where({ id: userId })
    .update({ mfa_required_at: required ? db.raw('coalesce(mfa_required_at, ?)', [now]) : null, updated_at: now });
}
