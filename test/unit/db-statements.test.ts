import assert from 'node:assert/strict';
import { openDatabase, type Database } from '../../src/db/connection.ts';
import { registry } from '../../src/metrics.ts';

async function statements(): Promise<number> {
  const metric = await registry.getSingleMetric('tobira_db_statements_total')!.get();
  return metric.values[0]?.value ?? 0;
}

describe('tobira_db_statements_total', () => {
  let database: Database;
  before(async () => {
    database = await openDatabase({ databaseUrl: process.env.DATABASE_URL, dataDir: 'memory' });
  });
  after(async () => database.close());

  it('counts every statement the database receives, BEGIN and COMMIT included', async () => {
    const before = await statements();
    await database.db.raw('select 1');
    assert.equal((await statements()) - before, 1);
    const inTransaction = await statements();
    await database.db.transaction(async (trx) => {
      await trx.raw('select 2');
    });
    assert.equal((await statements()) - inTransaction, 3, 'BEGIN, the select, COMMIT');
  });
});
