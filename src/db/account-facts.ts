// Everything a sign-in decision reads about one user, in one statement: the user, the workspace
// and how many authenticators the user has. The MFA rules, findAccount and the refresh gate each
// needed all three and read them with three queries, several times per sign-in.
import type { Db } from './connection.ts';
import type { UserRow } from './users.ts';
import type { WorkspaceRow } from './workspaces.ts';

export type AccountFacts = { user: UserRow; workspace: WorkspaceRow; authenticatorCount: number };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

type Row = UserRow & {
  ws_slug: string;
  ws_display_name: string;
  ws_mfa_policy: WorkspaceRow['mfa_policy'];
  ws_created_at: Date;
  ws_updated_at: Date;
  authenticator_count: string | number;
};

export async function findAccountFacts(db: Db, userId: string): Promise<AccountFacts | undefined> {
  // Ids arrive from cookies and tokens; a malformed one is simply not found.
  if (!UUID.test(userId)) return undefined;
  const row = await db('users as u')
    .join('workspaces as w', 'w.id', 'u.workspace_id')
    .where('u.id', userId)
    .first<Row | undefined>(
      'u.*',
      'w.slug as ws_slug',
      'w.display_name as ws_display_name',
      'w.mfa_policy as ws_mfa_policy',
      'w.created_at as ws_created_at',
      'w.updated_at as ws_updated_at',
      db.raw('(select count(*) from authenticators a where a.user_id = u.id) as authenticator_count'),
    );
  if (!row) return undefined;
  const { ws_slug, ws_display_name, ws_mfa_policy, ws_created_at, ws_updated_at, authenticator_count, ...user } = row;
  return {
    user: user as UserRow,
    workspace: {
      id: user.workspace_id,
      slug: ws_slug,
      display_name: ws_display_name,
      mfa_policy: ws_mfa_policy,
      created_at: ws_created_at,
      updated_at: ws_updated_at,
    },
    authenticatorCount: Number(authenticator_count),
  };
}
