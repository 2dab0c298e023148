// The TOTP step: authenticators (secrets sealed with AES-256-GCM), recovery codes (hashes only),
// and failure throttles kept in the database so a lock holds across nodes and restarts.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('authenticators', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('user_id').notNullable().references('id').inTable('users').onDelete('CASCADE');
    t.text('label').notNullable();
    t.text('secret_encrypted').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('last_used_at', { useTz: true });
    // RFC 6238 time step of the last accepted code; a code is accepted only for a later step,
    // compared and set in one UPDATE so two nodes cannot both accept the same code.
    t.bigInteger('last_used_step');
    t.index(['user_id']);
  });

  await knex.schema.createTable('recovery_codes', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('user_id').notNullable().references('id').inTable('users').onDelete('CASCADE');
    t.text('code_hash').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('used_at', { useTz: true });
    t.index(['user_id']);
    t.unique(['user_id', 'code_hash']);
  });

  await knex.schema.createTable('throttles', (t) => {
    // e.g. "totp:user:<id>", "password:user:<id>", "password:ip:<address>"
    t.text('key').primary();
    t.integer('failures').notNullable().defaultTo(0);
    // How many times this key has been locked in a row; the lock doubles each time.
    t.integer('locks').notNullable().defaultTo(0);
    t.timestamp('locked_until', { useTz: true });
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('throttles');
  await knex.schema.dropTableIfExists('recovery_codes');
  await knex.schema.dropTableIfExists('authenticators');
}
