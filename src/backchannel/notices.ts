// Who must be told that a user's sessions ended (OpenID Connect Back-Channel Logout 1.0), written
// to the outbox in the caller's transaction. The relying parties to tell are those registered with
// a back-channel logout URI that hold a session of the user (each told the `sid` its ID tokens
// carried) or, without a session, a grant (told the `sub` alone, which ends all of the user's
// sessions there: §2.4 allows a logout token with `sub` and no `sid`).
import type { Db } from '../db/connection.ts';
import { clientsWithBackchannelLogout } from '../db/clients.ts';
import { insertLogoutNotices } from '../db/logout-notices.ts';
import { findUserById } from '../db/users.ts';
import type { OidcPayload } from '../db/oidc-models.ts';

/** How long a notice is retried before it is given up (and the failure audited). */
export const DELIVERY_WINDOW_MS = 60 * 60 * 1000;

export type LogoutReason = 'sign_out' | 'sessions_ended' | 'session_ended';

/** A relying party holding a session (with its sid) or only a grant (sid null). */
export type SessionHolder = { clientId: string; sid: string | null };

type Authorizations = Record<string, { sid?: string; grantId?: string }>;

/** The clients a stored Session payload signed in, each with its sid and grant id. */
export function authorizationsOf(session: OidcPayload): { clientId: string; sid: string | null; grantId: string | undefined }[] {
  const authorizations = (session.authorizations ?? {}) as Authorizations;
  return Object.entries(authorizations).map(([clientId, { sid, grantId }]) => ({ clientId, sid: sid ?? null, grantId }));
}

/** Holders from the user's sessions and grants; a client told about a session is not told again for its grant. */
export function holdersOf(rows: { model: 'Session' | 'Grant'; payload: OidcPayload }[]): SessionHolder[] {
  const holders: SessionHolder[] = [];
  for (const row of rows) {
    if (row.model === 'Session') holders.push(...authorizationsOf(row.payload).map(({ clientId, sid }) => ({ clientId, sid })));
  }
  const withSession = new Set(holders.map((h) => h.clientId));
  for (const row of rows) {
    const clientId = row.payload.clientId;
    if (row.model === 'Grant' && typeof clientId === 'string' && !withSession.has(clientId)) {
      holders.push({ clientId, sid: null });
      withSession.add(clientId);
    }
  }
  return holders;
}

/** Writes one notice per holder registered for back-channel logout; returns how many. */
export async function enqueueLogoutNotices(db: Db, accountId: string, holders: SessionHolder[], reason: LogoutReason): Promise<number> {
  const registered = await clientsWithBackchannelLogout(db, [...new Set(holders.map((h) => h.clientId))]);
  const seen = new Set<string>();
  const wanted = holders.filter((h) => {
    const key = `${h.clientId}\n${h.sid ?? ''}`;
    if (!registered.has(h.clientId) || seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  if (!wanted.length) return 0;
  const user = await findUserById(db, accountId);
  const giveUpAt = new Date(Date.now() + DELIVERY_WINDOW_MS);
  await insertLogoutNotices(
    db,
    wanted.map((h) => ({ client_id: h.clientId, account_id: accountId, workspace_id: user?.workspace_id ?? null, sid: h.sid, reason, give_up_at: giveUpAt })),
  );
  return wanted.length;
}
