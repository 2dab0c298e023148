// Passkeys and security keys (WebAuthn) as a second factor beside authenticator apps. A credential
// holds only its public key: a database dump gives an attacker nothing to sign with. Challenges
// live in the database (not in a node's memory or a cookie) so the node that checks an answer need
// not be the one that asked, and each is consumed by one DELETE, so it can be answered only once.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('webauthn_credentials', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('user_id').notNullable().references('id').inTable('users').onDelete('CASCADE');
    t.text('label').notNullable();
    // base64url of the authenticator's credential id; unique across all users (WebAuthn §6.1:
    // a credential id names one key pair), so one key cannot be registered to two accounts.
    t.text('credential_id').notNullable().unique();
    // COSE_Key of the credential's public key (RFC 9052 §7).
    t.binary('public_key').notNullable();
    // Last signature counter seen; 0 for authenticators that keep none (most synced passkeys).
    t.bigInteger('sign_count').notNullable().defaultTo(0);
    t.text('transports');
    t.text('aaguid');
    t.boolean('backed_up').notNullable().defaultTo(false);
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('last_used_at', { useTz: true });
    t.index(['user_id']);
  });

  await knex.schema.createTable('webauthn_challenges', (t) => {
    // SHA-256 of the challenge: looked up by the value the browser echoes back.
    t.text('challenge_hash').primary();
    t.uuid('user_id').notNullable().references('id').inTable('users').onDelete('CASCADE');
    // 'register' or 'authenticate': a challenge issued for one ceremony does not pass the other.
    t.text('purpose').notNullable();
    t.timestamp('expires_at', { useTz: true }).notNullable();
    t.index(['expires_at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('webauthn_challenges');
  await knex.schema.dropTableIfExists('webauthn_credentials');
}
