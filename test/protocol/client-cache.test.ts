// Client metadata is kept in process on every node, and a change made anywhere — another node,
// the command line's own connection — reaches every node's cache at once through a notice.
import assert from 'node:assert/strict';
import * as oidc from 'openid-client';
import { openDatabase } from '../../src/db/connection.ts';
import { deleteClient } from '../../src/db/clients.ts';
import { twoNodes, makeClient } from '../helpers/tobira.ts';
import { discover } from '../../bench/support/rp.ts';
import { until } from '../helpers/wait.ts';

async function refusedAsInvalidClient(config: oidc.Configuration): Promise<boolean> {
  try {
    await oidc.clientCredentialsGrant(config);
    return false;
  } catch (err) {
    return (
      (err as oidc.WWWAuthenticateChallengeError).cause?.[0]?.parameters.error === 'invalid_client' ||
      (err as oidc.ResponseBodyError).error === 'invalid_client'
    );
  }
}

describe('client metadata cache', () => {
  const nodes = twoNodes();

  const service = () => makeClient(nodes.a, { redirectUris: [], postLogoutRedirectUris: [], grants: ['client_credentials'] });

  it('reads a client from the database once, then serves it from memory', async () => {
    const { clientId, secret } = await service();
    const config = await discover(nodes.a.issuer, clientId, secret);
    await oidc.clientCredentialsGrant(config);
    const statements: string[] = [];
    const record = (query: { sql: string }) => statements.push(query.sql);
    nodes.a.db.on('query', record);
    try {
      await oidc.clientCredentialsGrant(config);
    } finally {
      nodes.a.db.off('query', record);
    }
    assert.deepEqual(
      statements.filter((sql) => /\bfrom "clients"/.test(sql)),
      [],
      'no client query on a warm cache',
    );
  });

  it('a client deleted on one node is refused by the other at once', async () => {
    const { clientId, secret } = await service();
    const onB = await discover(nodes.a.issuer, clientId, secret);
    const viaB = new oidc.Configuration(onB.serverMetadata(), clientId, secret);
    // Route the token request to node B (same issuer, another address), as a load balancer would.
    viaB[oidc.customFetch] = (url, options) => fetch(url.replace(nodes.a.issuer, nodes.b.url), options as RequestInit);
    oidc.allowInsecureRequests(viaB);
    assert.ok((await oidc.clientCredentialsGrant(viaB)).access_token, 'node B knows the client (and caches it)');
    await deleteClient(nodes.a.db, clientId);
    await until('node B refusing the deleted client', () => refusedAsInvalidClient(viaB));
  });

  it('a client deleted through another connection (the command line) is refused by a running node', async function () {
    if (!process.env.DATABASE_URL) return this.skip(); // the embedded database admits one process; the CLI refuses while a node runs
    const { clientId, secret } = await service();
    const config = await discover(nodes.a.issuer, clientId, secret);
    assert.ok((await oidc.clientCredentialsGrant(config)).access_token);
    const cli = await openDatabase({ databaseUrl: process.env.DATABASE_URL, dataDir: 'memory' });
    try {
      await cli.db.transaction((trx) => deleteClient(trx, clientId));
    } finally {
      await cli.close();
    }
    await until('the node refusing the client deleted by another process', () => refusedAsInvalidClient(config));
  });
});
