// oidc-provider configuration: data, not logic. Behaviour lives in the modules it points to
// (adapter, accounts, clients, interactions); this file only says which features are on and why.
import Provider, { type Configuration, type KoaContextWithOIDC } from 'oidc-provider';
import type { Db } from '../db/connection.ts';
import { adapterFactory } from './adapter.ts';
import { accountFinder, CLAIMS } from './accounts.ts';
import { ACR_VALUES } from '../mfa/assurance.ts';
import { renderPage } from '../http/render.ts';
import { translator, pickLang } from '../i18n/index.ts';
import { en, type MessageKey } from '../i18n/en.ts';
import { log } from '../log.ts';
import { interactionsPolicy } from './mfa-check.ts';
import { isDatabaseUnavailable } from '../db/unavailable.ts';
import { answerUnavailable } from '../http/unavailable.ts';
import { answerDatabaseOutagesWith503 } from './database-outage.ts';
import { enqueueLogoutNotices } from '../backchannel/notices.ts';
import { rememberSessionBrowser } from './session-browser.ts';
import { cookieSigner } from '../crypto/cookie-signer.ts';

export type ProviderOptions = {
  issuer: string;
  db: Db;
  dataKey: Buffer;
  cookieKeys: string[];
  /** Key of the HMAC under which tokens, codes and session ids are stored. */
  tokenKey: Buffer;
  jwks: { keys: Record<string, unknown>[] };
  instanceName: string;
  trustProxy: boolean;
  metricsToken?: string | undefined;
  /** False when /metrics has its own loopback port (METRICS_PORT). */
  metricsOnMainPort?: boolean;
};

// Every path oidc-provider serves; server.ts forwards only these to it, so other paths get our 404 page.
export const ROUTES = {
  authorization: '/auth',
  backchannel_authentication: '/backchannel',
  code_verification: '/device',
  device_authorization: '/device/auth',
  end_session: '/session/end',
  introspection: '/token/introspection',
  jwks: '/jwks',
  pushed_authorization_request: '/request',
  registration: '/reg',
  revocation: '/token/revocation',
  token: '/token',
  userinfo: '/me',
  challenge: '/challenge',
};

export function isProviderPath(path: string): boolean {
  if (path.startsWith('/.well-known/')) return true;
  return Object.values(ROUTES).some((route) => path === route || path.startsWith(`${route}/`));
}

export const TTL = {
  AccessToken: 3600,
  AuthorizationCode: 60,
  ClientCredentials: 600,
  IdToken: 3600,
  Interaction: 3600,
  Grant: 14 * 24 * 3600,
  Session: 14 * 24 * 3600,
  RefreshToken: 14 * 24 * 3600,
};

function clientOriginAllowed(ctx: KoaContextWithOIDC, origin: string, client: { redirectUris?: readonly string[] | undefined }): boolean {
  // CORS for browser-based clients: only the origins of the client's own redirect URIs.
  return (
    (client.redirectUris ?? []).some((uri) => {
      try {
        return new URL(uri).origin === origin;
      } catch {
        return false;
      }
    }) && Boolean(ctx)
  );
}

export function createProvider(options: ProviderOptions): Provider {
  const configuration: Configuration = {
    adapter: adapterFactory(options.db, { dataKey: options.dataKey, tokenKey: options.tokenKey }, options.issuer),
    findAccount: accountFinder(options.db),
    jwks: options.jwks as Configuration['jwks'],
    claims: CLAIMS,
    // Scope claims in the ID token too, so an RP gets e-mail and name without calling userinfo.
    conformIdTokenClaims: false,
    acrValues: [...ACR_VALUES],
    scopes: ['openid', 'offline_access', 'email', 'profile'],
    routes: ROUTES,
    responseTypes: ['code'],
    cookies: {
      // keygrip's output from keys converted once (src/crypto/cookie-signer.ts).
      keys: cookieSigner(options.cookieKeys),
      long: { signed: true, httpOnly: true, sameSite: 'lax' },
      short: { signed: true, httpOnly: true, sameSite: 'lax' },
    },
    extraClientMetadata: {
      properties: ['first_party', 'require_mfa'],
      validator(_ctx, key, value) {
        if (value !== undefined && typeof value !== 'boolean') throw new Error(`${key} must be a boolean`);
      },
    },
    features: {
      devInteractions: { enabled: false },
      claimsParameter: { enabled: true },
      clientCredentials: { enabled: true },
      // RFC 7009 §2.1 / RFC 7662 §4: a client may only revoke or introspect its own tokens.
      introspection: { enabled: true, allowedPolicy: async (_ctx, client, token) => token.clientId === client.clientId },
      revocation: { enabled: true, allowedPolicy: async (_ctx, client, token) => token.clientId === client.clientId },
      userinfo: { enabled: true },
      // Registration and discovery only: the sending goes through our outbox (see below).
      backchannelLogout: { enabled: true },
      rpInitiatedLogout: {
        enabled: true,
        async logoutSource(ctx, form) {
          await renderPage(ctx, 'logout', { title: translator(pickLang(ctx))('logout.title'), form, instanceName: options.instanceName });
        },
        async postLogoutSuccessSource(ctx) {
          await renderPage(ctx, 'logged-out', { title: translator(pickLang(ctx))('logout.done.title') });
        },
      },
    },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}`, policy: interactionsPolicy(options.db) },
    // Resource servers introspecting an access token learn how the user signed in, as the RP did.
    async extraTokenClaims(ctx) {
      const source = ctx.oidc.entities.AuthorizationCode ?? ctx.oidc.entities.RefreshToken;
      const { acr, amr } = (source ?? {}) as { acr?: string; amr?: string[] };
      return acr ? { acr, amr } : undefined;
    },
    // Refresh tokens for every client allowed the grant, not only those that also send
    // offline_access with prompt=consent; without offline_access they still end with the session.
    issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    rotateRefreshToken: true,
    async loadExistingGrant(ctx) {
      const grantId = ctx.oidc.result?.consent?.grantId || ctx.oidc.session!.grantIdFor(ctx.oidc.client!.clientId);
      if (grantId) return ctx.oidc.provider.Grant.find(grantId);
      // First-party clients (the demo app, later the admin console) never ask for consent.
      if (ctx.oidc.client!.metadata().first_party) {
        const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client!.clientId, accountId: ctx.oidc.session!.accountId! });
        grant.addOIDCScope(ctx.oidc.requestParamScopes ? [...ctx.oidc.requestParamScopes].join(' ') : 'openid');
        const claims = ctx.oidc.requestParamClaims;
        if (claims?.size) grant.addOIDCClaims([...claims]);
        await grant.save();
        return grant;
      }
      return undefined;
    },
    clientBasedCORS: clientOriginAllowed,
    ttl: TTL,
    async renderError(ctx, out, error) {
      if (isDatabaseUnavailable(error)) return answerUnavailable(ctx, 'html');
      const t = translator(pickLang(ctx));
      const status = Math.max(ctx.status, 400);
      if (status >= 500) log.error('unexpected error in the provider', { err: error });
      const key = `error.oidc.${out.error}`;
      await renderPage(
        ctx,
        'error',
        {
          title: t('error.title'),
          message: key in en ? t(key as MessageKey) : t('error.server'),
          code: out.error,
          detail: out.error_description,
        },
        status,
      );
    },
  };
  const provider = new Provider(options.issuer, configuration);
  provider.proxy = options.trustProxy;
  answerDatabaseOutagesWith503(provider);
  rememberSessionBrowser(provider);
  // Discovery lists `sid`, so every ID token carries it (the session's id for this client, never a
  // bearer value), not only those of clients registered for back-channel logout: an RP can tell
  // which of its sessions a later logout ends, and is never told to expect a claim it does not get.
  Object.defineProperty(provider.Client.prototype, 'includeSid', { value: () => true });
  // At sign-out the library awaits one POST per relying party before answering the browser; a slow
  // app would hold the user's sign-out. Instead each notice joins the outbox that every other
  // trigger uses, and a worker delivers it (src/backchannel/worker.ts).
  Object.defineProperty(provider.Client.prototype, 'backchannelLogout', {
    value(this: { clientId: string }, sub: string, sid: string) {
      return enqueueLogoutNotices(options.db, sub, [{ clientId: this.clientId, sid }], 'sign_out');
    },
  });
  return provider;
}
