// One enrolment creates one authenticator: parallel submissions of the same enrolment form (or of
// the same "add an authenticator" page) carry the same secret, and a unique keyed fingerprint of
// that secret lets exactly one of them insert. Authenticators enrolled before this migration keep
// a null fingerprint (computing it needs the instance secret, which migrations do not hold); a
// unique index admits any number of nulls.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('authenticators', (t) => {
    t.text('secret_fingerprint');
  });
  await knex.raw('create unique index authenticators_secret_fingerprint_unique on authenticators (secret_fingerprint)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop index if exists authenticators_secret_fingerprint_unique');
  await knex.schema.alterTable('authenticators', (t) => {
    t.dropColumn('secret_fingerprint');
  });
}
