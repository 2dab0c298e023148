// Every time on the admin and account pages is shown in the workspace's own time zone (an IANA
// name such as Asia/Tokyo). Existing workspaces keep seeing UTC until an admin picks their zone.
// The name is checked against the runtime's zone list by the application, not by a constraint:
// the list grows with ICU updates, and a constraint would pin it to the day of this migration.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('workspaces', (t) => {
    t.text('time_zone').notNullable().defaultTo('UTC');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('workspaces', (t) => {
    t.dropColumn('time_zone');
  });
}
