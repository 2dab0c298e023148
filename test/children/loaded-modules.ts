// Prints (JSON) every module a Tobira node loads before it serves: the whole static graph of
// src/serve.ts and, with DATABASE_URL, what opening that database loads (test/unit/start-loads.test.ts).
//   DATABASE_URL=postgres://… node test/children/loaded-modules.ts
import { registerHooks } from 'node:module';

const loaded: string[] = [];
registerHooks({
  load(url, context, nextLoad) {
    loaded.push(url);
    return nextLoad(url, context);
  },
});
await import('../../src/serve.ts');
if (process.env.DATABASE_URL) {
  const { openDatabase } = await import('../../src/db/connection.ts');
  const database = await openDatabase({ databaseUrl: process.env.DATABASE_URL, dataDir: 'memory' });
  await database.close();
}
process.stdout.write(JSON.stringify(loaded));
