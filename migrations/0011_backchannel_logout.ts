// OpenID Connect Back-Channel Logout 1.0: a client may register where to be told that a user's
// session ended, and every such notice waits in an outbox until a node has delivered it.
// The outbox row is written in the transaction of the event that ends the session (an MFA reset
// from the command line included), so a notice is never lost between the change and its delivery.
// It holds no credential: the logout token is signed by the node that sends it, at send time.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('clients', (t) => {
    t.text('backchannel_logout_uri');
    t.boolean('backchannel_logout_session_required').notNullable().defaultTo(false);
  });
  await knex.schema.createTable('logout_notices', (t) => {
    t.bigIncrements('id').primary();
    // A deleted client is told nothing more.
    t.text('client_id').notNullable().references('client_id').inTable('clients').onDelete('CASCADE');
    // No foreign key: a deleted user's notices must still go out.
    t.text('account_id').notNullable();
    t.uuid('workspace_id');
    // The session's id for this client, as its ID tokens carried it; null for a grant with no session.
    t.text('sid');
    // What ended the session (sign_out, mfa_reset, user_disable, …), for the audit log.
    t.text('reason').notNullable();
    t.integer('attempts').notNullable().defaultTo(0);
    // Due when this time has passed; a node that takes the notice moves it forward (a lease), so a
    // node that dies while sending leaves it to another one.
    t.timestamp('next_attempt_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('give_up_at', { useTz: true }).notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['next_attempt_at'], 'logout_notices_due');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('logout_notices');
  await knex.schema.alterTable('clients', (t) => {
    t.dropColumn('backchannel_logout_session_required');
    t.dropColumn('backchannel_logout_uri');
  });
}
