// How the client commands show a client: the same fields in text and --json, never its secret.
import type { ClientRow } from '../../db/clients.ts';
import { isConsoleClient } from '../../oidc/clients.ts';

export function summary(row: ClientRow) {
  return {
    clientId: row.client_id,
    name: row.name,
    public: row.secret_encrypted === null,
    firstParty: row.first_party,
    requireMfa: row.require_mfa,
    redirectUris: row.redirect_uris,
    postLogoutRedirectUris: row.post_logout_redirect_uris,
    grants: row.grant_types,
    backchannelLogoutUri: row.backchannel_logout_uri,
    backchannelLogoutSessionRequired: row.backchannel_logout_session_required,
    // Tobira's own consoles (registered by migration): listed so the operator sees them, never deletable.
    ...(isConsoleClient(row.client_id) ? { builtIn: true } : {}),
  };
}

export function backchannelText(view: { backchannelLogoutUri: string | null; backchannelLogoutSessionRequired: boolean }): string {
  if (!view.backchannelLogoutUri) return '(none)';
  return view.backchannelLogoutSessionRequired ? `${view.backchannelLogoutUri} (sid required)` : view.backchannelLogoutUri;
}
