import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import knexFactory from 'knex';
import { openDatabase, migrateLatest, migrationConfig, type Db } from '../../src/db/connection.ts';
import { upsertModel, consumeModel, type OidcPayload } from '../../src/db/oidc-models.ts';
import { deriveInstanceKeys } from '../../src/crypto/instance-secret.ts';
import { open } from '../../src/crypto/secret-box.ts';
import { adapterFactory } from '../../src/oidc/adapter.ts';
import { PAR_PURPOSE, storedId, toStored } from '../../src/oidc/stored-model.ts';
import { setPasswordWithLink, userOfSetPasswordLink } from '../../src/directory/user-admin.ts';
import { TEST_SECRET, unique } from '../helpers/tobira.ts';
import { setLogLevel } from '../../src/log.ts';
import { CliSandbox, succeeded, TEST_SECRET as CLI_SECRET } from '../cli/run-cli.ts';

// Migration 0005 converts what earlier versions stored (raw ids and payloads in oidc_models, SHA-256
// ids and raw CSRF tokens in console_sessions, SHA-256 ids of set-password links) into what the
// code now writes, in the one transaction knex runs pending migrations in. Each test gets a
// database of its own, migrated up to just before 0005: an in-memory PGlite, or a throwaway
// schema of DATABASE_URL's PostgreSQL.
const keys = deriveInstanceKeys(TEST_SECRET);
const ISSUER = 'https://id.example.test';
const raw = () => randomBytes(32).toString('base64url');
const sha256 = (value: string) => createHash('sha256').update(value).digest('base64url');

async function databaseBefore0005(): Promise<{ db: Db; close: () => Promise<void> }> {
  let db: Db;
  let close: () => Promise<void>;
  if (process.env.DATABASE_URL) {
    const schema = `migration_0005_${unique()}`;
    db = knexFactory({
      client: 'pg',
      connection: process.env.DATABASE_URL,
      searchPath: [schema],
      migrations: migrationConfig(),
      pool: { min: 0, max: 2 },
      log: { warn: () => {}, error: () => {}, deprecate: () => {}, debug: () => {} },
    });
    await db.raw(`create schema "${schema}"`);
    close = async () => {
      await db.raw(`drop schema "${schema}" cascade`);
      await db.destroy();
    };
  } else {
    const database = await openDatabase({ dataDir: 'memory' });
    db = database.db;
    close = database.close;
  }
  await migrateUpTo0005(db);
  return { db, close };
}

async function migrateUpTo0005(db: Db): Promise<void> {
  for (;;) {
    const [, pending] = (await db.migrate.list()) as [unknown[], { file: string }[]];
    if (!pending[0] || pending[0].file.startsWith('0005_')) return;
    await db.migrate.up();
  }
}

async function userIn(db: Db): Promise<{ userId: string; workspaceId: string }> {
  const [workspace] = await db('workspaces')
    .insert({ slug: `ws-${unique()}`, display_name: 'Migrated' })
    .returning('id');
  const [user] = await db('users')
    .insert({ workspace_id: workspace.id, email: `migrated-${unique()}@example.test` })
    .returning('id');
  return { userId: user.id, workspaceId: workspace.id };
}

async function dump(db: Db): Promise<string> {
  const tables = await db('information_schema.tables')
    .select<{ table_name: string }[]>('table_name')
    .where({ table_schema: db.raw('current_schema()'), table_type: 'BASE TABLE' });
  const parts: string[] = [];
  for (const { table_name: table } of tables) {
    parts.push(...((await db.raw(`select t::text as row from "${table}" t`)) as { rows: { row: string }[] }).rows.map((r) => r.row));
  }
  return parts.join('\n');
}

describe('migration 0005: stored tokens become keyed hashes', () => {
  let db: Db;
  let close: () => Promise<void>;
  beforeEach(async () => {
    setLogLevel('silent');
    ({ db, close } = await databaseBefore0005());
  });
  afterEach(async () => close());

  it('re-keys OIDC rows as the adapter now writes them, keeps them working, ends console sessions with an audit event, keeps old links until they expire', async () => {
    const { userId, workspaceId } = await userIn(db);
    const now = Math.floor(Date.now() / 1000);
    const sessionId = raw();
    const sessionUid = raw().slice(0, 21);
    const grantId = raw();
    const [accessToken, refreshToken, code, interactionId, parId] = [raw(), raw(), raw(), raw().slice(0, 21), raw()];
    const base = (jti: string, kind: string) => ({ iat: now, exp: now + 3600, jti, kind });
    const written: [string, string, OidcPayload][] = [
      [
        'Session',
        sessionId,
        { ...base(sessionId, 'Session'), uid: sessionUid, accountId: userId, loginTs: now, authorizations: { rp: { sid: 'sid-1', grantId } } },
      ],
      ['Grant', grantId, { ...base(grantId, 'Grant'), accountId: userId, clientId: 'rp', openid: { scope: 'openid email' } }],
      [
        'AccessToken',
        accessToken,
        {
          ...base(accessToken, 'AccessToken'),
          accountId: userId,
          grantId,
          clientId: 'rp',
          sessionUid,
          scope: 'openid',
          expiresWithSession: true,
          extra: { acr: 'pwd' },
        },
      ],
      [
        'RefreshToken',
        refreshToken,
        { ...base(refreshToken, 'RefreshToken'), accountId: userId, grantId, clientId: 'rp', sessionUid, scope: 'openid', iiat: now, rotations: 1 },
      ],
      [
        'AuthorizationCode',
        code,
        {
          ...base(code, 'AuthorizationCode'),
          accountId: userId,
          grantId,
          clientId: 'rp',
          sessionUid,
          redirectUri: 'https://rp.example.test/cb',
          codeChallenge: 'x',
          codeChallengeMethod: 'S256',
        },
      ],
      ['PushedAuthorizationRequest', parId, { ...base(parId, 'PushedAuthorizationRequest'), request: 'eyJhbGciOiJub25lIn0.e30.', trusted: true }],
      [
        'Interaction',
        interactionId,
        {
          ...base(interactionId, 'Interaction'),
          returnTo: `${ISSUER}/auth/${interactionId}`,
          params: { client_id: 'rp', scope: 'openid' },
          prompt: { name: 'login', reasons: ['login_prompt'], details: {} },
          session: { accountId: userId, uid: sessionUid, cookie: sessionId, acr: 'pwd' },
          cid: 'cid-1',
          parJti: parId,
          result: { tobira: { accountId: userId, reasons: [] } },
        },
      ],
    ];
    // Exactly what the adapter before 0005 did: raw id, payload as given.
    for (const [model, id, payload] of written) await upsertModel(db, model, id, payload, 3600);
    await consumeModel(db, 'RefreshToken', refreshToken);
    const expired = raw();
    await upsertModel(db, 'AccessToken', expired, { ...base(expired, 'AccessToken'), accountId: userId }, 3600);
    await db('oidc_models')
      .where({ id: expired })
      .update({ expires_at: new Date(Date.now() - 1000) });

    const consoleToken = raw();
    const csrf = raw();
    await db('console_sessions').insert({
      id: sha256(consoleToken),
      user_id: userId,
      console: 'account',
      csrf_token: csrf,
      acr: 'pwd',
      auth_time: new Date(),
      created_at: new Date(),
      expires_at: new Date(Date.now() + 3600_000),
    });
    const linkToken = raw();
    await db('set_password_tokens').insert({
      id: sha256(linkToken),
      user_id: userId,
      created_at: new Date(),
      expires_at: new Date(Date.now() + 7 * 86400_000),
    });

    // Later migrations run after it; 0005 is the one that must convert.
    assert.equal((await migrateLatest(db, () => keys))[0], '0005_hashed_ids.ts');

    const text = await dump(db);
    for (const [label, value] of Object.entries({ sessionId, accessToken, refreshToken, code, interactionId, parId, consoleToken, csrf, linkToken, expired })) {
      assert.equal(text.includes(value), false, `${label} is gone from the database`);
    }
    assert.equal(text.includes(sha256(consoleToken)), false, 'the console session hash is gone');

    const Adapter = adapterFactory(db, keys, ISSUER);
    for (const [model, id, payload] of written) {
      const row = await db('oidc_models')
        .where({ model, id: storedId(keys, id) })
        .first();
      assert.ok(row, `${model} is stored under the HMAC of its id`);
      const unsealed = (p: OidcPayload) => (typeof p.parJti === 'string' ? { ...p, parJti: open(keys.dataKey, PAR_PURPOSE, p.parJti) } : p);
      assert.deepEqual(unsealed(row.payload), unsealed(toStored(model, id, payload, keys)), `${model} is stored as the adapter writes it`);
      const found = (await new Adapter(model).find(id)) as OidcPayload;
      const { consumed, ...rest } = found;
      const expected = model === 'Interaction' ? { ...payload, session: { accountId: userId, uid: sessionUid, acr: 'pwd' } } : payload;
      assert.deepEqual(rest, expected, `${model} reads back as oidc-provider wrote it (less the session cookie of an interaction)`);
      assert.equal(typeof consumed === 'number', model === 'RefreshToken', `${model} keeps its consumed mark`);
    }
    assert.equal(((await new Adapter('Session').findByUid(sessionUid)) as OidcPayload).accountId, userId, 'sessions are still found by uid');
    await new Adapter('AccessToken').revokeByGrantId(grantId);
    assert.equal(await new Adapter('AccessToken').find(accessToken), undefined, 'revocation by grant still reaches re-keyed rows');
    assert.equal((await db('oidc_models').where({ id: expired })).length + (await db('oidc_models').where({ id: storedId(keys, expired) })).length, 0);

    assert.equal((await db('console_sessions')).length, 0);
    assert.equal('csrf_token' in (await db('console_sessions').columnInfo()), false, 'no CSRF token column is left');
    const ended = await db('audit_events').where({ action: 'console.session_ended' });
    assert.deepEqual(
      ended.map((e) => [e.workspace_id, e.target_id, e.actor_type, e.details]),
      [[workspaceId, userId, 'system', { console: 'account', reason: 'tokens_hashed_at_rest' }]],
    );
    const summary = await db('audit_events').where({ action: 'migrate.hash_tokens' }).first();
    assert.deepEqual(summary.details, { oidc_rows_rekeyed: written.length, console_sessions_ended: 1, set_password_links_kept_until_expiry: 1 });

    const at = new Date();
    assert.equal((await userOfSetPasswordLink(db, keys.tokenKey, linkToken, at))?.id, userId, 'a link sent before the upgrade still opens');
    assert.equal((await setPasswordWithLink(db, keys.tokenKey, linkToken, 'a-new-password-1', 'a-new-password-1', at))?.id, userId);
    assert.equal(await userOfSetPasswordLink(db, keys.tokenKey, linkToken, at), undefined, 'and works once');
  });

  it('refuses without the instance secret when there are rows to convert, and changes nothing', async () => {
    await userIn(db);
    const token = raw();
    await upsertModel(db, 'AccessToken', token, { jti: token, kind: 'AccessToken' }, 3600);
    await assert.rejects(db.migrate.latest(), /TOBIRA_SECRET/);
    assert.equal((await db('oidc_models').where({ id: token })).length, 1, 'the row is as it was');
    assert.equal('csrf_token' in (await db('console_sessions').columnInfo()), true, 'the schema is as it was');
  });

  it('needs no secret on a database with nothing to convert', async () => {
    await migrateLatest(db, () => {
      throw new Error('the secret was asked for');
    });
    assert.equal('csrf_token' in (await db('console_sessions').columnInfo()), false);
  });
});

describe('migration 0005 through `tobira migrate`', function () {
  this.timeout(60_000);
  const cli = new CliSandbox();
  after(() => cli.remove());

  it("re-keys with the instance's own secret", async function () {
    if (process.env.DATABASE_URL) this.skip(); // the CLI would migrate the shared database; covered above through migrateLatest
    const session = raw();
    const database = await openDatabase({ dataDir: cli.dataDir });
    try {
      await migrateUpTo0005(database.db);
      await upsertModel(database.db, 'Session', session, { jti: session, kind: 'Session', uid: 'u1', accountId: 'a1' }, 3600);
    } finally {
      await database.close();
    }
    const result = succeeded<{ applied: string[] }>(await cli.run(['migrate', '--json']));
    assert.equal(result.applied[0], '0005_hashed_ids.ts');
    const cliKeys = deriveInstanceKeys(CLI_SECRET);
    const found = await cli.inspect((db) => new (adapterFactory(db, cliKeys, ISSUER))('Session').find(session));
    assert.deepEqual(found, { jti: session, kind: 'Session', uid: 'u1', accountId: 'a1' });
  });
});
