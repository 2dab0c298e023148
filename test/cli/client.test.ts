// client create | update | list | delete: the secret is shown once and never again, bad registrations are
// refused in one line, and every change leaves an operator audit event.
import assert from 'node:assert/strict';
import { CliSandbox, failedWithOneLine, succeeded } from './run-cli.ts';

type Listed = {
  clientId: string;
  name: string;
  public: boolean;
  firstParty: boolean;
  requireMfa: boolean;
  redirectUris: string[];
  backchannelLogoutUri: string | null;
  backchannelLogoutSessionRequired: boolean;
};

describe('tobira client', function () {
  this.timeout(60000);
  const cli = new CliSandbox();
  const name = `CLI app ${cli.suffix}`;
  let confidential = { clientId: '', clientSecret: '' };
  let publicId = '';
  let backchannelId = '';
  after(() => cli.remove());

  it('create --json prints the client id and its secret', async () => {
    const created = succeeded(
      await cli.run([
        'client',
        'create',
        '--name',
        name,
        '--redirect-uri',
        'https://app.example/callback',
        '--redirect-uri',
        'http://localhost:8080/cb',
        '--post-logout-redirect-uri',
        'https://app.example/',
        '--first-party',
        '--json',
      ]),
    );
    assert.match(String(created.clientId), /^tb_/);
    assert.equal(typeof created.clientSecret, 'string');
    assert.ok(String(created.clientSecret).length >= 32);
    assert.equal(created.public, false);
    assert.equal(created.firstParty, true);
    assert.deepEqual(created.redirectUris, ['https://app.example/callback', 'http://localhost:8080/cb']);
    assert.deepEqual(created.postLogoutRedirectUris, ['https://app.example/']);
    confidential = { clientId: String(created.clientId), clientSecret: String(created.clientSecret) };
  });

  it('create --public has no secret and says so', async () => {
    const run = await cli.run(['client', 'create', '--name', `${name} SPA`, '--redirect-uri', 'https://spa.example/cb', '--public', '--require-mfa']);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^Created public client /);
    assert.match(run.stdout, /client secret: +none/);
    assert.match(run.stdout, /require MFA: +yes/);
    publicId = /client id: +(tb_\S+)/.exec(run.stdout)?.[1] ?? '';
    assert.ok(publicId, run.stdout);
  });

  it('refuses a bad redirect URI and a public client with client_credentials', async () => {
    failedWithOneLine(
      await cli.run(['client', 'create', '--name', 'Bad', '--redirect-uri', 'app.example/cb']),
      /redirect URI "app\.example\/cb" is not an absolute URL/,
    );
    failedWithOneLine(
      await cli.run(['client', 'create', '--name', 'Bad', '--public', '--grant', 'client_credentials', '--json']),
      /public client cannot use client_credentials/,
    );
  });

  it('list --json shows both clients and never a secret', async () => {
    const run = await cli.run(['client', 'list', '--json']);
    const clients = succeeded<Listed[]>(run);
    assert.doesNotMatch(run.stdout, new RegExp(confidential.clientSecret));
    assert.doesNotMatch(run.stdout, /secret/i);
    const mine = clients.find((c) => c.clientId === confidential.clientId);
    assert.deepEqual(mine, {
      clientId: confidential.clientId,
      name,
      public: false,
      firstParty: true,
      requireMfa: false,
      redirectUris: ['https://app.example/callback', 'http://localhost:8080/cb'],
      postLogoutRedirectUris: ['https://app.example/'],
      grants: ['authorization_code', 'refresh_token'],
      backchannelLogoutUri: null,
      backchannelLogoutSessionRequired: false,
    });
    const spa = clients.find((c) => c.clientId === publicId);
    assert.equal(spa?.public, true);
    assert.equal(spa?.requireMfa, true);
  });

  it('list prints a table without secrets', async () => {
    const run = await cli.run(['client', 'list']);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^CLIENT ID +NAME +TYPE +FIRST-PARTY +REQUIRE-MFA +BACK-CHANNEL LOGOUT +REDIRECT URIS\n/);
    const row = run.stdout.split('\n').find((line) => line.startsWith(confidential.clientId));
    assert.match(row ?? '', /confidential +yes +no +- +https:\/\/app\.example\/callback http:\/\/localhost:8080\/cb$/);
    assert.ok(!run.stdout.includes(confidential.clientSecret));
  });

  it('create --backchannel-logout-uri registers the URI, shown by create and list', async () => {
    const run = await cli.run([
      'client',
      'create',
      '--name',
      `${name} BCL`,
      '--redirect-uri',
      'https://bcl.example/cb',
      '--backchannel-logout-uri',
      'http://10.0.0.7:8080/logout',
      '--backchannel-logout-session-required',
    ]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /back-channel logout: +http:\/\/10\.0\.0\.7:8080\/logout \(sid required\)/);
    backchannelId = /client id: +(tb_\S+)/.exec(run.stdout)?.[1] ?? '';
    const listed = succeeded<Listed[]>(await cli.run(['client', 'list', '--json'])).find((c) => c.clientId === backchannelId);
    assert.equal(listed?.backchannelLogoutUri, 'http://10.0.0.7:8080/logout');
    assert.equal(listed?.backchannelLogoutSessionRequired, true);
    const table = await cli.run(['client', 'list']);
    assert.match(
      table.stdout.split('\n').find((line) => line.startsWith(backchannelId)) ?? '',
      /no +http:\/\/10\.0\.0\.7:8080\/logout +https:\/\/bcl\.example\/cb$/,
    );
  });

  it('update changes or removes the back-channel logout URI; bad input is refused in one line', async () => {
    const changed = succeeded<Listed>(await cli.run(['client', 'update', backchannelId, '--backchannel-logout-uri', 'https://bcl.example/logout', '--json']));
    assert.equal(changed.backchannelLogoutUri, 'https://bcl.example/logout');
    assert.equal(changed.backchannelLogoutSessionRequired, false, 'each update says the whole registration');
    failedWithOneLine(await cli.run(['client', 'update', backchannelId, '--backchannel-logout-uri', 'https://bcl.example/#x']), /must not contain a fragment/);
    failedWithOneLine(await cli.run(['client', 'update', backchannelId, '--backchannel-logout-uri', 'ftp://bcl.example/']), /must be an http or https URL/);
    failedWithOneLine(await cli.run(['client', 'update', backchannelId]), /needs --backchannel-logout-uri URL or --no-backchannel-logout/);
    failedWithOneLine(await cli.run(['client', 'update', 'tb_nope', '--no-backchannel-logout']), /no client with id "tb_nope"/);
    const removed = await cli.run(['client', 'update', backchannelId, '--no-backchannel-logout']);
    assert.equal(removed.code, 0, removed.stderr);
    assert.match(removed.stdout, /back-channel logout: +\(none\)/);
    await cli.inspect(async (db) => {
      const events = await db('audit_events').where({ target_id: backchannelId, action: 'client.update' }).orderBy('id');
      assert.deepEqual(
        events.map((e) => `${e.outcome} ${e.actor_type}`),
        ['success operator', 'failure operator', 'failure operator', 'success operator'],
      );
    });
  });

  it('delete removes a client; deleting it again fails in one line', async () => {
    assert.deepEqual(succeeded(await cli.run(['client', 'delete', confidential.clientId, '--json'])), {
      deleted: confidential.clientId,
      name,
    });
    failedWithOneLine(await cli.run(['client', 'delete', confidential.clientId]), /no client with id "tb_.*tobira client list/);
  });

  it('removed the deleted client, kept the public one without a secret, and audited as the operator', async () => {
    await cli.inspect(async (db) => {
      assert.equal(await db('clients').where({ client_id: confidential.clientId }).first(), undefined);
      const spa = await db('clients').where({ client_id: publicId }).first();
      assert.equal(spa.secret_encrypted, null);
      assert.equal(spa.require_mfa, true);

      const events = await db('audit_events').whereIn('target_id', [confidential.clientId, publicId]).orderBy('id');
      assert.deepEqual(
        events.map((e) => `${e.action} ${e.outcome} ${e.target_id === publicId ? 'spa' : 'app'}`),
        ['client.create success app', 'client.create success spa', 'client.delete success app', 'client.delete failure app'],
      );
      for (const event of events) {
        assert.equal(event.actor_type, 'operator');
        assert.equal(event.target_type, 'client');
        assert.doesNotMatch(JSON.stringify(event.details), new RegExp(confidential.clientSecret));
      }
    });
  });
});
