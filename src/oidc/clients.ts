// Turns a clients-table row into oidc-provider client metadata, and validates what the operator
// registers so a bad redirect URI is refused at registration, not at the first sign-in.
import { randomBytes } from 'node:crypto';
import type { ClientRow, NewClient } from '../db/clients.ts';
import { open, seal } from '../crypto/secret-box.ts';

const SECRET_PURPOSE = 'client-secret';

// Tobira's own consoles, registered by migration 0003. Their addresses follow the issuer.
export const ADMIN_CLIENT_ID = 'tobira-admin';
export const ACCOUNT_CLIENT_ID = 'tobira-account';
export const CONSOLE_PATHS: Record<string, string> = { [ADMIN_CLIENT_ID]: '/admin', [ACCOUNT_CLIENT_ID]: '/account' };

export function isConsoleClient(clientId: string): boolean {
  return clientId in CONSOLE_PATHS;
}

export type ClientRegistration = {
  name: string;
  redirectUris: string[];
  postLogoutRedirectUris: string[];
  isPublic: boolean;
  firstParty: boolean;
  requireMfa: boolean;
  grants: string[];
  backchannelLogoutUri?: string | undefined;
  backchannelLogoutSessionRequired?: boolean | undefined;
};

export class InvalidClientRegistration extends Error {}

const ALLOWED_GRANTS = new Set(['authorization_code', 'refresh_token', 'client_credentials']);

/** OpenID Connect Back-Channel Logout 1.0 §2.2: an absolute http(s) URI without a fragment. */
export function checkBackchannelLogoutUri(uri: string): void {
  checkUri('back-channel logout URI', uri);
  if (!/^https?:$/.test(new URL(uri).protocol)) throw new InvalidClientRegistration(`back-channel logout URI "${uri}" must be an http or https URL`);
}

function checkUri(kind: string, uri: string): void {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    throw new InvalidClientRegistration(`${kind} "${uri}" is not an absolute URL`);
  }
  if (url.hash) throw new InvalidClientRegistration(`${kind} "${uri}" must not contain a fragment`);
  if (url.protocol === 'javascript:' || url.protocol === 'data:') {
    throw new InvalidClientRegistration(`${kind} "${uri}" uses a forbidden scheme`);
  }
}

export function planClient(reg: ClientRegistration): { row: NewClient; secret: string | undefined } {
  const name = reg.name.trim();
  if (!name) throw new InvalidClientRegistration('the client needs a name');
  for (const grant of reg.grants) {
    if (!ALLOWED_GRANTS.has(grant)) {
      throw new InvalidClientRegistration(`unknown grant "${grant}" (use authorization_code, refresh_token or client_credentials)`);
    }
  }
  for (const uri of reg.redirectUris) checkUri('redirect URI', uri);
  for (const uri of reg.postLogoutRedirectUris) checkUri('post-logout redirect URI', uri);
  if (reg.backchannelLogoutUri !== undefined) checkBackchannelLogoutUri(reg.backchannelLogoutUri);
  if (reg.backchannelLogoutSessionRequired && reg.backchannelLogoutUri === undefined) {
    throw new InvalidClientRegistration('--backchannel-logout-session-required needs --backchannel-logout-uri');
  }

  const grants = new Set(reg.grants);
  if (reg.redirectUris.length) {
    grants.add('authorization_code').add('refresh_token');
  } else if (grants.has('authorization_code')) {
    throw new InvalidClientRegistration('a client using the authorization code flow needs at least one --redirect-uri');
  }
  if (!grants.has('authorization_code') && !grants.has('client_credentials')) {
    throw new InvalidClientRegistration('give at least one --redirect-uri, or --grant client_credentials');
  }
  if (reg.isPublic && grants.has('client_credentials')) {
    throw new InvalidClientRegistration('a public client cannot use client_credentials (it has no secret)');
  }

  const secret = reg.isPublic ? undefined : randomBytes(32).toString('base64url');
  return {
    secret,
    row: {
      client_id: `tb_${randomBytes(12).toString('base64url')}`,
      name,
      secret_encrypted: null,
      redirect_uris: reg.redirectUris,
      post_logout_redirect_uris: reg.postLogoutRedirectUris,
      grant_types: [...grants],
      first_party: reg.firstParty,
      require_mfa: reg.requireMfa,
      backchannel_logout_uri: reg.backchannelLogoutUri ?? null,
      backchannel_logout_session_required: reg.backchannelLogoutSessionRequired === true,
    },
  };
}

export function sealClientSecret(dataKey: Buffer, secret: string): string {
  return seal(dataKey, SECRET_PURPOSE, secret);
}

export function openClientSecret(dataKey: Buffer, row: ClientRow): string | undefined {
  return row.secret_encrypted ? open(dataKey, SECRET_PURPOSE, row.secret_encrypted) : undefined;
}

export function clientMetadata(row: ClientRow, dataKey: Buffer, issuer: string): Record<string, unknown> {
  const secret = openClientSecret(dataKey, row);
  const codeFlow = row.grant_types.includes('authorization_code');
  const consolePath = CONSOLE_PATHS[row.client_id];
  return {
    client_id: row.client_id,
    client_name: row.name,
    ...(secret ? { client_secret: secret } : { token_endpoint_auth_method: 'none' }),
    redirect_uris: consolePath ? [`${issuer}${consolePath}/callback`] : row.redirect_uris,
    post_logout_redirect_uris: consolePath ? [`${issuer}${consolePath}/signed-out`] : row.post_logout_redirect_uris,
    grant_types: row.grant_types,
    response_types: codeFlow ? ['code'] : [],
    first_party: row.first_party,
    require_mfa: row.require_mfa,
    ...(row.backchannel_logout_uri
      ? { backchannel_logout_uri: row.backchannel_logout_uri, backchannel_logout_session_required: row.backchannel_logout_session_required }
      : {}),
  };
}
