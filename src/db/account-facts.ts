// Everything a sign-in decision reads about one user, in one statement: the user, the workspace
// and how many second factors (authenticator apps and passkeys) the user has. The MFA rules,
// findAccount and the refresh gate each needed all three and read them with three queries,
// several times per sign-in.
import type { Db } from './connection.ts';
import { requestMemo } from '../http/request-scope.ts';
import type { UserRow } from './users.ts';
import type { WorkspaceRow } from './workspaces.ts';

export type AccountFacts = {
  user: UserRow;
  workspace: WorkspaceRow;
  /** Second factors of any kind, apps and passkeys alike: rules 1–6 treat either as "enrolled". */
  authenticatorCount: number;
  /** Of those, passkeys and security keys: a sign-in offers them first. */
  passkeyCount: number;
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The same test in SQL, for a user id read from a row (src/db/oidc-models.ts). */
export const UUID_SQL = '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$';

export type FactsRow = UserRow & {
  ws_slug: string;
  ws_display_name: string;
  ws_mfa_policy: WorkspaceRow['mfa_policy'];
  ws_time_zone: string;
  ws_created_at: Date;
  ws_updated_at: Date;
  app_count: string | number;
  passkey_count: string | number;
};

/**
 * The facts of the user whose id is the SQL expression `userId`, as one row. Shared with the
 * token read of src/db/oidc-models.ts, which brings the facts of a token's account along.
 */
export function accountFactsSql(userId: string): string {
  return `select u.*, w.slug as ws_slug, w.display_name as ws_display_name, w.mfa_policy as ws_mfa_policy, w.time_zone as ws_time_zone,
      w.created_at as ws_created_at, w.updated_at as ws_updated_at,
      (select count(*) from authenticators a where a.user_id = u.id) as app_count,
      (select count(*) from webauthn_credentials c where c.user_id = u.id) as passkey_count
    from users u join workspaces w on w.id = u.workspace_id where u.id = ${userId}`;
}

export function factsOf(row: FactsRow): AccountFacts {
  const { ws_slug, ws_display_name, ws_mfa_policy, ws_time_zone, ws_created_at, ws_updated_at, app_count, passkey_count, ...user } = row;
  return {
    user: user as UserRow,
    workspace: {
      id: user.workspace_id,
      slug: ws_slug,
      display_name: ws_display_name,
      mfa_policy: ws_mfa_policy,
      time_zone: ws_time_zone,
      created_at: ws_created_at,
      updated_at: ws_updated_at,
    },
    authenticatorCount: Number(app_count) + Number(passkey_count),
    passkeyCount: Number(passkey_count),
  };
}

// Facts read along with a token in this request answer the next findAccountFacts of that user,
// once: a token request (userinfo, refresh, code exchange) reads its token and then asks
// findAccount about the token's user, and nothing in between changes the user.
const PREFETCHED = 'account_facts\n';

export function rememberAccountFacts(userId: string, facts: AccountFacts | undefined): void {
  requestMemo()?.set(PREFETCHED + userId, facts);
}

export async function findAccountFacts(db: Db, userId: string): Promise<AccountFacts | undefined> {
  // Ids arrive from cookies and tokens; a malformed one is simply not found.
  if (!UUID.test(userId)) return undefined;
  const memo = requestMemo();
  if (memo?.has(PREFETCHED + userId)) {
    const facts = memo.get(PREFETCHED + userId) as AccountFacts | undefined;
    memo.delete(PREFETCHED + userId);
    return facts;
  }
  const row = (await db.raw(`${accountFactsSql('?')} limit 1`, [userId])).rows[0] as FactsRow | undefined;
  return row ? factsOf(row) : undefined;
}
