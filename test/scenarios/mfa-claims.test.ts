import assert from 'node:assert/strict';
import * as oidc from 'openid-client';
import type { RunningTobira } from '../../src/boot.ts';
import { startTobira, makeClient, makeUser, makeWorkspace } from '../helpers/tobira.ts';
import { Browser } from '../../bench/support/browser.ts';
import { discover, authorizationUrl, exchange } from '../../bench/support/rp.ts';
import { enrol } from '../helpers/mfa.ts';
import { ACR_MFA, ACR_PASSWORD } from '../../src/mfa/assurance.ts';

// The assurance of a sign-in follows its tokens: refreshed ID tokens and introspection say the
// same as the first ID token, and the interaction and audit log say why MFA was asked.
describe('MFA claims after refresh and in introspection', () => {
  let tobira: RunningTobira;
  before(async () => {
    tobira = await startTobira();
  });
  after(async () => tobira.close());

  it('keeps amr pwd/otp/mfa and the MFA acr through refresh and introspection', async () => {
    const workspace = await makeWorkspace(tobira, 'required');
    const user = await makeUser(tobira, { workspaceSlug: workspace.slug });
    const { clientId, secret } = await makeClient(tobira);
    const config = await discover(tobira.issuer, clientId, secret);
    const browser = new Browser(tobira.issuer);
    const start = await authorizationUrl(config);
    const enrolPage = await browser.submit(await browser.open(start.url.href), { email: user.email, password: user.password });
    const { after } = await enrol(browser, enrolPage);
    const tokens = await exchange(config, start, after.url);

    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
    assert.deepEqual(refreshed.claims()!.amr, ['pwd', 'otp', 'mfa']);
    assert.equal(refreshed.claims()!.acr, ACR_MFA);

    for (const accessToken of [tokens.access_token, refreshed.access_token]) {
      const introspected = await oidc.tokenIntrospection(config, accessToken);
      assert.equal(introspected.active, true);
      assert.equal(introspected.acr, ACR_MFA);
      assert.deepEqual(introspected.amr, ['pwd', 'otp', 'mfa']);
    }

    const signIn = await tobira.db('audit_events').where({ action: 'sign_in', outcome: 'success', target_id: user.user.id }).first();
    assert.deepEqual(signIn.details.mfa_reasons, ['workspace_policy']);
    assert.deepEqual(signIn.details.amr, ['pwd', 'otp', 'mfa']);
  });

  it('introspects a password-only access token with the password acr', async () => {
    const user = await makeUser(tobira);
    const { clientId, secret } = await makeClient(tobira);
    const config = await discover(tobira.issuer, clientId, secret);
    const browser = new Browser(tobira.issuer);
    const start = await authorizationUrl(config);
    const back = await browser.submit(await browser.open(start.url.href), { email: user.email, password: user.password });
    const tokens = await exchange(config, start, back.url);
    const introspected = await oidc.tokenIntrospection(config, tokens.access_token);
    assert.equal(introspected.acr, ACR_PASSWORD);
    assert.deepEqual(introspected.amr, ['pwd']);
  });

  it('puts the reasons for the step into the interaction details an RP-side debugger would see', async () => {
    const workspace = await makeWorkspace(tobira, 'optional');
    const user = await makeUser(tobira, { workspaceSlug: workspace.slug });
    const { clientId, secret } = await makeClient(tobira, { requireMfa: true });
    const config = await discover(tobira.issuer, clientId, secret);
    const browser = new Browser(tobira.issuer);
    const start = await authorizationUrl(config, { acr_values: ACR_MFA });
    const enrolPage = await browser.submit(await browser.open(start.url.href), { email: user.email, password: user.password });
    assert.match(enrolPage.html, /requires two-step verification/);
    assert.match(enrolPage.html, /asked for two-step verification for this sign-in/);
    const { after } = await enrol(browser, enrolPage);
    await exchange(config, start, after.url);
    const event = await tobira.db('audit_events').where({ action: 'mfa.enrol', target_type: 'authenticator' }).where({ actor_id: user.user.id }).first();
    assert.deepEqual(event.details.mfa_reasons, ['client_requires_mfa', 'request_acr']);
  });
});
