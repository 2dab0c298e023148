// The relying party side of the protocol tests and the benchmarks, driven through openid-client exactly as an RP would.
import * as oidc from 'openid-client';
import type { Browser, Page } from './browser.ts';

/** The redirect URI of every relying party the tests and benchmarks register (never contacted). */
export const CALLBACK = 'https://rp.example.test/callback';

export async function discover(issuer: string, clientId: string, secret?: string): Promise<oidc.Configuration> {
  return oidc.discovery(new URL(issuer), clientId, secret, secret ? oidc.ClientSecretBasic(secret) : oidc.None(), { execute: [oidc.allowInsecureRequests] });
}

export type AuthStart = { url: URL; verifier: string; state: string; nonce: string };

export async function authorizationUrl(config: oidc.Configuration, params: Record<string, string> = {}): Promise<AuthStart> {
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: CALLBACK,
    scope: 'openid email profile',
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    nonce,
    ...params,
  });
  return { url, verifier, state, nonce };
}

export async function exchange(config: oidc.Configuration, start: AuthStart, callbackUrl: string) {
  return oidc.authorizationCodeGrant(config, new URL(callbackUrl), {
    pkceCodeVerifier: start.verifier,
    expectedState: start.state,
    expectedNonce: start.nonce,
  });
}

/** Full sign-in: authorization request, login form, (consent), back at the RP with tokens. */
export async function signIn(
  config: oidc.Configuration,
  browser: Browser,
  credentials: { email: string; password: string },
  params: Record<string, string> = {},
) {
  const start = await authorizationUrl(config, params);
  let page: Page = await browser.open(start.url.href);
  if (page.url.includes('/interaction/') && page.html.includes('name="password"')) {
    page = await browser.submit(page, credentials);
  }
  if (page.url.includes('/interaction/') && page.html.includes('/consent')) {
    page = await browser.submit(page, {}, '/consent');
  }
  if (!page.url.startsWith(CALLBACK)) {
    throw new Error(`sign-in did not return to the RP: ${page.status} ${page.url}`);
  }
  return { start, tokens: await exchange(config, start, page.url), callbackUrl: page.url };
}
