// The line a workspace shows to a member who lost the phone and has no recovery code: who resets
// two-step verification and how to reach them ("IT help desk, ext. 4100"). Plain text, null when
// the workspace set none; the length cap is checked here too, so no other writer can exceed it.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('workspaces', (t) => {
    t.text('help_contact');
  });
  await knex.raw('alter table workspaces add constraint workspaces_help_contact_length check (char_length(help_contact) <= 200)');
}

export async function down(knex: Knex): Promise<void> {
  // Dropping the column drops its check constraint with it.
  await knex.schema.alterTable('workspaces', (t) => {
    t.dropColumn('help_contact');
  });
}
