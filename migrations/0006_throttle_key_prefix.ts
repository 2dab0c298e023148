// The admin pages look up a user's device-cookie locks by key prefix ("<account key>:device:"). The
// primary key's index cannot serve a LIKE prefix under every collation; this one can, so the
// users list stays quick even when an attack has filled the table with throttle rows.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw('create index throttles_key_prefix on throttles (key text_pattern_ops)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop index if exists throttles_key_prefix');
}
