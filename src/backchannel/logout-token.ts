// The logout token of OpenID Connect Back-Channel Logout 1.0 §2.4, built by oidc-provider (its
// keys, its signing algorithm for the client, `typ: logout+jwt`, `iss`, `aud`, `iat`, a two-minute
// `exp`) and signed when it is sent, so the outbox never holds a usable token. Unlike the
// library's own sender, `sid` is always included when the notice has one: every ID token carries
// it, whether or not the client registered backchannel_logout_session_required.
import { randomUUID } from 'node:crypto';
import type Provider from 'oidc-provider';

export const BACKCHANNEL_LOGOUT_EVENT = 'http://schemas.openid.net/event/backchannel-logout';

/** The signed token and where it goes, or undefined when the client is gone or no longer registered for it. */
export async function signLogoutToken(
  provider: Provider,
  notice: { clientId: string; sub: string; sid: string | null },
): Promise<{ uri: string; token: string } | undefined> {
  const client = await provider.Client.find(notice.clientId);
  if (!client?.backchannelLogoutUri) return undefined;
  const token = new provider.IdToken({ sub: notice.sub }, { client });
  // `sub` is the only claim available; the mask keeps it whatever the client's scopes.
  (token as unknown as { mask: Record<string, null> }).mask = { sub: null };
  token.set('events', { [BACKCHANNEL_LOGOUT_EVENT]: {} });
  token.set('jti', randomUUID());
  if (notice.sid) token.set('sid', notice.sid);
  return { uri: client.backchannelLogoutUri, token: await token.issue({ use: 'logout' }) };
}
