import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RunningTobira } from '../../src/boot.ts';
import { startTobira } from '../helpers/tobira.ts';
import { Browser, decodeHtml } from '../../bench/support/browser.ts';
import { seedDemo, pointDemoClientAt, DEMO_CLIENT_ID } from '../../src/demo/seed.ts';
import { startDemoRp } from '../../src/demo/relying-party.ts';
import { findClient } from '../../src/db/clients.ts';
import { openClientSecret } from '../../src/oidc/clients.ts';
import { countWorkspaces } from '../../src/db/workspaces.ts';

// What a newcomer sees after `npm start`: the demo app signs the demo member in through Tobira
// and shows the ID token's claims.
describe('the demo workspace and relying party', () => {
  let tobira: RunningTobira;
  let demo: { server: Server; url: string } | undefined;
  before(async () => {
    // The seed only runs on an empty database, so this file always gets its own embedded one.
    tobira = await startTobira({}, { embedded: true });
    assert.equal(await countWorkspaces(tobira.db), 0);
  });
  after(async () => {
    demo?.server.close();
    await tobira.close();
  });

  it('seeds once, and the demo member signs in to the demo app and sees amr ["pwd"]', async () => {
    const port = await freePort();
    const base = `http://localhost:${port}`;
    const seed = await seedDemo(tobira.db, tobira.keys.dataKey, `${base}/callback`, `${base}/`);
    assert.ok(seed, 'an empty database gets the demo workspace');
    assert.equal(await seedDemo(tobira.db, tobira.keys.dataKey, `${base}/callback`, `${base}/`), undefined, 'never twice');
    assert.equal(await pointDemoClientAt(tobira.db, `${base}/callback`, `${base}/`), true);

    const client = (await findClient(tobira.db, DEMO_CLIENT_ID))!;
    demo = await startDemoRp({
      issuer: tobira.issuer,
      clientId: DEMO_CLIENT_ID,
      clientSecret: openClientSecret(tobira.keys.dataKey, client)!,
      port,
      host: '127.0.0.1',
    });

    const issuerOrigin = new URL(tobira.issuer).origin;
    const browser = new Browser(base, {}, [issuerOrigin]);
    const home = await browser.open(base);
    assert.match(home.html, /Sign in with Tobira/);
    const login = await browser.open(`${base}/login`);
    assert.ok(login.url.startsWith(`${issuerOrigin}/interaction/`), 'the demo app sends the user to Tobira');
    const back = await browser.submit(login, seed.member);
    assert.equal(new URL(back.url).origin, base, `back at the demo app (${back.status} ${back.url})`);
    const claims = JSON.parse(decodeHtml(/<pre id="claims">([\s\S]*?)<\/pre>/.exec(back.html)![1]!)) as Record<string, unknown>;
    assert.deepEqual(claims.amr, ['pwd']);
    assert.equal(claims.email, seed.member.email);
    assert.deepEqual((claims.workspace as { slug: string }).slug, 'demo');

    const admin = await tobira.db('users').whereRaw('lower(email) = ?', [seed.admin.email]).first();
    assert.equal(admin.role, 'workspace_admin');
  });
});

async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
