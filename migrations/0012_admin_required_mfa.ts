// Rule 6: an admin or the operator can require two-step verification of one user, whatever the
// workspace policy. `mfa_required_at` is when it was first required; null when nobody requires it.
// It is a standing requirement (it stays after the user enrols, until an admin lifts it), so it
// lives on the user's row, which every sign-in decision already reads in one statement.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('users', (t) => {
    t.timestamp('mfa_required_at', { useTz: true });
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('users', (t) => {
    t.dropColumn('mfa_required_at');
  });
}
