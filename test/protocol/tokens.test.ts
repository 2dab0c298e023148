import assert from 'node:assert/strict';
import * as oidc from 'openid-client';
import type { RunningTobira } from '../../src/boot.ts';
import { startTobira, makeClient, makeUser } from '../helpers/tobira.ts';
import { Browser } from '../../bench/support/browser.ts';
import { discover, signIn } from '../../bench/support/rp.ts';
import { ACR_PASSWORD } from '../../src/mfa/assurance.ts';

describe('tokens: refresh, revocation, introspection, client credentials', () => {
  let tobira: RunningTobira;
  before(async () => {
    tobira = await startTobira();
  });
  after(async () => tobira.close());

  async function signedIn() {
    const { clientId, secret } = await makeClient(tobira);
    const user = await makeUser(tobira);
    const config = await discover(tobira.issuer, clientId, secret);
    const { tokens } = await signIn(config, new Browser(tobira.issuer), user);
    return { config, tokens, user, clientId };
  }

  it('rotates the refresh token, keeps amr and acr, and refuses the old refresh token', async () => {
    const { config, tokens, user } = await signedIn();
    assert.ok(tokens.refresh_token, 'a refresh token is issued to a client allowed the grant');
    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
    assert.ok(refreshed.refresh_token);
    assert.notEqual(refreshed.refresh_token, tokens.refresh_token);
    const claims = refreshed.claims()!;
    assert.equal(claims.sub, user.user.id);
    assert.deepEqual(claims.amr, ['pwd']);
    assert.equal(claims.acr, ACR_PASSWORD);
    assert.equal(claims.auth_time, tokens.claims()!.auth_time, 'refresh does not pretend a new sign-in happened');

    await assert.rejects(oidc.refreshTokenGrant(config, tokens.refresh_token!), (err: oidc.ResponseBodyError) => {
      assert.equal(err.error, 'invalid_grant');
      return true;
    });
  });

  it('introspects an active access token with its subject and client, and the assurance of the sign-in', async () => {
    const { config, tokens, user, clientId } = await signedIn();
    const result = await oidc.tokenIntrospection(config, tokens.access_token);
    assert.equal(result.active, true);
    assert.equal(result.sub, user.user.id);
    assert.equal(result.client_id, clientId);
    assert.equal(result.token_type, 'Bearer');
  });

  it('revokes an access token: introspection says inactive and userinfo refuses it', async () => {
    const { config, tokens, user } = await signedIn();
    await oidc.tokenRevocation(config, tokens.access_token);
    assert.equal((await oidc.tokenIntrospection(config, tokens.access_token)).active, false);
    await assert.rejects(oidc.fetchUserInfo(config, tokens.access_token, user.user.id));
  });

  it('revokes a refresh token so it can no longer be used', async () => {
    const { config, tokens } = await signedIn();
    await oidc.tokenRevocation(config, tokens.refresh_token!, { token_type_hint: 'refresh_token' });
    await assert.rejects(oidc.refreshTokenGrant(config, tokens.refresh_token!));
  });

  it('issues client-credentials tokens to a service client, and refuses a wrong secret', async () => {
    const { clientId, secret } = await makeClient(tobira, { redirectUris: [], postLogoutRedirectUris: [], grants: ['client_credentials'] });
    const config = await discover(tobira.issuer, clientId, secret);
    const tokens = await oidc.clientCredentialsGrant(config);
    assert.ok(tokens.access_token);
    assert.equal(tokens.token_type.toLowerCase(), 'bearer');
    const introspected = await oidc.tokenIntrospection(config, tokens.access_token);
    assert.equal(introspected.active, true);
    assert.equal(introspected.client_id, clientId);

    const wrong = await discover(tobira.issuer, clientId, `${secret}x`);
    await assert.rejects(oidc.clientCredentialsGrant(wrong), (err: oidc.WWWAuthenticateChallengeError) => {
      assert.equal(err.cause[0]?.parameters.error, 'invalid_client');
      return true;
    });
  });

  it('refuses the client-credentials grant to a client not registered for it', async () => {
    const { config } = await signedIn();
    await assert.rejects(oidc.clientCredentialsGrant(config), (err: oidc.ResponseBodyError) => {
      assert.match(err.error_description ?? '', /grant type is not allowed for this client/);
      return true;
    });
  });
});
