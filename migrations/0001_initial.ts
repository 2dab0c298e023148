// The foundation schema. Room is left for the MFA work: workspaces carry their MFA policy and
// clients their require_mfa flag from the start, so later migrations only add tables.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('workspaces', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.text('slug').notNullable().unique();
    t.text('display_name').notNullable();
    t.text('mfa_policy').notNullable().defaultTo('optional');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.check("mfa_policy in ('optional', 'required_for_admins', 'required')", [], 'workspaces_mfa_policy_check');
    t.check("slug ~ '^[a-z0-9][a-z0-9-]{1,62}$'", [], 'workspaces_slug_check');
  });

  await knex.schema.createTable('users', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('workspace_id').notNullable().references('id').inTable('workspaces').onDelete('RESTRICT');
    t.text('email').notNullable();
    t.boolean('email_verified').notNullable().defaultTo(false);
    t.text('name').notNullable().defaultTo('');
    t.text('role').notNullable().defaultTo('member');
    t.text('status').notNullable().defaultTo('active');
    // Null until the user sets one (a set-password link); such a user cannot sign in with a password.
    t.text('password_hash');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.check("role in ('member', 'user_admin', 'workspace_admin')", [], 'users_role_check');
    t.check("status in ('active', 'disabled')", [], 'users_status_check');
    t.index(['workspace_id']);
  });
  // A sign-in e-mail is unique across the instance, whatever its case.
  await knex.raw('create unique index users_email_unique on users (lower(email))');

  await knex.schema.createTable('clients', (t) => {
    t.text('client_id').primary();
    t.text('name').notNullable();
    // AES-256-GCM under the instance secret; null for public clients.
    t.text('secret_encrypted');
    t.jsonb('redirect_uris').notNullable().defaultTo('[]');
    t.jsonb('post_logout_redirect_uris').notNullable().defaultTo('[]');
    t.jsonb('grant_types').notNullable().defaultTo('["authorization_code","refresh_token"]');
    t.boolean('first_party').notNullable().defaultTo(false);
    t.boolean('require_mfa').notNullable().defaultTo(false);
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });

  await knex.schema.createTable('signing_keys', (t) => {
    t.text('kid').primary();
    t.text('alg').notNullable();
    t.text('private_jwk_encrypted').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    // Set when a newer key takes over signing; the key keeps verifying for a while after.
    t.timestamp('retired_at', { useTz: true });
  });

  // Every oidc-provider model (sessions, grants, codes, tokens, interactions …) in one jsonb table.
  await knex.schema.createTable('oidc_models', (t) => {
    t.text('model').notNullable();
    t.text('id').notNullable();
    t.jsonb('payload').notNullable();
    t.text('grant_id');
    t.text('uid');
    t.text('user_code');
    t.text('account_id');
    t.timestamp('expires_at', { useTz: true });
    t.timestamp('consumed_at', { useTz: true });
    t.primary(['model', 'id']);
    t.index(['grant_id']);
    t.index(['uid']);
    t.index(['user_code']);
    t.index(['account_id']);
    t.index(['expires_at']);
  });

  await knex.schema.createTable('audit_events', (t) => {
    t.bigIncrements('id').primary();
    t.timestamp('occurred_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.uuid('workspace_id');
    t.text('actor_type').notNullable();
    t.text('actor_id');
    t.text('actor_label');
    t.text('target_type');
    t.text('target_id');
    t.text('action').notNullable();
    t.text('outcome').notNullable();
    t.text('ip');
    t.text('user_agent');
    t.jsonb('details').notNullable().defaultTo('{}');
    t.check("outcome in ('success', 'failure', 'refused')", [], 'audit_events_outcome_check');
    t.index(['workspace_id', 'occurred_at']);
  });
  // Append-only: the database itself refuses to change or remove history.
  // One statement per call: PGlite runs each raw query as a single prepared statement.
  await knex.raw(`
    create function audit_events_append_only() returns trigger language plpgsql as $$
    begin
      raise exception 'audit_events is append-only';
    end $$`);
  await knex.raw(`create trigger audit_events_no_update before update or delete on audit_events
    for each row execute function audit_events_append_only()`);
  await knex.raw(`create trigger audit_events_no_truncate before truncate on audit_events
    for each statement execute function audit_events_append_only()`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop table if exists audit_events cascade');
  await knex.raw('drop function if exists audit_events_append_only');
  for (const table of ['oidc_models', 'signing_keys', 'clients', 'users', 'workspaces']) {
    await knex.schema.dropTableIfExists(table);
  }
}
