import assert from 'node:assert/strict';
import * as oidc from 'openid-client';
import type { RunningTobira } from '../../src/boot.ts';
import { adjustableClock } from '../../src/clock.ts';
import { requestMemo } from '../../src/http/request-scope.ts';
import { startTobira, makeClient, makeUser, makeWorkspace } from '../helpers/tobira.ts';
import { Browser } from '../../bench/support/browser.ts';
import { discover, signIn } from '../../bench/support/rp.ts';
import { enrolThroughSignIn, nextCode, startSignIn, tokensAt } from '../helpers/scenario-a.ts';
import { isTotpPage } from '../helpers/mfa.ts';

const TOKEN = 'metrics-token-for-statement-tests';

describe('SQL statements in /metrics', () => {
  let tobira: RunningTobira;
  before(async () => {
    tobira = await startTobira({ METRICS_TOKEN: TOKEN });
  });
  after(async () => tobira.close());

  async function statements(): Promise<number> {
    const response = await fetch(`${tobira.issuer}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
    assert.equal(response.status, 200);
    const line = /^tobira_db_statements_total (\d+)$/m.exec(await response.text());
    assert.ok(line, 'tobira_db_statements_total is exported');
    return Number(line[1]);
  }

  it('grow when a token request reads the client and stores the token', async () => {
    const { clientId, secret } = await makeClient(tobira, { redirectUris: [], grants: ['client_credentials'] });
    const before = await statements();
    const response = await fetch(`${tobira.issuer}/token`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials',
    });
    assert.equal(response.status, 200);
    assert.equal(((await response.json()) as { token_type: string }).token_type, 'Bearer');
    assert.ok((await statements()) > before, 'the counter moved');
  });
});

// Issue 10's budgets: every statement a flow sends (BEGIN and COMMIT included, as
// tobira_db_statements_total counts them), so a change that adds a round trip to a hot path fails
// here instead of showing up later in the benchmark. The clients are looked up once before
// counting: a node keeps client metadata in process (src/oidc/client-cache.ts).
describe('SQL statements per flow', () => {
  const clock = adjustableClock();
  let tobira: RunningTobira;
  let sent: string[] = [];
  // Only statements sent while serving a request: the node's own timers (key reload, clean-up)
  // run outside any request and would make the counts depend on timing.
  const record = (query: { sql: string }) => {
    if (requestMemo()) sent.push(query.sql);
  };
  before(async () => {
    tobira = await startTobira({}, { clock });
    tobira.db.on('query', record);
  });
  after(async () => {
    tobira.db.off('query', record);
    await tobira.close();
  });

  async function counted(work: () => Promise<unknown>): Promise<string[]> {
    sent = [];
    await work();
    return sent;
  }

  async function signedIn() {
    const { clientId, secret } = await makeClient(tobira, { grants: ['client_credentials'] });
    const user = await makeUser(tobira);
    const config = await discover(tobira.issuer, clientId, secret);
    const { tokens } = await signIn(config, new Browser(tobira.issuer), user);
    return { config, tokens, user };
  }

  it('userinfo: 2 statements (the token with its session and account, then the grant)', async () => {
    const { config, tokens, user } = await signedIn();
    let claims: oidc.UserInfoResponse | undefined;
    const sql = await counted(async () => {
      claims = await oidc.fetchUserInfo(config, tokens.access_token, user.user.id);
    });
    assert.equal(claims?.email, user.email);
    assert.equal(sql.length, 2, sql.join('\n'));
  });

  it('refresh with rotation: 5 statements', async () => {
    const { config, tokens, user } = await signedIn();
    let refreshed: Awaited<ReturnType<typeof oidc.refreshTokenGrant>> | undefined;
    const sql = await counted(async () => {
      refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
    });
    assert.equal(refreshed?.claims()?.sub, user.user.id);
    assert.equal(sql.length, 5, sql.join('\n'));
  });

  it('introspection of an access token: 2 statements', async () => {
    const { config, tokens } = await signedIn();
    let active: boolean | undefined;
    const sql = await counted(async () => {
      active = (await oidc.tokenIntrospection(config, tokens.access_token)).active;
    });
    assert.equal(active, true);
    assert.equal(sql.length, 2, sql.join('\n'));
  });

  it('client credentials: 1 statement', async () => {
    const { config } = await signedIn();
    let token: string | undefined;
    const sql = await counted(async () => {
      token = (await oidc.clientCredentialsGrant(config)).access_token;
    });
    assert.ok(token);
    assert.equal(sql.length, 1, sql.join('\n'));
  });

  it('password + TOTP sign-in, from the authorization request to the code exchange: at most 30 statements', async () => {
    const workspace = await makeWorkspace(tobira, 'optional');
    const user = await makeUser(tobira, { workspaceSlug: workspace.slug });
    const { clientId, secret } = await makeClient(tobira);
    const config = await discover(tobira.issuer, clientId, secret);
    const { secret: totpSecret } = await enrolThroughSignIn(config, clock, user);
    let amr: unknown;
    const sql = await counted(async () => {
      const browser = new Browser(tobira.issuer);
      const { start, page } = await startSignIn(config, browser, user);
      assert.ok(isTotpPage(page), `the TOTP prompt, got ${page.status} ${page.url}`);
      const back = await browser.submit(page, { code: nextCode(clock, totpSecret) }, '/totp');
      amr = (await tokensAt(config, start, back)).claims.amr;
    });
    assert.deepEqual(amr, ['pwd', 'otp', 'mfa']);
    assert.ok(sql.length <= 30, `${sql.length} statements:\n${sql.join('\n')}`);
  });
});
