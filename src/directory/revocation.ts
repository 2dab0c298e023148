// Ends everything a user is signed in with: SSO sessions, grants, codes and tokens (every
// oidc-provider artefact carries the account id), and console sessions. A relying party's next
// refresh fails and the next sign-in meets the workspace's rules afresh (S15).
import type { Db } from '../db/connection.ts';
import { deleteModelsOfAccount, listLiveSessionsOf } from '../db/oidc-models.ts';
import { deleteConsoleSessionsOf } from '../db/console-sessions.ts';

export async function endSessionsAndGrants(db: Db, userId: string): Promise<{ oidcArtefacts: number; consoleSessions: number }> {
  const oidcArtefacts = await deleteModelsOfAccount(db, userId);
  const consoleSessions = await deleteConsoleSessionsOf(db, userId);
  return { oidcArtefacts, consoleSessions };
}

/** Live SSO sessions of a user, for the admin's user page. */
export async function listSsoSessions(
  db: Db,
  userId: string,
): Promise<{ id: string; loginTs?: number; expiresAt: Date | null; amr?: string[]; acr?: string }[]> {
  return (await listLiveSessionsOf(db, userId)).map(({ id, payload, expiresAt }) => {
    const { loginTs, amr, acr } = payload as { loginTs?: number; amr?: string[]; acr?: string };
    return { id, loginTs, expiresAt, amr, acr };
  });
}
