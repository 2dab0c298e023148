// The database goes away and comes back (issue 9): a throwaway PostgreSQL cluster of this test's
// own is stopped under a running Tobira and started again. While it is away Tobira keeps running
// and answers fast: /readyz 503, the sign-in and console pages a translated "temporarily
// unavailable" page (503, Retry-After), the provider's JSON endpoints 503 `temporarily_unavailable`;
// an admin change caught in flight is refused and leaves nothing behind. When the database is back
// the same process serves a full sign-in, with no restart.
import assert from 'node:assert/strict';
import pg from 'pg';
import type * as oidc from 'openid-client';
import type { RunningTobira } from '../../src/boot.ts';
import { adjustableClock } from '../../src/clock.ts';
import { en } from '../../src/i18n/en.ts';
import { ja } from '../../src/i18n/ja.ts';
import { makeClient, makeUser, makeWorkspace, startTobira, unique, type TestUser } from '../helpers/tobira.ts';
import { Browser, type Page } from '../../bench/support/browser.ts';
import { discover, signIn } from '../../bench/support/rp.ts';
import { csrfOn } from '../helpers/console.ts';
import { signedInAdmin, type AdminSession } from '../helpers/admin.ts';
import { authorizationUrl } from '../../bench/support/rp.ts';
import { createThrowawayCluster, postgresBinDir, type ThrowawayCluster } from '../helpers/throwaway-postgres.ts';
import { until } from '../helpers/wait.ts';

// Twice the pool's acquire timeout, with room for a busy machine; a hung request takes until the
// test's own timeout.
const FAST_MS = 10_000;

async function timed<T>(what: string, request: () => Promise<T>): Promise<T> {
  const started = Date.now();
  const result = await request();
  const ms = Date.now() - started;
  assert.ok(ms < FAST_MS, `${what} answered only after ${ms} ms while the database was away`);
  return result;
}

function assertUnavailablePage(page: Page, what: string, message: string = en['error.unavailable']): void {
  assert.equal(page.status, 503, `${what}: status (${page.html.slice(0, 200)})`);
  assert.equal(page.headers.get('retry-after'), '5', `${what}: Retry-After`);
  assert.match(page.headers.get('content-type') ?? '', /^text\/html/, `${what}: a page`);
  assert.ok(page.html.includes(message), `${what}: the translated message`);
}

async function jsonAt(url: string, init: RequestInit): Promise<{ status: number; retryAfter: string | null; body: Record<string, unknown> }> {
  const response = await fetch(url, init);
  return { status: response.status, retryAfter: response.headers.get('retry-after'), body: (await response.json()) as Record<string, unknown> };
}

describe('the database goes away and comes back', function () {
  this.timeout(180_000);
  const clock = adjustableClock();
  let cluster: ThrowawayCluster | undefined;
  let tobira: RunningTobira | undefined;
  let admin: AdminSession;
  let user: TestUser;
  let config: oidc.Configuration;
  let client: { clientId: string; secret: string | undefined };
  let refreshToken: string;
  let accessToken: string;
  let locker: pg.Client | undefined;

  before(async function () {
    const binDir = await postgresBinDir();
    if (!binDir) {
      console.log('    skipped: initdb and pg_ctl are not installed (Debian: apt-get install postgresql; or set PG_BINDIR)');
      this.skip();
    }
    cluster = await createThrowawayCluster(binDir);
    tobira = await startTobira({ DATABASE_URL: cluster.url }, { clock });
    const workspace = await makeWorkspace(tobira, 'optional');
    admin = await signedInAdmin(tobira, clock, workspace.slug);
    user = await makeUser(tobira, { workspaceSlug: workspace.slug });
    client = await makeClient(tobira, { grants: ['refresh_token'] });
    config = await discover(tobira.issuer, client.clientId, client.secret);
    const { tokens } = await signIn(config, new Browser(tobira.issuer), user);
    assert.ok(tokens.refresh_token, 'the client is allowed refresh tokens');
    refreshToken = tokens.refresh_token;
    accessToken = tokens.access_token;
  });
  after(async () => {
    try {
      await locker?.end().catch(() => undefined);
      await tobira?.close();
    } finally {
      await cluster?.destroy();
    }
  });

  it('answers 503 fast while it is away, refuses a change in flight without a half-write, and serves again when it is back', async () => {
    const node = tobira!;
    const db = cluster!;
    const browser = new Browser(node.issuer, { accept: 'text/html' });
    const basic = `Basic ${Buffer.from(`${client.clientId}:${client.secret}`).toString('base64')}`;
    // A sign-in that reached the password form before the outage.
    const started = await browser.open((await authorizationUrl(config)).url.href);
    assert.match(started.url, /\/interaction\//);

    // An admin creates a user with a set-password link; the test holds a lock that stops the
    // change inside its transaction, after the user row and before the link, then stops PostgreSQL.
    const newEmail = `in-flight-${unique()}@example.test`;
    const form = await admin.browser.open('/admin/users/new');
    const lock = new pg.Client({ connectionString: db.url });
    locker = lock;
    lock.on('error', () => {}); // terminated by the stop, as intended
    await lock.connect();
    await lock.query('begin');
    await lock.query('lock table set_password_tokens in exclusive mode');
    const inFlight = admin.browser.request('/admin/users', {
      method: 'POST',
      headers: { accept: 'text/html' },
      body: new URLSearchParams({ csrf: csrfOn(form), email: newEmail, name: 'In Flight', role: 'member', method: 'link', password: '' }),
    });
    const blocked = await until('the create-user transaction waits on the lock', async () => {
      await lock.query('select pg_stat_clear_snapshot()'); // read afresh inside the lock's transaction
      const { rows } = await lock.query<{ pid: number }>('select pid from pg_stat_activity where pg_backend_pid() = any(pg_blocking_pids(pid))');
      return rows[0]?.pid;
    });
    // A fast shutdown ends every backend at once; which one goes first is a race. Ending the
    // change's backend first, with the lock still held, is that shutdown with its worst ordering
    // fixed: the same 57P01 error, and the transaction can never reach its commit.
    await lock.query('select pg_terminate_backend($1)', [blocked]);
    await db.stop();

    assertUnavailablePage(await timed('the change in flight', () => inFlight), 'the admin change in flight');

    const ready = await timed('/readyz', () => fetch(`${node.issuer}/readyz`));
    assert.equal(ready.status, 503);
    assert.deepEqual(await ready.json(), { status: 'database unavailable' });

    assertUnavailablePage(await timed('the password form', () => browser.submit(started, { email: user.email, password: user.password })), 'the password form');
    assertUnavailablePage(
      await timed('a new authorization request', async () => browser.open((await authorizationUrl(config)).url.href)),
      'the authorization endpoint',
    );
    assertUnavailablePage(await timed('the admin console', () => admin.browser.open('/admin/users')), 'the admin console');
    const japanese = new Browser(node.issuer, { accept: 'text/html', 'accept-language': 'ja' });
    assertUnavailablePage(await timed('the account page', () => japanese.open('/account')), 'the account page, in Japanese', ja['error.unavailable']);

    const unavailable = { error: 'temporarily_unavailable', error_description: en['error.unavailable'] };
    const token = await timed('the token endpoint', () =>
      jsonAt(`${node.issuer}/token`, {
        method: 'POST',
        headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken }),
      }),
    );
    assert.deepEqual(token, { status: 503, retryAfter: '5', body: unavailable }, 'the token endpoint');
    const me = await timed('userinfo', () => jsonAt(`${node.issuer}/me`, { headers: { authorization: `Bearer ${accessToken}` } }));
    assert.deepEqual(me, { status: 503, retryAfter: '5', body: unavailable }, 'userinfo');
    const introspection = await timed('introspection', () =>
      jsonAt(`${node.issuer}/token/introspection`, {
        method: 'POST',
        headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ token: accessToken }),
      }),
    );
    assert.deepEqual(introspection, { status: 503, retryAfter: '5', body: unavailable }, 'introspection');
    // What needs no database keeps answering: an RP can still discover and fetch keys.
    assert.equal((await timed('discovery', () => fetch(`${node.issuer}/.well-known/openid-configuration`))).status, 200);
    assert.equal((await timed('jwks', () => fetch(`${node.issuer}/jwks`))).status, 200);

    await db.start();
    await until('/readyz answers 200 again', async () => (await fetch(`${node.issuer}/readyz`)).status === 200);

    // The same process, never restarted, serves a whole sign-in and a refresh.
    const again = await signIn(config, new Browser(node.issuer), user);
    assert.equal(again.tokens.claims()!.sub, user.user.id);
    const refreshed = await jsonAt(`${node.issuer}/token`, {
      method: 'POST',
      headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken }),
    });
    assert.equal(refreshed.status, 200, JSON.stringify(refreshed.body));
    assert.equal((await admin.browser.open('/admin/users')).status, 200, 'the admin console is back, with the same session');
    // Nothing of the refused change was written: no user, no link, no audit row.
    assert.equal((await node.db('users').where({ email: newEmail })).length, 0, 'no user was created');
    assert.equal((await node.db('audit_events').whereRaw("details->>'email' = ?", [newEmail])).length, 0, 'no audit row');
  });
});
