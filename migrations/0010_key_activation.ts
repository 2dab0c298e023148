// A new signing key is published before any node signs with it: nodes reload the keys once a
// minute, so a key that signed at once could reach a relying party, in a token from one node,
// while the JWKS of another node (and the RP's cached copy of it) does not list its kid yet.
// `active_from` is when the key may start signing; keys that existed before this migration
// signed from the moment they were created.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('signing_keys', (t) => {
    t.timestamp('active_from', { useTz: true });
  });
  await knex.raw('update signing_keys set active_from = created_at');
  await knex.raw('alter table signing_keys alter column active_from set not null');
  await knex.raw('alter table signing_keys alter column active_from set default now()');
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('signing_keys', (t) => {
    t.dropColumn('active_from');
  });
}
