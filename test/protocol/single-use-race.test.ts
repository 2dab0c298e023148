import assert from 'node:assert/strict';
import type { RunningTobira } from '../../src/boot.ts';
import { startTobira, makeClient, makeUser, CALLBACK } from '../helpers/tobira.ts';
import { Browser, type Page } from '../../bench/support/browser.ts';
import { authorizationUrl, discover, signIn } from '../../bench/support/rp.ts';

// A code or refresh token works once, also when a client (or an attacker who copied it) presents
// it several times at the same moment: each request reads it unused before any has consumed it.
describe('single use under parallel requests', () => {
  let tobira: RunningTobira;
  before(async () => {
    tobira = await startTobira();
  });
  after(async () => tobira.close());

  async function client() {
    const { clientId, secret } = await makeClient(tobira);
    const basic = `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}`;
    const token = async (params: Record<string, string>) => {
      const response = await fetch(`${tobira.issuer}/token`, {
        method: 'POST',
        headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(params),
      });
      return { status: response.status, body: (await response.json()) as { error?: string } };
    };
    return { config: await discover(tobira.issuer, clientId, secret), token };
  }

  it('a refresh token presented four times at once is honoured once', async () => {
    const { config, token } = await client();
    const { tokens } = await signIn(config, new Browser(tobira.issuer), await makeUser(tobira));
    const answers = await Promise.all([1, 2, 3, 4].map(() => token({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token! })));
    assert.deepEqual(answers.map((a) => a.status).sort(), [200, 400, 400, 400]);
    for (const refused of answers.filter((a) => a.status === 400)) assert.equal(refused.body.error, 'invalid_grant');
  });

  it('an authorization code redeemed four times at once gives tokens once', async () => {
    const { config, token } = await client();
    const user = await makeUser(tobira);
    const start = await authorizationUrl(config);
    const browser = new Browser(tobira.issuer);
    let page: Page = await browser.open(start.url.href);
    page = await browser.submit(page, { email: user.email, password: user.password });
    assert.ok(page.url.startsWith(CALLBACK), `back at the RP, got ${page.status} ${page.url}`);
    const code = new URL(page.url).searchParams.get('code')!;
    const answers = await Promise.all(
      [1, 2, 3, 4].map(() => token({ grant_type: 'authorization_code', code, redirect_uri: CALLBACK, code_verifier: start.verifier })),
    );
    assert.deepEqual(answers.map((a) => a.status).sort(), [200, 400, 400, 400]);
    for (const refused of answers.filter((a) => a.status === 400)) assert.equal(refused.body.error, 'invalid_grant');
  });
});
