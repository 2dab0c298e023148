// Where back-channel logout may connect (src/backchannel/address-guard.ts): a host the operator
// did not allow never reaches a loopback or private address, whether the URI names the address or
// a name that resolves to it; an allowed host does.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isSpecialUseAddress } from '../../src/backchannel/address-guard.ts';
import { postLogoutToken } from '../../src/backchannel/deliver.ts';
import { loadConfig, type ConfigError } from '../../src/config.ts';

const PRODUCTION = { NODE_ENV: 'production', ISSUER: 'https://id.example.com', TOBIRA_SECRET: 'x'.repeat(40), METRICS_TOKEN: 'metrics-token' };

describe('back-channel logout: addresses it may reach', () => {
  let server: Server;
  let port: number;
  let received = 0;
  before(async () => {
    server = createServer((req, res) => {
      received += 1;
      req.resume();
      req.on('end', () => res.writeHead(200).end());
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  after(async () => new Promise<void>((resolve) => server.close(() => resolve())));

  it('knows loopback, private, link-local and mapped addresses as special-use, and public ones not', () => {
    for (const address of [
      '127.0.0.1',
      '10.1.2.3',
      '172.20.0.1',
      '192.168.1.1',
      '169.254.169.254',
      '100.64.0.1',
      '0.0.0.0',
      '::1',
      'fd00::1',
      'fe80::1',
      '::ffff:10.0.0.1',
    ]) {
      assert.equal(isSpecialUseAddress(address), true, address);
    }
    for (const address of ['93.184.216.34', '8.8.8.8', '2606:4700:4700::1111', '::ffff:8.8.8.8']) assert.equal(isSpecialUseAddress(address), false, address);
  });

  it('refuses a loopback address or a name resolving to one unless the host is allowed', async () => {
    const before = received;
    const byAddress = await postLogoutToken(`http://127.0.0.1:${port}/logout`, 't', { timeoutMs: 5000, allowedHosts: ['apps.internal'] });
    assert.deepEqual(byAddress, { ok: false, error: '127.0.0.1 is a special-use address (allow it with BACKCHANNEL_ALLOWED_HOSTS)' });
    const byName = await postLogoutToken(`http://localhost:${port}/logout`, 't', { timeoutMs: 5000, allowedHosts: [] });
    assert.deepEqual(byName, { ok: false, error: 'localhost resolves to a special-use address (allow it with BACKCHANNEL_ALLOWED_HOSTS)' });
    assert.equal(received, before, 'nothing reached the server');
  });

  it('reaches an allowed host, and any host when all are allowed', async () => {
    assert.deepEqual(await postLogoutToken(`http://127.0.0.1:${port}/logout`, 't', { timeoutMs: 5000, allowedHosts: ['127.0.0.1'] }), {
      ok: true,
      status: 200,
    });
    assert.deepEqual(await postLogoutToken(`http://localhost:${port}/logout`, 't', { timeoutMs: 5000, allowedHosts: 'any' }), { ok: true, status: 200 });
  });

  it('allows every host outside production; in production only BACKCHANNEL_ALLOWED_HOSTS, checked at start', () => {
    assert.equal(loadConfig({}).backchannelAllowedHosts, 'any');
    assert.deepEqual(loadConfig(PRODUCTION).backchannelAllowedHosts, []);
    assert.deepEqual(loadConfig({ ...PRODUCTION, BACKCHANNEL_ALLOWED_HOSTS: 'Wiki.corp, 10.0.0.7,[fd00::7]' }).backchannelAllowedHosts, [
      'wiki.corp',
      '10.0.0.7',
      'fd00::7',
    ]);
    assert.equal(loadConfig({ ...PRODUCTION, BACKCHANNEL_ALLOWED_HOSTS: '*' }).backchannelAllowedHosts, 'any');
    assert.throws(
      () => loadConfig({ BACKCHANNEL_ALLOWED_HOSTS: 'https://wiki.corp,wiki.corp:8080' }),
      (err: ConfigError) => {
        assert.deepEqual(err.problems, [
          'BACKCHANNEL_ALLOWED_HOSTS must be host names or IP addresses separated by commas, or *, without scheme or port (got "https://wiki.corp", "wiki.corp:8080")',
        ]);
        return true;
      },
    );
  });
});
