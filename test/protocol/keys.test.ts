import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as jose from 'jose';
import { startTobira, twoNodes, makeClient, makeUser } from '../helpers/tobira.ts';
import { adjustableClock } from '../../src/clock.ts';
import { Browser } from '../../bench/support/browser.ts';
import { discover, signIn } from '../../bench/support/rp.ts';
import { KEY_ACTIVATION_DELAY_MS, rotateSigningKey } from '../../src/oidc/keys.ts';

// Restarting needs a database that outlives the node: a PGlite folder, or CI's PostgreSQL.
describe('signing keys', () => {
  let dataDir: string;
  before(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'tobira-keys-'));
  });
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  it('are stored encrypted, and a rotation keeps tokens signed before it verifiable', async () => {
    const env = { TOBIRA_DATA_DIR: dataDir };
    const clock = adjustableClock();
    let tobira = await startTobira(env, { clock });
    const rows = await tobira.db('signing_keys').select();
    assert.ok(rows.length >= 1);
    for (const row of rows) {
      // A sealed value is v1.<iv>.<ciphertext>.<tag> in base64url, which never holds the quotes and
      // braces of a JWK; matching words such as "RSA" instead failed by chance on ~1 % of keys.
      assert.match(row.private_jwk_encrypted, /^v1\.[\w-]+\.[\w-]+\.[\w-]+$/, 'the private key is stored sealed');
      assert.doesNotMatch(row.private_jwk_encrypted, /["{}:]/, 'the private key is not readable in the database');
    }
    const { clientId, secret } = await makeClient(tobira);
    const user = await makeUser(tobira);
    let config = await discover(tobira.issuer, clientId, secret);
    const before = (await signIn(config, new Browser(tobira.issuer), user)).tokens.id_token!;
    const oldKid = jose.decodeProtectedHeader(before).kid;

    const { kid: newKid } = await rotateSigningKey(tobira.db, tobira.keys.dataKey, clock);
    await tobira.close();
    clock.advance(KEY_ACTIVATION_DELAY_MS / 1000);
    tobira = await startTobira(env, { clock });
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

// Nodes load the keys on their own schedules, and a relying party caches the JWKS of whichever
// node it fetched it from. So at every moment of a rotation, every token either node issues must
// verify against the JWKS of either node.
describe('signing key rotation on two nodes', () => {
  const clock = adjustableClock();
  const cluster = twoNodes({ clock });

  it('publishes the new key on every node before any node signs with it', async () => {
    const { clientId, secret } = await makeClient(cluster.a);
    const user = await makeUser(cluster.a);
    const { tokens } = await signIn(await discover(cluster.a.issuer, clientId, secret), new Browser(cluster.a.issuer), user);
    const oldKid = jose.decodeProtectedHeader(tokens.id_token!).kid;
    const nodes = [
      { name: 'A', url: cluster.a.issuer },
      { name: 'B', url: cluster.b.url },
    ];
    const issued: { token: string; by: string }[] = [{ token: tokens.id_token!, by: 'node A before the rotation' }];
    let refreshToken = tokens.refresh_token!;

    // A refresh at a node returns an ID token that node signed.
    async function idTokenFrom(node: { url: string }): Promise<string> {
      const response = await fetch(`${node.url}/token`, {
        method: 'POST',
        headers: { authorization: `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}` },
        body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken }),
      });
      const body = (await response.json()) as { id_token?: string; refresh_token?: string };
      assert.equal(response.status, 200, `refresh at ${node.url}: ${JSON.stringify(body)}`);
      refreshToken = body.refresh_token!;
      return body.id_token!;
    }
    async function everyTokenVerifiesEverywhere(moment: string): Promise<{ A: string; B: string }> {
      const signed = { A: '', B: '' };
      for (const node of nodes) {
        const token = await idTokenFrom(node);
        signed[node.name as 'A' | 'B'] = jose.decodeProtectedHeader(token).kid!;
        issued.push({ token, by: `node ${node.name} ${moment}` });
      }
      for (const node of nodes) {
        const published = (await (await fetch(`${node.url}/jwks`)).json()) as jose.JSONWebKeySet;
        const keys = jose.createLocalJWKSet(published);
        for (const { token, by } of issued) {
          await jose.compactVerify(token, keys).catch((err: Error) => {
            const kid = jose.decodeProtectedHeader(token).kid;
            assert.fail(
              `a token signed by ${by} (kid ${kid}) does not verify against node ${node.name}'s JWKS ${moment} (publishes ${published.keys.map((k) => k.kid).join(', ')}): ${err.message}`,
            );
          });
        }
      }
      return signed;
    }

    assert.deepEqual(await everyTokenVerifiesEverywhere('before the rotation'), { A: oldKid, B: oldKid });
    const { kid: newKid } = await rotateSigningKey(cluster.a.db, cluster.a.keys.dataKey, clock);
    assert.equal(await cluster.a.reloadKeys(), true, 'node A loads the new key');
    assert.deepEqual(
      await everyTokenVerifiesEverywhere('once node A has loaded the new key, before node B has'),
      { A: oldKid, B: oldKid },
      'no node signs with a key another node may not publish yet',
    );
    assert.equal(await cluster.b.reloadKeys(), true, 'node B loads the new key');
    assert.deepEqual(await everyTokenVerifiesEverywhere('once both nodes have loaded the new key'), { A: oldKid, B: oldKid });

    clock.advance(KEY_ACTIVATION_DELAY_MS / 1000);
    assert.equal(await cluster.a.reloadKeys(), true, 'node A switches to the new key once it is active');
    assert.deepEqual(await everyTokenVerifiesEverywhere('when node A signs with the new key and node B still with the old'), { A: newKid, B: oldKid });
    assert.equal(await cluster.b.reloadKeys(), true, 'node B switches too');
    assert.deepEqual(await everyTokenVerifiesEverywhere('when both nodes sign with the new key'), { A: newKid, B: newKid });
  });
});
