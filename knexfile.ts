// For the knex command line (`npx knex migrate:status`); Tobira itself migrates through
// `npm run tobira -- migrate` and at start, using src/db/connection.ts.
import { join } from 'node:path';
import ClientPgLite from 'knex-pglite';
import type { Knex } from 'knex';
import { migrationConfig } from './src/db/connection.ts';

const config: Knex.Config = process.env.DATABASE_URL
  ? { client: 'pg', connection: process.env.DATABASE_URL, migrations: migrationConfig() }
  : ({
      client: ClientPgLite,
      dialect: 'postgres',
      connection: { filename: join(process.env.TOBIRA_DATA_DIR || './data', 'pgdata') },
      migrations: migrationConfig(),
    } as Knex.Config);

export default config;
