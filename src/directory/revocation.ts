// Ends what a user is signed in with: SSO sessions, grants, codes and tokens (every oidc-provider
// artefact carries the account id), and console sessions. A relying party's next refresh fails and
// the next sign-in meets the workspace's rules afresh (S15). Every relying party registered for
// back-channel logout that held a session or grant is told, through the outbox, in the caller's
// transaction: the notice commits with the change, or neither does.
import type { Db } from '../db/connection.ts';
import { deleteGrant, deleteModelsOfAccount, deleteSessionOf, listLiveSessionsAndGrantsOf, revokeByGrantId } from '../db/oidc-models.ts';
import { deleteConsoleSessionsOf } from '../db/console-sessions.ts';
import { tokenDigest } from '../crypto/token-digest.ts';
import { authorizationsOf, enqueueLogoutNotices, holdersOf } from '../backchannel/notices.ts';

export type Ended = { oidcArtefacts: number; consoleSessions: number; logoutNotices: number };

export async function endSessionsAndGrants(db: Db, userId: string): Promise<Ended> {
  const logoutNotices = await noticeEveryHolder(db, userId);
  const oidcArtefacts = await deleteModelsOfAccount(db, userId);
  const consoleSessions = await deleteConsoleSessionsOf(db, userId);
  return { oidcArtefacts, consoleSessions, logoutNotices };
}

/**
 * Queues back-channel logout notices for every session and grant the user holds, for the callers
 * that delete them their own way (/account keeps the console session making the change).
 */
export async function noticeEveryHolder(db: Db, userId: string): Promise<number> {
  return enqueueLogoutNotices(db, userId, holdersOf(await listLiveSessionsAndGrantsOf(db, userId)), 'sessions_ended');
}

/**
 * Ends one SSO session of the user (by the stored id the session lists show): the session, the
 * grants it made with each client and their tokens, and tells those clients. False when the
 * session is gone or is not the user's. `tokenKey` turns each grant id into its stored id.
 */
export async function endOneSession(db: Db, userId: string, sessionId: string, tokenKey: Buffer): Promise<{ ended: boolean; logoutNotices: number }> {
  const session = await deleteSessionOf(db, userId, sessionId);
  if (!session) return { ended: false, logoutNotices: 0 };
  const authorizations = authorizationsOf(session);
  for (const { grantId } of authorizations) {
    if (!grantId) continue;
    await revokeByGrantId(db, grantId);
    await deleteGrant(db, tokenDigest(tokenKey, grantId));
  }
  const logoutNotices = await enqueueLogoutNotices(
    db,
    userId,
    authorizations.map(({ clientId, sid }) => ({ clientId, sid })),
    'session_ended',
  );
  return { ended: true, logoutNotices };
}
