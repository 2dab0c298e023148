// A user's live SSO sessions as the admin's user page, /account and `tobira user sessions` list
// them: when the user signed in, in which browser, how, and with which apps (a client deleted since
// has no name). The id is the session's stored id (a keyed
// hash of the cookie value, src/oidc/stored-model.ts): it names the session in the "end" forms
// without being anything a browser could present.
import type { Db } from '../db/connection.ts';
import { listLiveSessionsOf } from '../db/oidc-models.ts';
import { clientNames } from '../db/clients.ts';
import { authorizationsOf } from '../backchannel/notices.ts';
import { browserName } from '../oidc/session-browser.ts';
import { appName } from '../oidc/app-name.ts';
import type { Translate } from '../i18n/index.ts';

export type SessionApp = { clientId: string; name: string | null };

export type SessionSummary = {
  id: string;
  signedInAt: Date | null;
  expiresAt: Date | null;
  browser: string;
  apps: SessionApp[];
  amr: string[];
  acr: string | null;
};

/** The apps as a person reads them, in their language: names, or the client id of a deleted one. */
export const appNames = (apps: SessionApp[], t: Translate): string => apps.map((app) => appName(app, t)).join(', ');

export async function listSessions(db: Db, userId: string): Promise<SessionSummary[]> {
  const sessions = await listLiveSessionsOf(db, userId);
  const clientIds = sessions.flatMap(({ payload }) => authorizationsOf(payload).map((a) => a.clientId));
  const names = await clientNames(db, [...new Set(clientIds)]);
  return sessions
    .map(({ id, payload, expiresAt }) => {
      const { loginTs, amr, acr, browser } = payload as { loginTs?: number; amr?: string[]; acr?: string; browser?: string };
      return {
        id,
        signedInAt: loginTs ? new Date(loginTs * 1000) : null,
        expiresAt,
        browser: browserName(browser),
        apps: authorizationsOf(payload).map(({ clientId }) => ({ clientId, name: names.get(clientId) ?? null })),
        amr: amr ?? [],
        acr: acr ?? null,
      };
    })
    .sort((a, b) => (b.signedInAt?.getTime() ?? 0) - (a.signedInAt?.getTime() ?? 0));
}
