import assert from 'node:assert/strict';
import type { RunningTobira } from '../../src/boot.ts';
import { startTobira, makeClient, makeUser } from '../helpers/tobira.ts';
import { Browser } from '../../bench/support/browser.ts';
import { discover, signIn } from '../../bench/support/rp.ts';

describe('Prometheus metrics', () => {
  let tobira: RunningTobira;
  before(async () => {
    tobira = await startTobira({ METRICS_TOKEN: 'metrics-token-for-tests' });
  });
  after(async () => tobira.close());

  it('counts sign-ins and failures without user, address or secret labels, behind the metrics token', async () => {
    const { clientId, secret } = await makeClient(tobira);
    const user = await makeUser(tobira);
    const config = await discover(tobira.issuer, clientId, secret);
    await signIn(config, new Browser(tobira.issuer), user);
    assert.equal((await fetch(`${tobira.issuer}/metrics`)).status, 401);
    const response = await fetch(`${tobira.issuer}/metrics`, { headers: { authorization: 'Bearer metrics-token-for-tests' } });
    assert.equal(response.status, 200);
    const text = await response.text();
    assert.match(text, /tobira_sign_ins_total\{acr="urn:tobira:acr:password"\} [1-9]/);
    assert.match(text, /tobira_http_request_duration_seconds_bucket\{[^}]*route="\/interaction"/);
    assert.ok(!text.includes(user.email) && !text.includes(user.user.id) && !text.includes(user.password));
  });
});

describe('Prometheus metrics on their own loopback port (METRICS_PORT)', () => {
  let tobira: RunningTobira;
  before(async () => {
    tobira = await startTobira({ METRICS_PORT: '0' });
  });
  after(async () => tobira.close());

  it('serves /metrics on 127.0.0.1 without a token, and not on the public port', async () => {
    assert.ok(tobira.metricsUrl, 'the metrics address is known');
    assert.match(tobira.metricsUrl!, /^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    const metrics = await fetch(tobira.metricsUrl!);
    assert.equal(metrics.status, 200);
    assert.match(await metrics.text(), /tobira_http_request_duration_seconds/);
    assert.equal((await fetch(`${tobira.issuer}/metrics`)).status, 404);
    assert.equal((await fetch(tobira.metricsUrl!.replace('/metrics', '/healthz'))).status, 404, 'nothing else is served there');
  });
});
