// Issue 8, item 5: hostile input never reaches the database raw. A NUL byte in a field, a query
// parameter or a path segment used to end in a PostgreSQL error (a 500) or a lost audit row. Now
// one boundary refuses NUL, other control characters, lone surrogates and bytes that are not UTF-8
// with a 400 and a clear message before any query, and the refusal is itself in the audit log.
import { en } from '../../src/i18n/en.ts';
import assert from 'node:assert/strict';
import type { RunningTobira } from '../../src/boot.ts';
import { adjustableClock } from '../../src/clock.ts';
import { recordAudit } from '../../src/audit/record.ts';
import { startTobira, makeClient, makeUser, makeWorkspace, CALLBACK } from '../helpers/tobira.ts';
import { Browser, alertText, type Page } from '../../bench/support/browser.ts';
import { authorizationUrl, discover } from '../../bench/support/rp.ts';
import { auditWhere, signedInAdmin, type AdminSession } from '../helpers/admin.ts';
import { assertNoInternals, throttleRow, uniqueAddress } from '../helpers/scenario-b.ts';

const REFUSED_EN =
  'What was sent contains characters Tobira does not accept: invisible control characters or text that is not valid UTF-8. Check what was typed or pasted and try again.';
const REFUSED_JA =
  '送信された内容に、Tobira が受け付けない文字(目に見えない制御文字、または正しい UTF-8 ではない文字列)が含まれています。入力または貼り付けた内容を確認して、もう一度お試しください。';

function assertRefused(page: Page, message = REFUSED_EN): void {
  assert.equal(page.status, 400, `expected the boundary's 400, got ${page.status}: ${alertText(page.html) ?? page.html.slice(0, 200)}`);
  assert.equal(alertText(page.html), message);
  assertNoInternals(page.html);
}

describe('input boundary: the three examples of the security review and their neighbours', function () {
  this.timeout(60_000);
  const clock = adjustableClock();
  let tobira: RunningTobira;
  let workspace: { id: string; slug: string };
  let admin: AdminSession;
  before(async () => {
    tobira = await startTobira({ TRUST_PROXY: 'true' }, { clock });
    workspace = await makeWorkspace(tobira, 'optional');
    admin = await signedInAdmin(tobira, clock, workspace.slug);
  });
  after(async () => tobira?.close());

  const refusalsSince = async (id: number) => (await auditWhere(tobira, { action: 'request.refused' })).filter((row) => Number(row.id) > id);
  const lastAuditId = async () => Number((await tobira.db('audit_events').max('id as id').first())?.id ?? 0);

  async function atLogin(headers: Record<string, string> = {}) {
    const { clientId, secret } = await makeClient(tobira);
    const config = await discover(tobira.issuer, clientId, secret);
    const browser = new Browser(tobira.issuer, { 'x-forwarded-for': uniqueAddress(), ...headers });
    const login = await browser.open((await authorizationUrl(config)).url.href);
    assert.ok(login.html.includes('name="password"'));
    return { browser, login, action: `${new URL(login.url).pathname}/login` };
  }

  it('email=a%00@b.c at the login form: a 400 with the message in en and ja, audited, counted nowhere; the right password then works', async () => {
    const user = await makeUser(tobira);
    const since = await lastAuditId();
    const { browser, login, action } = await atLogin();
    const page = await browser.request(action, { method: 'POST', body: new URLSearchParams({ email: 'a\0@b.c', password: 'Winter2024!' }) });
    assertRefused(page);
    const ja = await atLogin({ 'accept-language': 'ja' });
    assertRefused(await ja.browser.request(ja.action, { method: 'POST', body: new URLSearchParams({ email: 'a\0@b.c', password: 'x' }) }), REFUSED_JA);

    const [row] = await refusalsSince(since);
    assert.ok(row, 'the refusal has its audit row');
    assert.equal(row.outcome, 'refused');
    assert.equal(row.actor_type, 'anonymous');
    assert.deepEqual(
      { reason: row.details.reason, place: row.details.place, field: row.details.field, value: row.details.value, method: row.details.method },
      { reason: 'control_character', place: 'form', field: 'email', value: 'a\\u0000@b.c', method: 'POST' },
      'what was refused is stored escaped',
    );
    assert.equal(await throttleRow(tobira, 'password:user:a\\u0000@b.c'), undefined);
    assert.deepEqual(
      (await auditWhere(tobira, { action: 'sign_in' })).filter((r) => Number(r.id) > since),
      [],
      'no sign-in attempt was counted',
    );

    const signedIn = await browser.submit(login, { email: user.email, password: user.password });
    assert.ok(signedIn.url.startsWith(CALLBACK), `the interaction is intact: ${signedIn.status} ${signedIn.url}`);
  });

  it('a password is never written to the log, even when refused', async () => {
    const since = await lastAuditId();
    const { browser, action } = await atLogin();
    assertRefused(await browser.request(action, { method: 'POST', body: new URLSearchParams({ email: 'a@b.c', password: 'secret\u0007pass' }) }));
    const [row] = await refusalsSince(since);
    assert.equal(row?.details.field, 'password');
    assert.equal(row?.details.value, '[redacted]');
  });

  it('bytes that are not UTF-8, raw or percent-encoded, and lone surrogates are refused; a right-to-left mark is not', async () => {
    const { browser, action } = await atLogin();
    const bodies = [
      Buffer.from('email=%FF%40b.c&password=x'),
      Buffer.concat([Buffer.from('email=a'), Buffer.from([0xc3, 0x28]), Buffer.from('@b.c&password=x')]),
      Buffer.from('email=%ED%A0%80%40b.c&password=x'), // a lone surrogate, as WTF-8
      Buffer.from('email=%C0%80%40b.c&password=x'), // an overlong NUL
      Buffer.from('email=a%C2%85%40b.c&password=x'), // NEL, a C1 control
      Buffer.from('email=a%09%40b.c&password=x'), // a tab: no field here is multi-line
    ];
    for (const body of bodies) assertRefused(await browser.request(action, { method: 'POST', body }));
    // A right-to-left mark is text, so the boundary lets it through: in a password it is an
    // ordinary wrong sign-in; in an e-mail the canonical form refuses it (an invisible character).
    const rtl = await browser.request(action, { method: 'POST', body: new URLSearchParams({ email: 'a@b.c', password: '\u200fx' }) });
    assert.equal(rtl.status, 401, 'a right-to-left mark in a password: an ordinary wrong sign-in');
    assert.equal(alertText(rtl.html), 'The e-mail address or password is incorrect. Check both and try again.');
    const rtlEmail = await browser.request(action, { method: 'POST', body: new URLSearchParams({ email: '\u200fa@b.c', password: 'x' }) });
    assert.equal(rtlEmail.status, 400, 'a right-to-left mark in an e-mail: no canonical form');
    assert.equal(alertText(rtlEmail.html), en['login.emailNotPlain']);
  });

  it('?q=%00 on the admin users list: a 400 with the message, audited against the admin', async () => {
    const since = await lastAuditId();
    assertRefused(await admin.browser.request('/admin/users?q=%00'));
    assertRefused(await admin.browser.request('/admin/users?q=%E2%82'), REFUSED_EN);
    const rows = await refusalsSince(since);
    assert.deepEqual(
      rows.map((r) => [r.actor_id, r.workspace_id, r.details.place, r.details.field, r.details.reason, r.details.value]),
      [
        [admin.user.user.id, workspace.id, 'query', 'q', 'control_character', '\\u0000'],
        [admin.user.user.id, workspace.id, 'query', 'q', 'invalid_utf8', '%E2%82'],
      ],
    );
    const search = await admin.browser.request(`/admin/users?q=${encodeURIComponent("' OR 1=1 -- \u202e<script>")}`);
    assert.equal(search.status, 200, 'SQL and HTML fragments are only text');
    assert.ok(!search.html.includes('<script>'));
  });

  it('/admin/users/%00: a 400 with the message, audited against the admin; a malformed id is the usual audited 403', async () => {
    const since = await lastAuditId();
    assertRefused(await admin.browser.request('/admin/users/%00'));
    assertRefused(await admin.browser.request('/admin/users/%00/delete', { method: 'POST', body: new URLSearchParams({ confirm: 'yes' }) }));
    const rows = await refusalsSince(since);
    assert.deepEqual(
      rows.map((r) => [r.actor_id, r.workspace_id, r.details.place, r.details.value, r.details.method]),
      [
        [admin.user.user.id, workspace.id, 'path', '\\u0000', 'GET'],
        [admin.user.user.id, workspace.id, 'path', '\\u0000', 'POST'],
      ],
    );
    // 36 characters of hex digits and dashes that are no UUID used to reach PostgreSQL's uuid parser.
    const malformed = await admin.browser.request(`/admin/users/${'-'.repeat(36)}`);
    assert.equal(malformed.status, 403);
    const refusal = (await auditWhere(tobira, { action: 'user.view', outcome: 'refused' })).at(-1);
    assert.equal(refusal?.details.reason, 'not_in_workspace');
  });

  it('a NUL in a parameter of the provider is an OAuth invalid_request, never a 500', async () => {
    const { clientId, secret } = await makeClient(tobira, { grants: ['authorization_code', 'refresh_token'] });
    const basic = `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}`;
    const post = (path: string, body: string) =>
      fetch(`${tobira.issuer}${path}`, {
        method: 'POST',
        body,
        headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded' },
      });
    const cases: [string, Promise<Response>][] = [
      ['token code', post('/token', `grant_type=authorization_code&code=%00&redirect_uri=${encodeURIComponent(CALLBACK)}`)],
      ['token refresh_token', post('/token', 'grant_type=refresh_token&refresh_token=a%00')],
      ['introspection', post('/token/introspection', 'token=%00')],
      ['revocation', post('/token/revocation', 'token=%00')],
      [
        'userinfo',
        fetch(`${tobira.issuer}/me`, { method: 'POST', body: 'access_token=%00', headers: { 'content-type': 'application/x-www-form-urlencoded' } }),
      ],
      ['pushed request', post('/request', `response_type=code&scope=openid&redirect_uri=${encodeURIComponent(CALLBACK)}&login_hint=a%00`)],
      ['end session', fetch(`${tobira.issuer}/session/end?client_id=%00`)],
      ['authorization', fetch(`${tobira.issuer}/auth?client_id=${clientId}&response_type=code&scope=openid&login_hint=a%00`)],
      ['claims', fetch(`${tobira.issuer}/auth?client_id=${clientId}&claims=${encodeURIComponent('{"id_token":{"email\\u0000":null}}')}`)],
    ];
    for (const [label, pending] of cases) {
      const response = await pending;
      assert.equal(response.status, 400, label);
      assert.deepEqual(await response.json(), { error: 'invalid_request', error_description: REFUSED_EN }, label);
    }
    const page = await new Browser(tobira.issuer, { accept: 'text/html' }).request('/auth?client_id=%00&response_type=code');
    assertRefused(page);
    assert.match(page.html, /invalid_request/, 'the developer sees the protocol error code');
  });

  it('a 1 MB body is a 413 at our forms and at the provider', async () => {
    const { browser, action } = await atLogin();
    const huge = Buffer.from(`email=${'a'.repeat(1 << 20)}&password=x`);
    const form = await browser.request(action, { method: 'POST', body: huge });
    assert.equal(form.status, 413);
    assert.equal(alertText(form.html), 'What was sent is too large. Nothing was changed.');
    const token = await fetch(`${tobira.issuer}/token`, { method: 'POST', body: huge, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    assert.equal(token.status, 413);
    assert.equal((await token.json()).error, 'invalid_request');
  });

  it('an audit event carrying NUL, controls and lone surrogates is stored, escaped', async () => {
    const since = await lastAuditId();
    await recordAudit(tobira.db, {
      action: 'test.hostile',
      outcome: 'refused',
      workspaceId: workspace.id,
      actorType: 'anonymous',
      actorLabel: 'a\0b',
      userAgent: 'agent\u0085\ud800',
      ip: '192.0.2.1',
      details: { 'key\0': ['x\u0001', { deep: 'y\udc00z' }], count: 3, ok: true },
    });
    const [row] = (await auditWhere(tobira, { action: 'test.hostile' })).filter((r) => Number(r.id) > since);
    assert.ok(row, 'the row was written');
    assert.equal(row.actor_label, 'a\\u0000b');
    assert.equal(row.user_agent, 'agent\\u0085\\ud800');
    assert.deepEqual(row.details, { 'key\\u0000': ['x\\u0001', { deep: 'y\\udc00z' }], count: 3, ok: true });
  });
});
