import assert from 'node:assert/strict';
import type { RunningTobira } from '../../src/boot.ts';
import { startTobira, makeClient } from '../helpers/tobira.ts';

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
