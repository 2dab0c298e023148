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

  it('reach running nodes without a restart: the rotation is picked up by every node on the database', async () => {
    const nodeA = await startTobira({ TOBIRA_DATA_DIR: dataDir });
    const nodeB = await startTobira({}, { sameDatabaseAs: nodeA });
    try {
      const { clientId, secret } = await makeClient(nodeA);
      const user = await makeUser(nodeA);
      const before = (await signIn(await discover(nodeA.issuer, clientId, secret), new Browser(nodeA.issuer), user)).tokens.id_token!;
      assert.equal(await nodeA.reloadKeys(), false, 'nothing to reload before a rotation');

      const newKid = await rotateSigningKey(nodeA.db, nodeA.keys.dataKey);
      assert.equal(await nodeA.reloadKeys(), true);
      assert.equal(await nodeB.reloadKeys(), true);
      for (const node of [nodeA, nodeB]) {
        const published = ((await (await fetch(`${node.issuer}/jwks`)).json()) as jose.JSONWebKeySet).keys.map((k) => k.kid);
        assert.ok(published.includes(newKid) && published.includes(jose.decodeProtectedHeader(before).kid), `${node.issuer} publishes old and new`);
        const after = (await signIn(await discover(node.issuer, clientId, secret), new Browser(node.issuer), user)).tokens.id_token!;
        assert.equal(jose.decodeProtectedHeader(after).kid, newKid, 'signs with the new key at once');
      }
      const jwks = jose.createLocalJWKSet((await (await fetch(`${nodeB.issuer}/jwks`)).json()) as jose.JSONWebKeySet);
      await jose.compactVerify(before, jwks);
    } finally {
      await nodeB.close();
      await nodeA.close();
    }
  });
});
