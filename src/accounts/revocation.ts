// Ends everything a user is signed in with: SSO sessions, grants, codes and tokens (every
// oidc-provider artefact carries the account id), and console sessions. A relying party's next
// refresh fails and the next sign-in meets the workspace's rules afresh (S15).
import type { Db } from '../db/connection.ts';
import { deletedCount } from '../db/connection.ts';
import { deleteConsoleSessionsOf } from '../db/console-sessions.ts';

export async function endSessionsAndGrants(db: Db, userId: string): Promise<{ oidcArtefacts: number; consoleSessions: number }> {
  const oidcArtefacts = deletedCount(await db('oidc_models').where({ account_id: userId }).delete());
  const consoleSessions = await deleteConsoleSessionsOf(db, userId);
  return { oidcArtefacts, consoleSessions };
}

/** Live SSO sessions of a user, for the admin's user page. */
export async function listSsoSessions(db: Db, userId: string): Promise<{ id: string; loginTs?: number; expiresAt: Date | null; amr?: string[]; acr?: string }[]> {
  const rows = await db('oidc_models')
    .select('id', 'payload', 'expires_at')
    .where({ model: 'Session', account_id: userId })
    .andWhere((q) => q.whereNull('expires_at').orWhere('expires_at', '>', db.fn.now()));
  return rows.map((row: { id: string; payload: unknown; expires_at: Date | null }) => {
    const payload = (typeof row.payload === 'string' ? JSON.parse(row.payload) : row.payload) as { loginTs?: number; amr?: string[]; acr?: string };
    return { id: row.id, loginTs: payload.loginTs, expiresAt: row.expires_at, amr: payload.amr, acr: payload.acr };
  });
}
