// Gathers what the MFA rules look at, from the database, for one user and one client.
import type { Db } from '../db/connection.ts';
import type { UserRow } from '../db/users.ts';
import type { WorkspaceRow } from '../db/workspaces.ts';
import { findAccountFacts } from '../db/account-facts.ts';
import { mfaReasons, type MfaFacts, type MfaReason } from './rules.ts';

export type MfaContext = { user: UserRow; workspace: WorkspaceRow; authenticatorCount: number; reasons: MfaReason[] };

export async function mfaContext(
  db: Db,
  userId: string,
  client: { requireMfa: boolean; adminConsole?: boolean },
  request: MfaFacts['request'],
): Promise<MfaContext | undefined> {
  const facts = await findAccountFacts(db, userId);
  if (!facts) return undefined;
  const { user, workspace, authenticatorCount } = facts;
  const reasons = mfaReasons({
    user: { role: user.role, authenticatorCount },
    workspace: { mfaPolicy: workspace.mfa_policy },
    client,
    request,
  });
  return { user, workspace, authenticatorCount, reasons };
}
