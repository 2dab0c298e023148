import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as oidc from 'openid-client';
import type { RunningTobira } from '../../src/boot.ts';
import { startTobira, makeClient, makeUser, makeWorkspace, unique, CALLBACK, POST_LOGOUT } from '../helpers/tobira.ts';
import { Browser, decodeHtml } from '../../bench/support/browser.ts';
import { authorizationUrl, discover, exchange } from '../../bench/support/rp.ts';
import { consoleSignIn, csrfOn } from '../helpers/console.ts';

// Issue 8, item 3: a read of the database (a backup, a replica, an SQL injection) must hand out no
// bearer value that works. Every table is dumped as text at the moments the values are live and
// searched for each value the relying party and the browser hold, and for its plain SHA-256 (an
// unkeyed hash of a value lets anyone holding a dump confirm a guess or a leaked value).
describe('no usable token in the database (issue 8, item 3)', () => {
  let tobira: RunningTobira;
  before(async () => {
    tobira = await startTobira();
  });
  after(async () => tobira.close());

  async function dumpAllTables(): Promise<string> {
    const tables = await tobira
      .db('information_schema.tables')
      .select<{ table_name: string }[]>('table_name')
      .where({ table_schema: tobira.db.raw('current_schema()'), table_type: 'BASE TABLE' });
    assert.ok(
      tables.some((t) => t.table_name === 'oidc_models'),
      'the dump covers the schema Tobira writes to',
    );
    const parts: string[] = [];
    for (const { table_name: table } of tables) {
      const result = await tobira.db.raw(`select t::text as row from "${table.replace(/"/g, '""')}" t`);
      const rows = (result as { rows: { row: string }[] }).rows;
      parts.push(...rows.map((r) => r.row));
    }
    return parts.join('\n');
  }

  type Held = Record<string, string>;

  function assertNoneStored(dump: string, held: Held): void {
    for (const [label, value] of Object.entries(held)) {
      assert.ok(value.length >= 16, `${label} is a bearer value (${value})`);
      assert.equal(dump.includes(value), false, `${label} appears in the database as is`);
      for (const encoding of ['base64url', 'base64', 'hex'] as const) {
        const digest = createHash('sha256').update(value).digest(encoding);
        assert.equal(dump.includes(digest), false, `${label} appears in the database as its plain SHA-256 (${encoding})`);
      }
    }
  }

  /** Every cookie the browser holds, by name; `.sig` cookies are signatures, never stored. */
  function cookiesOf(browser: Browser, who: string): Held {
    const held: Held = {};
    for (const name of browser.cookieNames()) {
      if (name.endsWith('.sig')) continue;
      held[`${who} cookie ${name}`] = browser.cookie(name)!;
    }
    return held;
  }

  const uidOf = (url: string) => /\/interaction\/([^/?#]+)/.exec(url)![1]!;

  it('keeps no cookie, interaction id, code, token, console session, CSRF token or set-password link readable, and all of them keep working', async () => {
    const workspace = await makeWorkspace(tobira, 'optional');
    const user = await makeUser(tobira, { workspaceSlug: workspace.slug });
    const { clientId, secret } = await makeClient(tobira);
    const config = await discover(tobira.issuer, clientId, secret);
    const browser = new Browser(tobira.issuer);
    const held: Held = {};

    // A pending sign-in: the interaction id in the URL and the interaction cookies.
    const start = await authorizationUrl(config);
    const login = await browser.open(start.url.href);
    assert.match(login.html, /name="password"/);
    held['interaction id'] = uidOf(login.url);
    Object.assign(held, cookiesOf(browser, 'browser'));
    assert.ok(held['browser cookie _interaction'] && held['browser cookie _interaction_resume'], 'the interaction cookies are held');
    assertNoneStored(await dumpAllTables(), held);

    // Back at the relying party with a code not yet redeemed, and an SSO session cookie.
    const back = await browser.submit(login, { email: user.email, password: user.password });
    assert.ok(back.url.startsWith(CALLBACK), `back at the RP: ${back.url}`);
    held['authorization code'] = new URL(back.url).searchParams.get('code')!;
    Object.assign(held, cookiesOf(browser, 'browser'));
    assert.ok(held['browser cookie _session'], 'the SSO session cookie is held');
    assertNoneStored(await dumpAllTables(), held);

    // The client redeems the code, calls userinfo, refreshes, calls userinfo again.
    const tokens = await exchange(config, start, back.url);
    held['access token'] = tokens.access_token;
    held['refresh token'] = tokens.refresh_token!;
    held['ID token'] = tokens.id_token!;
    assert.equal((await oidc.fetchUserInfo(config, tokens.access_token, user.user.id)).email, user.email);
    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
    assert.notEqual(refreshed.refresh_token, tokens.refresh_token, 'the refresh token rotates');
    held['refreshed access token'] = refreshed.access_token;
    held['rotated refresh token'] = refreshed.refresh_token!;
    held['refreshed ID token'] = refreshed.id_token!;
    assert.equal((await oidc.fetchUserInfo(config, refreshed.access_token, user.user.id)).email, user.email);

    // A second sign-in in the same browser: its interaction refers to the live SSO session.
    const again = await authorizationUrl(config, { prompt: 'login' });
    const relogin = await browser.open(again.url.href);
    assert.match(relogin.html, /name="password"/);
    held['second interaction id'] = uidOf(relogin.url);
    Object.assign(held, cookiesOf(browser, 'browser (second sign-in)'));
    assertNoneStored(await dumpAllTables(), held);

    // The account console: its session cookie and the CSRF token in its forms.
    const account = await consoleSignIn(tobira, user, '/account');
    assert.equal(new URL(account.page.url).pathname, '/account');
    held['account console CSRF token'] = csrfOn(account.page);
    Object.assign(held, cookiesOf(account.browser, 'account console'));
    assert.ok(held['account console cookie tobira_account'], 'the account console cookie is held');

    // The admin console, and a set-password link made there.
    const admin = await makeUser(tobira, { workspaceSlug: workspace.slug, role: 'user_admin' });
    const adminLogin = await consoleSignIn(tobira, admin, '/admin/users/new');
    assert.equal(new URL(adminLogin.page.url).pathname, '/admin/users/new');
    held['admin console CSRF token'] = csrfOn(adminLogin.page);
    Object.assign(held, cookiesOf(adminLogin.browser, 'admin console'));
    const created = await adminLogin.browser.request('/admin/users', {
      method: 'POST',
      body: new URLSearchParams({
        csrf: held['admin console CSRF token'],
        email: `linked-${unique()}@example.test`,
        name: '',
        role: 'member',
        method: 'link',
        password: '',
      }),
    });
    assert.equal(created.status, 200);
    const link = decodeHtml(/<pre id="set-password-link">([^<]+)<\/pre>/.exec(created.html)![1]!);
    held['set-password token'] = link.slice(link.lastIndexOf('/') + 1);

    assertNoneStored(await dumpAllTables(), held);

    // Everything still works from its hash.
    assert.equal((await new Browser(tobira.issuer).open(link)).status, 200, 'the set-password link opens');
    const accountOut = await account.browser.request('/account/logout', {
      method: 'POST',
      body: new URLSearchParams({ csrf: held['account console CSRF token'] }),
    });
    assert.equal(accountOut.status, 302, 'a console form with its CSRF token is accepted');
    assert.match(accountOut.headers.get('location') ?? '', /\/session\/end\?client_id=tobira-account/);

    const introspected = await oidc.tokenIntrospection(config, refreshed.access_token);
    assert.equal(introspected.active, true);
    assert.equal(introspected.sub, user.user.id);
    await oidc.tokenRevocation(config, refreshed.access_token);
    assert.equal((await oidc.tokenIntrospection(config, refreshed.access_token)).active, false, 'revocation finds the access token');
    await assert.rejects(oidc.fetchUserInfo(config, refreshed.access_token, user.user.id));

    // Replaying the rotated-away refresh token revokes the whole grant (revokeByGrantId).
    await assert.rejects(oidc.refreshTokenGrant(config, tokens.refresh_token!), (err: oidc.ResponseBodyError) => {
      assert.equal(err.error, 'invalid_grant');
      return true;
    });
    await assert.rejects(oidc.refreshTokenGrant(config, refreshed.refresh_token!), (err: oidc.ResponseBodyError) => {
      assert.equal(err.error, 'invalid_grant');
      return true;
    });

    // RP-initiated logout finds and ends the SSO session.
    const logoutUrl = oidc.buildEndSessionUrl(config, { id_token_hint: refreshed.id_token!, post_logout_redirect_uri: POST_LOGOUT });
    const confirm = await browser.open(logoutUrl.href);
    assert.equal(confirm.status, 200);
    const done = await browser.submit(confirm, { logout: 'yes' });
    assert.ok(done.url.startsWith(POST_LOGOUT), `back at the RP after logout: ${done.url}`);
    const silent = await browser.open((await authorizationUrl(config, { prompt: 'none' })).url.href);
    assert.equal(new URL(silent.url).searchParams.get('error'), 'login_required');
  });

  it('keeps a pushed authorization request unreadable while its sign-in is pending, and usable once', async () => {
    const user = await makeUser(tobira);
    const { clientId, secret } = await makeClient(tobira);
    const config = await discover(tobira.issuer, clientId, secret);
    const start = await authorizationUrl(config);
    const pushed = await oidc.buildAuthorizationUrlWithPAR(config, Object.fromEntries(start.url.searchParams));
    const requestUri = pushed.searchParams.get('request_uri')!;
    const browser = new Browser(tobira.issuer);
    const login = await browser.open(pushed.href);
    assert.match(login.html, /name="password"/);
    assertNoneStored(await dumpAllTables(), {
      'pushed request id': requestUri.split(':').pop()!,
      'interaction id': uidOf(login.url),
      ...cookiesOf(browser, 'browser'),
    });

    const back = await browser.submit(login, { email: user.email, password: user.password });
    const tokens = await exchange(config, start, back.url);
    assert.equal(tokens.claims()!.sub, user.user.id);
    const replay = await browser.open(pushed.href);
    const refused = new URL(replay.url);
    assert.equal(`${refused.origin}${refused.pathname}`, CALLBACK);
    assert.equal(refused.searchParams.get('error'), 'invalid_request_uri', 'the pushed request was used up when the sign-in finished');
  });
});
