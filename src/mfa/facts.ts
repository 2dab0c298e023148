// Gathers what the MFA rules look at, from the database, for one user and one client.
import type { Db } from '../db/connection.ts';
import { findUserById, type UserRow } from '../db/users.ts';
import { findWorkspaceById, type WorkspaceRow } from '../db/workspaces.ts';
import { countAuthenticators } from '../db/authenticators.ts';
import { mfaReasons, type MfaFacts, type MfaReason } from './rules.ts';

export type MfaContext = { user: UserRow; workspace: WorkspaceRow; authenticatorCount: number; reasons: MfaReason[] };

export async function mfaContext(
  db: Db,
  userId: string,
  client: { requireMfa: boolean; adminConsole?: boolean },
  request: MfaFacts['request'],
): Promise<MfaContext | undefined> {
  const user = await findUserById(db, userId);
  if (!user) return undefined;
  const workspace = await findWorkspaceById(db, user.workspace_id);
  if (!workspace) return undefined;
  const authenticatorCount = await countAuthenticators(db, user.id);
  const reasons = mfaReasons({
    user: { role: user.role, authenticatorCount },
    workspace: { mfaPolicy: workspace.mfa_policy },
    client,
    request,
  });
  return { user, workspace, authenticatorCount, reasons };
}
