import assert from 'node:assert/strict';
import * as oidc from 'openid-client';
import type { RunningTobira } from '../../src/boot.ts';
import { startTobira, makeClient, makeUser, POST_LOGOUT } from '../helpers/tobira.ts';
import { Browser } from '../../bench/support/browser.ts';
import { discover, signIn, authorizationUrl, exchange } from '../../bench/support/rp.ts';

describe('SSO session, prompt and RP-initiated logout', () => {
  let tobira: RunningTobira;
  before(async () => {
    tobira = await startTobira();
  });
  after(async () => tobira.close());

  it('answers prompt=none without a session with login_required at the redirect URI', async () => {
    const { clientId, secret } = await makeClient(tobira);
    const config = await discover(tobira.issuer, clientId, secret);
    const start = await authorizationUrl(config, { prompt: 'none' });
    const page = await new Browser(tobira.issuer).open(start.url.href);
    const url = new URL(page.url);
    assert.equal(url.searchParams.get('error'), 'login_required');
    assert.equal(url.searchParams.get('state'), start.state);
  });

  it('signs in silently with prompt=none while the session lasts', async () => {
    const { clientId, secret } = await makeClient(tobira);
    const user = await makeUser(tobira);
    const config = await discover(tobira.issuer, clientId, secret);
    const browser = new Browser(tobira.issuer);
    const first = await signIn(config, browser, user);
    const start = await authorizationUrl(config, { prompt: 'none' });
    const page = await browser.open(start.url.href);
    const tokens = await exchange(config, start, page.url);
    assert.equal(tokens.claims()!.sub, user.user.id);
    assert.equal(tokens.claims()!.auth_time, first.tokens.claims()!.auth_time);
  });

  it('asks for the password again with prompt=login and gives a new auth_time', async () => {
    const { clientId, secret } = await makeClient(tobira);
    const user = await makeUser(tobira);
    const config = await discover(tobira.issuer, clientId, secret);
    const browser = new Browser(tobira.issuer);
    const first = await signIn(config, browser, user);
    await new Promise((resolve) => setTimeout(resolve, 1100)); // auth_time has one-second resolution
    const start = await authorizationUrl(config, { prompt: 'login' });
    const login = await browser.open(start.url.href);
    assert.match(login.html, /type="password"/, 'the password is asked again');
    const back = await browser.submit(login, { email: user.email, password: user.password });
    const tokens = await exchange(config, start, back.url);
    assert.ok((tokens.claims()!.auth_time as number) > (first.tokens.claims()!.auth_time as number));
  });

  it('ends the session on RP-initiated logout and returns to the registered post-logout URI', async () => {
    const { clientId, secret } = await makeClient(tobira);
    const user = await makeUser(tobira);
    const config = await discover(tobira.issuer, clientId, secret);
    const browser = new Browser(tobira.issuer);
    const { tokens } = await signIn(config, browser, user);

    const logoutUrl = oidc.buildEndSessionUrl(config, { id_token_hint: tokens.id_token!, post_logout_redirect_uri: POST_LOGOUT, state: 'bye' });
    const confirm = await browser.open(logoutUrl.href);
    assert.equal(confirm.status, 200);
    assert.match(confirm.html, /Sign out/);
    const done = await browser.submit(confirm, { logout: 'yes' });
    const back = new URL(done.url);
    assert.equal(`${back.origin}${back.pathname}`, POST_LOGOUT);
    assert.equal(back.searchParams.get('state'), 'bye');

    const start = await authorizationUrl(config, { prompt: 'none' });
    const after = await browser.open(start.url.href);
    assert.equal(new URL(after.url).searchParams.get('error'), 'login_required');
  });

  it('refuses an unregistered post-logout redirect URI without redirecting', async () => {
    const { clientId, secret } = await makeClient(tobira);
    const config = await discover(tobira.issuer, clientId, secret);
    const url = oidc.buildEndSessionUrl(config, { post_logout_redirect_uri: 'https://evil.example.test/' });
    const page = await new Browser(tobira.issuer).open(url.href);
    assert.equal(page.status, 400);
    assert.equal(page.headers.get('location'), null);
  });
});
