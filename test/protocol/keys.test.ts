import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as jose from 'jose';
import { startTobira, makeClient, makeUser } from '../helpers/tobira.ts';
import { Browser } from '../helpers/browser.ts';
import { discover, signIn } from '../helpers/rp.ts';
import { rotateSigningKey } from '../../src/oidc/keys.ts';

// Restarting needs a database that outlives the node: a PGlite folder, or CI's PostgreSQL.
describe('signing keys', () => {
  let dataDir: string;
  before(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'tobira-keys-'));
  });
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  it('are stored encrypted, and a rotation keeps tokens signed before it verifiable', async () => {
    const env = { TOBIRA_DATA_DIR: dataDir };
    let tobira = await startTobira(env);
    const rows = await tobira.db('signing_keys').select();
    assert.ok(rows.length >= 1);
    for (const row of rows) {
      assert.doesNotMatch(row.private_jwk_encrypted, /"d"|RSA|kty/, 'the private key is not readable in the database');
    }
    const { clientId, secret } = await makeClient(tobira);
    const user = await makeUser(tobira);
    let config = await discover(tobira.issuer, clientId, secret);
    const before = (await signIn(config, new Browser(tobira.issuer), user)).tokens.id_token!;
    const oldKid = jose.decodeProtectedHeader(before).kid;

    const newKid = await rotateSigningKey(tobira.db, tobira.keys.dataKey);
    await tobira.close();
    tobira = await startTobira(env);
    try {
      config = await discover(tobira.issuer, clientId, secret);
      const after = (await signIn(config, new Browser(tobira.issuer), user)).tokens.id_token!;
      assert.equal(jose.decodeProtectedHeader(after).kid, newKid, 'new tokens are signed with the new key');
      assert.notEqual(newKid, oldKid);

      const jwks = jose.createLocalJWKSet((await (await fetch(`${tobira.issuer}/jwks`)).json()) as jose.JSONWebKeySet);
      // The old token came from the node before the restart (another port, so another issuer
      // here); what must still hold is its signature against the published keys.
      const verified = await jose.compactVerify(before, jwks);
      assert.equal(verified.protectedHeader.kid, oldKid);
      await jose.jwtVerify(after, jwks, { issuer: tobira.issuer, audience: clientId });
    } finally {
      await tobira.close();
    }
  });
});
