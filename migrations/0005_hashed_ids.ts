// Bearer values at rest become keyed hashes (issue 8, item 3).
// - oidc_models: every row is re-keyed by the HMAC of its id and its payload rewritten the way
//   src/oidc/stored-model.ts writes it. A frozen copy of those rules is below, so this migration
//   converts old rows the same way whatever that module becomes. SSO sessions, grants, tokens and
//   pending sign-ins survive the upgrade.
// - console_sessions held an unkeyed SHA-256 of the cookie and the raw CSRF token. A hash cannot be
//   re-keyed, and these sessions last minutes to hours: they end (an audit event per session, in its
//   workspace), and the next console visit signs in again through the SSO session, usually silently.
// - set_password_tokens held the plain SHA-256 of a 256-bit random token: nothing a dump can use,
//   but not keyed, and not re-keyable. Ending the links would leave their users no way in (there is
//   no "send a new link" action), so they are marked `sha256:` and keep working until they expire,
//   7 days at most (setPasswordTokenIds in src/directory/user-admin.ts).
// The keys derive from TOBIRA_SECRET and arrive as knex.userParams.instanceKeys (migrateLatest in
// src/db/connection.ts). The knex command line has no secret, so it refuses when rows need it.
// Everything runs in the transaction knex gives all pending migrations.
import { createHmac } from 'node:crypto';
import type { Knex } from 'knex';
import { seal } from '../src/crypto/secret-box.ts';

type Keys = { tokenKey: Buffer; dataKey: Buffer };
type Payload = Record<string, unknown>;
type Row = { model: string; id: string; payload: Payload | string };

const ACTOR = 'migration 0005_hashed_ids';
const BATCH = 200;

// Frozen copy of toStored in src/oidc/stored-model.ts, and of tokenDigest, as of this migration.
function convert(row: Row, keys: Keys): { model: string; oldId: string; newId: string; payload: string } {
  const { jti, ...rest } = (typeof row.payload === 'string' ? JSON.parse(row.payload) : row.payload) as Payload;
  const stored: Payload = jti === row.id ? rest : { jti, ...rest };
  if (row.model === 'Interaction') {
    if (typeof stored.returnTo === 'string') stored.returnTo = stored.returnTo.replaceAll(row.id, '{uid}');
    const session = stored.session as Payload | undefined;
    if (session && 'cookie' in session) {
      const { cookie: _cookie, ...kept } = session;
      stored.session = kept;
    }
    if (typeof stored.parJti === 'string') stored.parJti = seal(keys.dataKey, 'oidc-interaction-par', stored.parJti);
  }
  const newId = createHmac('sha256', keys.tokenKey).update(row.id).digest('base64url');
  return { model: row.model, oldId: row.id, newId, payload: JSON.stringify(stored) };
}

function instanceKeys(knex: Knex): () => Keys {
  const keys = (knex.userParams as { instanceKeys?: () => Keys }).instanceKeys;
  return () => {
    if (!keys)
      throw new Error(
        'migration 0005 re-keys stored tokens with a key derived from TOBIRA_SECRET: run it through Tobira (`tobira migrate`, or a start), not the knex command line',
      );
    return keys();
  };
}

async function rekeyOidcModels(knex: Knex, keys: () => Keys): Promise<number> {
  await knex('oidc_models').where('expires_at', '<=', knex.fn.now()).delete();
  const rows = await knex<Row>('oidc_models').select('model', 'id', 'payload').orderBy(['model', 'id']);
  for (let i = 0; i < rows.length; i += BATCH) {
    const batch = rows.slice(i, i + BATCH).map((row) => convert(row, keys()));
    // One statement per batch (PGlite runs each raw call as one prepared statement).
    await knex.raw(
      `update oidc_models as m set id = v.new_id, payload = v.payload
         from (values ${batch.map(() => '(?::text, ?::text, ?::text, ?::jsonb)').join(', ')}) as v(model, old_id, new_id, payload)
        where m.model = v.model and m.id = v.old_id`,
      batch.flatMap((c) => [c.model, c.oldId, c.newId, c.payload]),
    );
  }
  return rows.length;
}

async function endConsoleSessions(knex: Knex): Promise<number> {
  const sessions = await knex('console_sessions as s')
    .join('users as u', 'u.id', 's.user_id')
    .select<{ user_id: string; console: string; workspace_id: string }[]>('s.user_id', 's.console', 'u.workspace_id');
  if (sessions.length) {
    await knex('audit_events').insert(
      sessions.map((s) => ({
        action: 'console.session_ended',
        outcome: 'success',
        workspace_id: s.workspace_id,
        actor_type: 'system',
        actor_label: ACTOR,
        target_type: 'user',
        target_id: s.user_id,
        details: JSON.stringify({ console: s.console, reason: 'tokens_hashed_at_rest' }),
      })),
    );
  }
  await knex('console_sessions').delete();
  await knex.schema.alterTable('console_sessions', (t) => t.dropColumn('csrf_token'));
  return sessions.length;
}

export async function up(knex: Knex): Promise<void> {
  const rekeyed = await rekeyOidcModels(knex, instanceKeys(knex));
  const consoleSessionsEnded = await endConsoleSessions(knex);
  const legacy = await knex('set_password_tokens').whereNull('used_at').where('expires_at', '>', knex.fn.now()).count<{ n: string }[]>({ n: '*' });
  await knex.raw("update set_password_tokens set id = 'sha256:' || id");
  const legacyLinks = Number(legacy[0]?.n ?? 0);
  if (rekeyed || consoleSessionsEnded || legacyLinks) {
    await knex('audit_events').insert({
      action: 'migrate.hash_tokens',
      outcome: 'success',
      actor_type: 'system',
      actor_label: ACTOR,
      details: JSON.stringify({ oidc_rows_rekeyed: rekeyed, console_sessions_ended: consoleSessionsEnded, set_password_links_kept_until_expiry: legacyLinks }),
    });
  }
}

// The old code cannot read HMAC-keyed rows: after a rollback every SSO session and token is
// unknown (everyone signs in again) and console sessions end; pre-upgrade links work again.
export async function down(knex: Knex): Promise<void> {
  await knex('console_sessions').delete();
  await knex.schema.alterTable('console_sessions', (t) => t.text('csrf_token').notNullable());
  await knex.raw("update set_password_tokens set id = substr(id, 8) where id like 'sha256:%'");
}
