import assert from 'node:assert/strict';
import type { RunningTobira } from '../../src/boot.ts';
import { startTobira, makeClient, makeUser } from '../helpers/tobira.ts';
import { Browser, alertText } from '../../bench/support/browser.ts';
import { discover, authorizationUrl } from '../../bench/support/rp.ts';

const STACK = /\bat [\w.<>]+ \(|node_modules|\.ts:\d+/;

describe('bad input gets a clear page, never a stack trace', () => {
  let tobira: RunningTobira;
  before(async () => {
    tobira = await startTobira();
  });
  after(async () => tobira.close());

  it('refuses an unregistered redirect_uri with an error page and no redirect', async () => {
    const { clientId, secret } = await makeClient(tobira);
    const config = await discover(tobira.issuer, clientId, secret);
    const start = await authorizationUrl(config, { redirect_uri: 'https://evil.example.test/callback' });
    const page = await new Browser(tobira.issuer).request(start.url.href);
    assert.equal(page.status, 400);
    assert.equal(page.headers.get('location'), null);
    assert.match(alertText(page.html) ?? '', /return address it has not registered/);
    assert.match(page.html, /invalid_redirect_uri/, 'the developer sees the protocol error code');
    assert.doesNotMatch(page.html, STACK);
    const ja = await new Browser(tobira.issuer, { 'accept-language': 'ja' }).request(start.url.href);
    assert.match(alertText(ja.html) ?? '', /登録されていない戻り先/);
  });

  it('refuses an unknown client without redirecting', async () => {
    const page = await new Browser(tobira.issuer).request(
      `${tobira.issuer}/auth?client_id=nope&response_type=code&scope=openid&redirect_uri=https://evil.example.test/`,
    );
    assert.equal(page.status, 400);
    assert.equal(page.headers.get('location'), null);
  });

  it('rejects a sign-in post whose interaction cookie is missing or tampered with', async () => {
    const { clientId, secret } = await makeClient(tobira);
    const user = await makeUser(tobira);
    const config = await discover(tobira.issuer, clientId, secret);
    const browser = new Browser(tobira.issuer);
    const login = await browser.open((await authorizationUrl(config)).url.href);
    const interactionCookie = browser.cookieNames().find((n) => n === '_interaction')!;
    assert.ok(interactionCookie, 'the interaction is bound to a cookie');
    const original = browser.cookie(interactionCookie)!;

    browser.setCookie(interactionCookie, `${original.slice(0, -2)}xx`, new URL(login.url).pathname);
    const tampered = await browser.submit(login, { email: user.email, password: user.password });
    assert.equal(tampered.status, 400);
    assert.match(alertText(tampered.html) ?? '', /expired or was opened in another browser/);
    assert.doesNotMatch(tampered.html, STACK);

    const stranger = new Browser(tobira.issuer);
    const missing = await stranger.submit(login, { email: user.email, password: user.password });
    assert.equal(missing.status, 400);
    const events = await tobira.db('audit_events').where({ action: 'sign_in', target_id: user.user.id });
    assert.equal(events.length, 0, 'no sign-in happened');
  });

  it('answers an unknown page with a 404 page', async () => {
    const page = await new Browser(tobira.issuer).request(`${tobira.issuer}/no-such-page`);
    assert.equal(page.status, 404);
    assert.match(page.html, /does not exist/);
  });

  it('refuses an oversized or non-form body at the sign-in step with a 4xx', async () => {
    const { clientId, secret } = await makeClient(tobira);
    const config = await discover(tobira.issuer, clientId, secret);
    const browser = new Browser(tobira.issuer);
    const login = await browser.open((await authorizationUrl(config)).url.href);
    const action = `${new URL(login.url).pathname}/login`;
    const huge = await browser.request(action, { method: 'POST', body: new URLSearchParams({ email: 'a@b.c', password: 'x'.repeat(100_000) }) });
    assert.equal(huge.status, 413);
    const json = await browser.request(action, { method: 'POST', headers: { 'content-type': 'application/json' } });
    assert.equal(json.status, 415);
    assert.doesNotMatch(json.html, STACK);
  });
});
