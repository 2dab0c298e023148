// Creating workspaces and changing their settings, with the input rules the command line and the demo seed share.
import type { Db } from '../db/connection.ts';
import {
  findWorkspaceBySlug,
  insertWorkspace,
  updateWorkspaceTimeZone,
  isMfaPolicy,
  MFA_POLICIES,
  type MfaPolicy,
  type WorkspaceRow,
} from '../db/workspaces.ts';
import { countUsersWithoutAuthenticator } from '../db/users.ts';
import { canonicalTimeZone } from '../i18n/time.ts';

export class InvalidInput extends Error {}

const SLUG = /^[a-z0-9][a-z0-9-]{1,62}$/;

export function parseMfaPolicy(value: string): MfaPolicy {
  if (!isMfaPolicy(value)) {
    throw new InvalidInput(`MFA policy must be one of ${MFA_POLICIES.join(', ')} (got "${value}")`);
  }
  return value;
}

/** An IANA time zone name in the runtime's spelling; `UTC` included. */
export function parseTimeZone(value: string): string {
  const zone = canonicalTimeZone(value);
  if (!zone) throw new InvalidInput(`time zone "${value.trim()}" is not an IANA time zone name; use a name such as Asia/Tokyo, Europe/Berlin or UTC`);
  return zone;
}

export async function createWorkspace(db: Db, input: { slug: string; displayName: string; mfaPolicy?: string; timeZone?: string }): Promise<WorkspaceRow> {
  const slug = input.slug.trim();
  if (!SLUG.test(slug)) {
    throw new InvalidInput(`workspace slug "${slug}" must be 2–63 lowercase letters, digits or hyphens, starting with a letter or digit`);
  }
  const displayName = input.displayName.trim();
  if (!displayName || displayName.length > 200) throw new InvalidInput('workspace name must be 1–200 characters');
  const mfaPolicy = parseMfaPolicy(input.mfaPolicy ?? 'optional');
  const timeZone = parseTimeZone(input.timeZone ?? 'UTC');
  if (await findWorkspaceBySlug(db, slug)) throw new InvalidInput(`a workspace with slug "${slug}" already exists`);
  return insertWorkspace(db, { slug, displayName, mfaPolicy, timeZone });
}

/** Users who will meet enrolment at their next sign-in if `policy` is in force. Never deletes anything. */
export async function usersToEnrolUnder(db: Db, workspaceId: string, policy: MfaPolicy): Promise<number> {
  if (policy === 'optional') return 0;
  return countUsersWithoutAuthenticator(db, workspaceId, policy === 'required_for_admins' ? ['user_admin', 'workspace_admin'] : undefined);
}

/**
 * Changes a workspace's MFA policy. Authenticators are never touched, and sessions are not ended:
 * live sessions without MFA are stepped up at their next authorization request instead.
 */
export async function changeMfaPolicy(
  db: Db,
  slug: string,
  policyInput: string,
): Promise<{ workspace: WorkspaceRow; previous: MfaPolicy; usersToEnrol: number }> {
  const policy = parseMfaPolicy(policyInput);
  const current = await findWorkspaceBySlug(db, slug);
  if (!current) throw new InvalidInput(`no workspace with slug "${slug}"`);
  const [workspace] = await db<WorkspaceRow>('workspaces')
    .where({ id: current.id })
    .update({ mfa_policy: policy, updated_at: db.fn.now() as unknown as Date })
    .returning('*');
  return { workspace: workspace as WorkspaceRow, previous: current.mfa_policy, usersToEnrol: await usersToEnrolUnder(db, current.id, policy) };
}

/** Changes the zone the workspace's pages show times in; stored times and exports stay UTC. */
export async function changeTimeZone(db: Db, slug: string, zoneInput: string): Promise<{ workspace: WorkspaceRow; previous: string }> {
  const zone = parseTimeZone(zoneInput);
  const current = await findWorkspaceBySlug(db, slug);
  if (!current) throw new InvalidInput(`no workspace with slug "${slug}"`);
  return { workspace: await updateWorkspaceTimeZone(db, current.id, zone), previous: current.time_zone };
}
