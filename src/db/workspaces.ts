import type { Db } from './connection.ts';

export type MfaPolicy = 'optional' | 'required_for_admins' | 'required';
export const MFA_POLICIES: readonly MfaPolicy[] = ['optional', 'required_for_admins', 'required'];
export const isMfaPolicy = (value: string): value is MfaPolicy => (MFA_POLICIES as readonly string[]).includes(value);

export type WorkspaceRow = {
  id: string;
  slug: string;
  display_name: string;
  mfa_policy: MfaPolicy;
  /** IANA time zone name; every time on the admin and account pages is shown in it. */
  time_zone: string;
  created_at: Date;
  updated_at: Date;
};

export async function insertWorkspace(db: Db, values: { slug: string; displayName: string; mfaPolicy: MfaPolicy; timeZone?: string }): Promise<WorkspaceRow> {
  const [row] = await db<WorkspaceRow>('workspaces')
    .insert({ slug: values.slug, display_name: values.displayName, mfa_policy: values.mfaPolicy, ...(values.timeZone ? { time_zone: values.timeZone } : {}) })
    .returning('*');
  return row as WorkspaceRow;
}

export async function findWorkspaceBySlug(db: Db, slug: string): Promise<WorkspaceRow | undefined> {
  return db<WorkspaceRow>('workspaces').where({ slug }).first();
}

export async function findWorkspaceById(db: Db, id: string): Promise<WorkspaceRow | undefined> {
  return db<WorkspaceRow>('workspaces').where({ id }).first();
}

export async function countWorkspaces(db: Db): Promise<number> {
  const row = await db('workspaces').count<{ count: string | number }[]>({ count: '*' }).first();
  return Number(row?.count ?? 0);
}

export async function updateWorkspaceTimeZone(db: Db, id: string, timeZone: string): Promise<WorkspaceRow> {
  const [row] = await db<WorkspaceRow>('workspaces')
    .where({ id })
    .update({ time_zone: timeZone, updated_at: db.fn.now() as unknown as Date })
    .returning('*');
  return row as WorkspaceRow;
}
