import assert from 'node:assert/strict';
import { bootTobira, type RunningTobira } from '../../src/boot.ts';
import { setLogLevel } from '../../src/log.ts';
import { testConfig } from '../helpers/tobira.ts';

// A node listens before it is ready: while it migrates and builds the provider, every request gets
// an immediate 503 with Retry-After (JSON at the provider's endpoints, a page elsewhere) and
// /readyz says why. The boot is held at its last step (beforeServe) until the test lets it go.
describe('a node that is still starting', () => {
  let reachedIssuer: (issuer: string) => void;
  const reached = new Promise<string>((resolve) => (reachedIssuer = resolve));
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let booting: Promise<RunningTobira>;
  let issuer: string;

  before(async () => {
    setLogLevel('silent');
    booting = bootTobira(testConfig(), {
      inMemory: !process.env.DATABASE_URL,
      beforeServe: async (_db, _keys, at) => {
        reachedIssuer(at);
        await released;
      },
    });
    // If the boot fails before it reaches the hook, say so instead of waiting for the timeout.
    issuer = await Promise.race([
      reached,
      booting.then(() => {
        throw new Error('the boot finished without calling beforeServe');
      }),
    ]);
  });

  after(async () => {
    release();
    await (await booting).close();
  });

  const get = (path: string, headers: Record<string, string> = {}) =>
    fetch(`${issuer}${path}`, { headers, redirect: 'manual', signal: AbortSignal.timeout(5_000) });

  it('answers the authorization endpoint at once with 503 temporarily_unavailable in JSON and Retry-After', async () => {
    const res = await get('/auth?client_id=x&response_type=code&scope=openid', { accept: 'text/html' });
    assert.equal(res.status, 503);
    assert.equal(res.headers.get('retry-after'), '5');
    assert.deepEqual(await res.json(), { error: 'temporarily_unavailable', error_description: 'Tobira is starting. Try again in a few seconds.' });
  });

  it('answers discovery with the same JSON error', async () => {
    const res = await get('/.well-known/openid-configuration');
    assert.equal(res.status, 503);
    assert.equal(((await res.json()) as { error: string }).error, 'temporarily_unavailable');
  });

  it('answers a sign-in page and the home page with a short translated page, 503 and Retry-After', async () => {
    const interaction = await get('/interaction/x', { 'accept-language': 'ja' });
    assert.equal(interaction.status, 503);
    assert.equal(interaction.headers.get('retry-after'), '5');
    assert.match(interaction.headers.get('content-type') ?? '', /^text\/html/);
    assert.match(await interaction.text(), /Tobira を起動しています。数秒後にもう一度お試しください。/);
    const home = await get('/');
    assert.equal(home.status, 503);
    assert.match(await home.text(), /Tobira is starting\. Try again in a few seconds\./);
    // The page is styled: its stylesheet is served while the node starts.
    const css = await get('/static/tobira.css');
    assert.equal(css.status, 200);
    assert.match(css.headers.get('content-type') ?? '', /^text\/css/);
  });

  it('says why at /readyz, while /healthz says the process is up', async () => {
    const ready = await get('/readyz');
    assert.equal(ready.status, 503);
    assert.deepEqual(await ready.json(), { status: 'starting' });
    const health = await get('/healthz');
    assert.equal(health.status, 200);
  });

  it('serves once the boot finishes', async () => {
    release();
    await booting;
    const ready = await get('/readyz');
    assert.equal(ready.status, 200);
    assert.deepEqual(await ready.json(), { status: 'ready' });
    const discovery = await get('/.well-known/openid-configuration');
    assert.equal(discovery.status, 200);
    assert.equal(((await discovery.json()) as { issuer: string }).issuer, issuer);
  });
});
