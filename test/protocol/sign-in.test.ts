import assert from 'node:assert/strict';
import * as oidc from 'openid-client';
import type { RunningTobira } from '../../src/boot.ts';
import { startTobira, makeClient, makeUser, makeWorkspace } from '../helpers/tobira.ts';
import { Browser, alertText } from '../../bench/support/browser.ts';
import { discover, signIn, authorizationUrl } from '../../bench/support/rp.ts';
import { ACR_PASSWORD } from '../../src/mfa/assurance.ts';

describe('authorization code flow with PKCE and a password', () => {
  let tobira: RunningTobira;
  before(async () => {
    tobira = await startTobira();
  });
  after(async () => tobira.close());

  it('gives the RP an ID token with iss, aud, nonce, amr ["pwd"], the password acr and auth_time', async () => {
    const { clientId, secret } = await makeClient(tobira);
    const alice = await makeUser(tobira, { name: 'Alice Example' });
    const config = await discover(tobira.issuer, clientId, secret);
    const before = Math.floor(Date.now() / 1000) - 1;
    const { tokens, start } = await signIn(config, new Browser(tobira.issuer), alice);
    const claims = tokens.claims()!;
    assert.equal(claims.iss, tobira.issuer);
    assert.equal(claims.aud, clientId);
    assert.equal(claims.nonce, start.nonce);
    assert.equal(claims.sub, alice.user.id);
    assert.deepEqual(claims.amr, ['pwd']);
    assert.equal(claims.acr, ACR_PASSWORD);
    assert.ok(typeof claims.auth_time === 'number' && claims.auth_time >= before && claims.auth_time <= Date.now() / 1000 + 1);
    assert.equal(claims.email, alice.email);
    assert.equal(claims.name, 'Alice Example');
    assert.deepEqual(claims.workspace, { id: alice.user.workspace_id, slug: alice.workspaceSlug });
  });

  it('serves userinfo for the access token', async () => {
    const { clientId, secret } = await makeClient(tobira);
    const bob = await makeUser(tobira, { name: 'Bob' });
    const config = await discover(tobira.issuer, clientId, secret);
    const { tokens } = await signIn(config, new Browser(tobira.issuer), bob);
    const info = await oidc.fetchUserInfo(config, tokens.access_token, bob.user.id);
    assert.equal(info.sub, bob.user.id);
    assert.equal(info.email, bob.email);
    assert.equal(info.email_verified, true);
    assert.equal(info.name, 'Bob');
  });

  it('accepts the e-mail in any letter case', async () => {
    const { clientId, secret } = await makeClient(tobira);
    const carol = await makeUser(tobira);
    const config = await discover(tobira.issuer, clientId, secret);
    const { tokens } = await signIn(config, new Browser(tobira.issuer), { email: carol.email.toUpperCase(), password: carol.password });
    assert.equal(tokens.claims()!.sub, carol.user.id);
  });

  it('asks a third-party client for consent, and the user can deny it', async () => {
    const { clientId, secret } = await makeClient(tobira, { firstParty: false });
    const dave = await makeUser(tobira);
    const config = await discover(tobira.issuer, clientId, secret);
    const browser = new Browser(tobira.issuer);
    const start = await authorizationUrl(config);
    const login = await browser.open(start.url.href);
    const consent = await browser.submit(login, { email: dave.email, password: dave.password });
    assert.match(consent.html, /Allow access/);
    assert.match(consent.html, /See your e-mail address/);
    const denyHref = /href="([^"]*\/abort)"/.exec(consent.html)![1]!;
    const back = await browser.open(denyHref);
    const result = new URL(back.url);
    assert.equal(result.searchParams.get('error'), 'access_denied');
    assert.equal(result.searchParams.get('state'), start.state);
  });

  it('signs a public client in with PKCE and no secret, and refuses it without PKCE', async () => {
    const { clientId } = await makeClient(tobira, { isPublic: true, firstParty: true });
    const erin = await makeUser(tobira);
    const config = await discover(tobira.issuer, clientId);
    const { tokens } = await signIn(config, new Browser(tobira.issuer), erin);
    assert.deepEqual(tokens.claims()!.amr, ['pwd']);

    const noPkce = new URL(`${tobira.issuer}/auth`);
    noPkce.search = new URLSearchParams({
      client_id: clientId,
      redirect_uri: 'https://rp.example.test/callback',
      response_type: 'code',
      scope: 'openid',
      state: 's1',
    }).toString();
    const page = await new Browser(tobira.issuer).open(noPkce.href);
    const url = new URL(page.url);
    assert.equal(url.searchParams.get('error'), 'invalid_request');
    assert.match(url.searchParams.get('error_description') ?? '', /PKCE/);
  });

  it('gives a wrong password and an unknown e-mail the same answer, and audits both', async () => {
    const { clientId, secret } = await makeClient(tobira);
    const frank = await makeUser(tobira);
    const config = await discover(tobira.issuer, clientId, secret);
    const attempt = async (email: string, password: string) => {
      const browser = new Browser(tobira.issuer);
      const login = await browser.open((await authorizationUrl(config)).url.href);
      return browser.submit(login, { email, password });
    };
    const wrongPassword = await attempt(frank.email, 'not-the-password');
    const unknownEmail = await attempt(`nobody-${frank.email}`, 'not-the-password');
    assert.equal(wrongPassword.status, 401);
    assert.equal(unknownEmail.status, wrongPassword.status);
    assert.equal(alertText(wrongPassword.html), 'The e-mail address or password is incorrect. Check both and try again.');
    assert.equal(alertText(unknownEmail.html), alertText(wrongPassword.html));
    assert.ok(wrongPassword.url.includes('/interaction/'), 'the user stays on the sign-in page');

    const failures = await tobira.db('audit_events').where({ action: 'sign_in', outcome: 'failure', target_id: frank.user.id });
    assert.equal(failures.length, 1);
    assert.equal(failures[0].details.reason, 'wrong_password');
    assert.equal(JSON.stringify(failures).includes('not-the-password'), false, 'the audit log never holds a password');
  });

  it('refuses a disabled user with the same message', async () => {
    const { clientId, secret } = await makeClient(tobira);
    const workspace = await makeWorkspace(tobira);
    const gina = await makeUser(tobira, { workspaceSlug: workspace.slug });
    await tobira.db('users').where({ id: gina.user.id }).update({ status: 'disabled' });
    const config = await discover(tobira.issuer, clientId, secret);
    const browser = new Browser(tobira.issuer);
    const login = await browser.open((await authorizationUrl(config)).url.href);
    const page = await browser.submit(login, { email: gina.email, password: gina.password });
    assert.equal(page.status, 401);
    assert.equal(alertText(page.html), 'The e-mail address or password is incorrect. Check both and try again.');
  });

  it('asks again for a missing field instead of failing', async () => {
    const { clientId, secret } = await makeClient(tobira);
    const config = await discover(tobira.issuer, clientId, secret);
    const browser = new Browser(tobira.issuer);
    const login = await browser.open((await authorizationUrl(config)).url.href);
    const page = await browser.submit(login, { email: 'someone@example.test', password: '' });
    assert.equal(alertText(page.html), 'Enter your e-mail address and password.');
  });

  it('uses standard field types so password managers and browsers help the user', async () => {
    const { clientId, secret } = await makeClient(tobira);
    const config = await discover(tobira.issuer, clientId, secret);
    const login = await new Browser(tobira.issuer).open((await authorizationUrl(config)).url.href);
    assert.match(login.html, /<input[^>]*type="email"[^>]*autocomplete="username"/);
    assert.match(login.html, /<input[^>]*type="password"[^>]*autocomplete="current-password"/);
    assert.match(login.headers.get('content-security-policy') ?? '', /frame-ancestors 'none'/);
  });
});
