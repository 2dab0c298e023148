// A user's live SSO sessions as the admin's user page and /account list them: when the user
// signed in, in which browser, how, and with which apps. The id is the session's stored id (a keyed
// hash of the cookie value, src/oidc/stored-model.ts): it names the session in the "end" forms
// without being anything a browser could present.
import type { Db } from '../db/connection.ts';
import { listLiveSessionsOf } from '../db/oidc-models.ts';
import { clientNames } from '../db/clients.ts';
import { authorizationsOf } from '../backchannel/notices.ts';
import { browserName } from '../oidc/session-browser.ts';

export type SessionSummary = { id: string; signedInAt: Date | null; expiresAt: Date | null; browser: string; apps: string[]; amr: string[] };

export async function listSessions(db: Db, userId: string): Promise<SessionSummary[]> {
  const sessions = await listLiveSessionsOf(db, userId);
  const clientIds = sessions.flatMap(({ payload }) => authorizationsOf(payload).map((a) => a.clientId));
  const names = await clientNames(db, [...new Set(clientIds)]);
  return sessions
    .map(({ id, payload, expiresAt }) => {
      const { loginTs, amr, browser } = payload as { loginTs?: number; amr?: string[]; browser?: string };
      return {
        id,
        signedInAt: loginTs ? new Date(loginTs * 1000) : null,
        expiresAt,
        browser: browserName(browser),
        apps: authorizationsOf(payload).map((a) => names.get(a.clientId) ?? a.clientId),
        amr: amr ?? [],
      };
    })
    .sort((a, b) => (b.signedInAt?.getTime() ?? 0) - (a.signedInAt?.getTime() ?? 0));
}
