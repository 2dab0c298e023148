// Migration 0004 rewrites users.email in its canonical form and swaps the unique index on
// lower(email) for one on the canonical value; it stops, naming the rows and changing nothing,
// when two users would become one address or an address has no safe canonical form.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import knexFactory from 'knex';
import { migrationConfig, openDatabase, type Db } from '../../src/db/connection.ts';
import { setLogLevel } from '../../src/log.ts';

const MIGRATION = '0004_canonical_emails.ts';

/** A database migrated up to the migration before 0004: a fresh PGlite, or a fresh schema of DATABASE_URL. */
async function beforeCanonicalEmails(): Promise<{ db: Db; close: () => Promise<void> }> {
  let db: Db;
  let close: () => Promise<void>;
  if (process.env.DATABASE_URL) {
    const schema = `mig_${randomBytes(4).toString('hex')}`;
    const admin = knexFactory({ client: 'pg', connection: process.env.DATABASE_URL });
    await admin.raw(`create schema ${schema}`);
    const quiet = { warn() {}, error() {}, deprecate() {}, debug() {} };
    db = knexFactory({ client: 'pg', connection: process.env.DATABASE_URL, searchPath: [schema], migrations: migrationConfig(), log: quiet });
    close = async () => {
      await db.destroy();
      await admin.raw(`drop schema ${schema} cascade`);
      await admin.destroy();
    };
  } else {
    ({ db, close } = await openDatabase({ dataDir: 'memory' }));
  }
  const [, pending] = (await db.migrate.list()) as [unknown, { file: string }[]];
  for (const { file } of pending) {
    if (file === MIGRATION) break;
    await db.migrate.up({ name: file });
  }
  return { db, close };
}

async function addUsers(db: Db, emails: string[]): Promise<string[]> {
  const [workspace] = await db('workspaces')
    .insert({ slug: `ws-${randomBytes(4).toString('hex')}`, display_name: 'Migration test' })
    .returning('id');
  const ids: string[] = [];
  for (const email of emails) {
    const [row] = await db('users').insert({ workspace_id: workspace.id, email }).returning('id');
    ids.push(row.id);
  }
  return ids;
}

const indexes = async (db: Db) =>
  (await db.raw("select indexname from pg_indexes where tablename = 'users' and indexname like 'users_email%'")).rows
    .map((r: { indexname: string }) => r.indexname)
    .sort();
const applied = async (db: Db) => (await db('knex_migrations').pluck('name')) as string[];

describe('migration 0004: canonical e-mails', () => {
  let db: Db;
  let close: () => Promise<void>;
  before(() => setLogLevel('silent')); // knex logs the refused migration as a warning
  beforeEach(async () => {
    ({ db, close } = await beforeCanonicalEmails());
  });
  afterEach(async () => close());

  it('rewrites every address in its canonical form, audits each rewrite, and makes the canonical form unique', async () => {
    const emails = ['Alice@Example.COM', 'ｂｏｂ@example.com', 'carol@Bücher.example', '\u212Aen@example.com', 'dave@example.com'];
    const ids = await addUsers(db, emails);
    await db.migrate.up({ name: MIGRATION });

    const rows = await db('users').whereIn('id', ids).select('id', 'email');
    const byId = new Map(rows.map((r: { id: string; email: string }) => [r.id, r.email]));
    assert.deepEqual(
      ids.map((id) => byId.get(id)),
      ['alice@example.com', 'bob@example.com', 'carol@xn--bcher-kva.example', 'ken@example.com', 'dave@example.com'],
    );
    assert.deepEqual(await indexes(db), ['users_email_canonical_unique']);

    const events = await db('audit_events').where({ action: 'user.email_canonical' });
    const byTarget = (e: { target_id: string }) => ids.indexOf(e.target_id);
    assert.deepEqual(
      events.sort((a, b) => byTarget(a) - byTarget(b)).map((e) => [e.target_id, e.details.from, e.details.to, e.actor_type, e.outcome]),
      [
        [ids[0], 'Alice@Example.COM', 'alice@example.com', 'system', 'success'],
        [ids[1], 'ｂｏｂ@example.com', 'bob@example.com', 'system', 'success'],
        [ids[2], 'carol@Bücher.example', 'carol@xn--bcher-kva.example', 'system', 'success'],
        [ids[3], '\u212Aen@example.com', 'ken@example.com', 'system', 'success'],
      ],
    );
    await assert.rejects(addUsers(db, ['alice@example.com']), /users_email_canonical_unique/);
  });

  it('stops, naming both rows and changing nothing, when two users would become one address', async () => {
    // lower() kept these apart: PostgreSQL does not lower-case full-width letters.
    const [plain, wide, other] = await addUsers(db, ['Alice@Example.com', 'ａｌｉｃｅ@example.com', 'Other@Example.com']);
    await assert.rejects(db.migrate.up({ name: MIGRATION }), (err: Error) => {
      assert.match(err.message, /^Migration 0004 \(canonical e-mails\) stopped, nothing was changed: /);
      assert.match(err.message, new RegExp(`users ${plain}, ${wide} are all "alice@example\\.com"`));
      assert.doesNotMatch(err.message, new RegExp(other!));
      return true;
    });
    const emails = await db('users').whereIn('id', [plain!, wide!, other!]).select('id', 'email');
    assert.deepEqual(
      new Map(emails.map((r: { id: string; email: string }) => [r.id, r.email])),
      new Map([
        [plain, 'Alice@Example.com'],
        [wide, 'ａｌｉｃｅ@example.com'],
        [other, 'Other@Example.com'],
      ]),
    );
    assert.deepEqual(await indexes(db), ['users_email_unique']);
    assert.equal((await applied(db)).includes(MIGRATION), false);
    assert.equal((await db('audit_events').where({ action: 'user.email_canonical' })).length, 0);
  });

  it('stops, naming the row, when an address has no safe canonical form', async () => {
    const [dotted] = await addUsers(db, ['\u0130nci@example.com', 'fine@example.com']);
    await assert.rejects(db.migrate.up({ name: MIGRATION }), new RegExp(`user ${dotted} \\("İnci@example\\.com"\\): it contains a separate accent or dot`));
    assert.deepEqual(await indexes(db), ['users_email_unique']);
    assert.equal((await applied(db)).includes(MIGRATION), false);
  });
});
