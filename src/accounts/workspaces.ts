// Creating workspaces, with the input rules the command line and the demo seed share.
import type { Db } from '../db/connection.ts';
import { findWorkspaceBySlug, insertWorkspace, MFA_POLICIES, type MfaPolicy, type WorkspaceRow } from '../db/workspaces.ts';

export class InvalidInput extends Error {}

const SLUG = /^[a-z0-9][a-z0-9-]{1,62}$/;

export function parseMfaPolicy(value: string): MfaPolicy {
  if (!(MFA_POLICIES as readonly string[]).includes(value)) {
    throw new InvalidInput(`MFA policy must be one of ${MFA_POLICIES.join(', ')} (got "${value}")`);
  }
  return value as MfaPolicy;
}

export async function createWorkspace(
  db: Db,
  input: { slug: string; displayName: string; mfaPolicy?: string },
): Promise<WorkspaceRow> {
  const slug = input.slug.trim();
  if (!SLUG.test(slug)) {
    throw new InvalidInput(`workspace slug "${slug}" must be 2–63 lowercase letters, digits or hyphens, starting with a letter or digit`);
  }
  const displayName = input.displayName.trim();
  if (!displayName || displayName.length > 200) throw new InvalidInput('workspace name must be 1–200 characters');
  const mfaPolicy = parseMfaPolicy(input.mfaPolicy ?? 'optional');
  if (await findWorkspaceBySlug(db, slug)) throw new InvalidInput(`a workspace with slug "${slug}" already exists`);
  return insertWorkspace(db, { slug, displayName, mfaPolicy });
}
