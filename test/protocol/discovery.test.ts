import assert from 'node:assert/strict';
import type { RunningTobira } from '../../src/boot.ts';
import * as oidc from 'openid-client';
import { startTobira, makeClient, makeUser } from '../helpers/tobira.ts';
import { Browser } from '../../bench/support/browser.ts';
import { discover, signIn } from '../../bench/support/rp.ts';
import { ACR_MFA, ACR_PASSWORD } from '../../src/mfa/assurance.ts';

describe('discovery and JWKS', () => {
  let tobira: RunningTobira;
  before(async () => {
    tobira = await startTobira();
  });
  after(async () => tobira.close());

  it('advertises the endpoints, features and both acr levels an RP needs', async () => {
    const { clientId, secret } = await makeClient(tobira);
    const meta = (await discover(tobira.issuer, clientId, secret)).serverMetadata();
    assert.equal(meta.issuer, tobira.issuer);
    for (const endpoint of [
      'authorization_endpoint',
      'token_endpoint',
      'userinfo_endpoint',
      'jwks_uri',
      'end_session_endpoint',
      'revocation_endpoint',
      'introspection_endpoint',
    ] as const) {
      assert.ok(meta[endpoint]?.startsWith(tobira.issuer), `${endpoint} is served by the issuer`);
    }
    assert.deepEqual(meta.acr_values_supported, [ACR_PASSWORD, ACR_MFA]);
    assert.deepEqual(meta.code_challenge_methods_supported, ['S256']);
    assert.equal(meta.claims_parameter_supported, true);
    for (const grant of ['authorization_code', 'refresh_token', 'client_credentials']) {
      assert.ok(meta.grant_types_supported?.includes(grant), `grant ${grant} supported`);
    }
    for (const claim of ['sub', 'amr', 'acr', 'auth_time', 'email', 'email_verified', 'name', 'workspace']) {
      assert.ok(meta.claims_supported?.includes(claim), `claim ${claim} listed`);
    }
  });

  it('lists in claims_supported exactly the claims an ID token or userinfo can carry', async () => {
    const { clientId, secret } = await makeClient(tobira);
    const config = await discover(tobira.issuer, clientId, secret);
    const listed = [...(config.serverMetadata().claims_supported ?? [])].sort();
    assert.deepEqual(listed, ['acr', 'amr', 'auth_time', 'email', 'email_verified', 'iss', 'name', 'sid', 'sub', 'workspace'].sort());
    const user = await makeUser(tobira, { name: 'Claims Person' });
    const { tokens } = await signIn(config, new Browser(tobira.issuer), user);
    const idToken = tokens.claims()!;
    const userinfo = await oidc.fetchUserInfo(config, tokens.access_token, idToken.sub);
    // JWT bookkeeping (RFC 7519, OpenID Connect Core §2) is not a claim about the user.
    const bookkeeping = new Set(['aud', 'exp', 'iat', 'nonce', 'at_hash', 'c_hash', 'azp']);
    const seen = new Set([...Object.keys(idToken), ...Object.keys(userinfo)].filter((k) => !bookkeeping.has(k)));
    assert.deepEqual([...seen].sort(), listed, 'every listed claim appears, and nothing unlisted does');
    assert.match(String(idToken.sid), /^[\w-]{16,}$/, 'sid is in every ID token');
    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
    assert.equal(refreshed.claims()!.sid, idToken.sid, 'a refreshed ID token keeps the session id');
  });

  it('publishes the public half of the signing key, never the private parts', async () => {
    const response = await fetch(`${tobira.issuer}/jwks`);
    assert.equal(response.status, 200);
    const { keys } = (await response.json()) as { keys: Record<string, unknown>[] };
    assert.ok(keys.length >= 1);
    for (const key of keys) {
      assert.equal(key.kty, 'RSA');
      assert.ok(key.kid);
      for (const privatePart of ['d', 'p', 'q', 'dp', 'dq', 'qi']) assert.equal(key[privatePart], undefined);
    }
  });

  it('answers the health and readiness probes', async () => {
    assert.deepEqual(await (await fetch(`${tobira.issuer}/healthz`)).json(), { status: 'ok' });
    const ready = await fetch(`${tobira.issuer}/readyz`);
    assert.equal(ready.status, 200);
  });
});
