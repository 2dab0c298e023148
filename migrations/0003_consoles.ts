// The admin console and the account page are first-party clients of Tobira's own provider. Their
// redirect URIs follow the issuer, so the adapter fills them in (src/oidc/clients.ts); here they
// are registered as public clients (PKCE, no secret). Console sessions and set-password links live
// in the database like every other piece of state.
import type { Knex } from 'knex';

const CONSOLES = [
  { client_id: 'tobira-admin', name: 'Tobira admin console', require_mfa: true },
  { client_id: 'tobira-account', name: 'Tobira account', require_mfa: false },
];

export async function up(knex: Knex): Promise<void> {
  for (const console of CONSOLES) {
    await knex('clients')
      .insert({
        ...console,
        secret_encrypted: null,
        redirect_uris: JSON.stringify([]),
        post_logout_redirect_uris: JSON.stringify([]),
        grant_types: JSON.stringify(['authorization_code']),
        first_party: true,
      })
      .onConflict('client_id')
      .ignore();
  }

  await knex.schema.createTable('console_sessions', (t) => {
    // SHA-256 of the cookie value: a database dump does not hand out live sessions.
    t.text('id').primary();
    t.uuid('user_id').notNullable().references('id').inTable('users').onDelete('CASCADE');
    t.text('console').notNullable();
    t.text('csrf_token').notNullable();
    t.text('acr').notNullable();
    t.timestamp('auth_time', { useTz: true }).notNullable();
    t.text('ip');
    t.text('user_agent');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('last_seen_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('expires_at', { useTz: true }).notNullable();
    t.check("console in ('admin', 'account')", [], 'console_sessions_console_check');
    t.index(['user_id']);
  });

  await knex.schema.createTable('set_password_tokens', (t) => {
    t.text('id').primary(); // SHA-256 of the token in the link
    t.uuid('user_id').notNullable().references('id').inTable('users').onDelete('CASCADE');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('expires_at', { useTz: true }).notNullable();
    t.timestamp('used_at', { useTz: true });
    t.index(['user_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('set_password_tokens');
  await knex.schema.dropTableIfExists('console_sessions');
  await knex('clients')
    .whereIn(
      'client_id',
      CONSOLES.map((c) => c.client_id),
    )
    .delete();
}
