import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lockDataDir, DataDirInUseError } from '../../src/db/data-dir-lock.ts';
import { openDatabase, migrateLatest, type Database } from '../../src/db/connection.ts';
import { upsertModel, findModel } from '../../src/db/oidc-models.ts';
import { removeExpiredArtefacts } from '../../src/oidc/cleanup.ts';
import { insertAuditEvent } from '../../src/db/audit-events.ts';
import { deriveInstanceKeys } from '../../src/crypto/instance-secret.ts';
import { TEST_SECRET } from '../helpers/tobira.ts';

describe('embedded data folder lock', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'tobira-lock-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses a second opener while a live process holds the folder, in one line', () => {
    writeFileSync(join(dir, 'tobira.lock'), String(process.ppid));
    assert.throws(
      () => lockDataDir(dir),
      (err: Error) => {
        assert.ok(err instanceof DataDirInUseError);
        assert.match(err.message, /in use by a running Tobira/);
        assert.equal(err.message.includes('\n'), false);
        return true;
      },
    );
  });

  it('takes over a lock left by a process that died, and releases it', () => {
    writeFileSync(join(dir, 'tobira.lock'), '999999999');
    const release = lockDataDir(dir);
    assert.ok(existsSync(join(dir, 'tobira.lock')));
    release();
    assert.equal(existsSync(join(dir, 'tobira.lock')), false);
  });
});

describe('database housekeeping', () => {
  let database: Database;
  before(async () => {
    database = await openDatabase({ databaseUrl: process.env.DATABASE_URL, dataDir: 'memory' });
    await migrateLatest(database.db, () => deriveInstanceKeys(TEST_SECRET));
  });
  after(async () => database.close());

  it('removes expired OIDC artefacts and keeps live ones', async () => {
    const id = `t-${Date.now()}`;
    await upsertModel(database.db, 'Session', `${id}-live`, { accountId: 'a' }, 3600);
    await upsertModel(database.db, 'Session', `${id}-old`, { accountId: 'a' }, 3600);
    await database
      .db('oidc_models')
      .where({ id: `${id}-old` })
      .update({ expires_at: new Date(Date.now() - 1000) });
    assert.equal(await findModel(database.db, 'Session', `${id}-old`), undefined, 'an expired artefact is never served');
    assert.ok((await removeExpiredArtefacts(database.db)) >= 1);
    assert.equal((await database.db('oidc_models').where({ id: `${id}-old` })).length, 0);
    assert.deepEqual(await findModel(database.db, 'Session', `${id}-live`), { accountId: 'a' });
  });

  it('keeps the audit log append-only at the database level', async () => {
    await insertAuditEvent(database.db, { action: 'test.event', outcome: 'success', actorType: 'system' });
    await assert.rejects(database.db('audit_events').where({ action: 'test.event' }).update({ outcome: 'failure' }), /append-only/);
    await assert.rejects(database.db('audit_events').where({ action: 'test.event' }).delete(), /append-only/);
  });
});
