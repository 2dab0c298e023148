// SQL behind the oidc-provider adapter: every model in one jsonb table, keyed by (model, id). The
// adapter passes ids and payloads already stripped of bearer values (src/oidc/stored-model.ts).
import { deletedCount, type Db } from './connection.ts';
import { requestMemo } from '../http/request-scope.ts';
import { accountFactsSql, factsOf, rememberAccountFacts, UUID_SQL, type FactsRow } from './account-facts.ts';

export type OidcPayload = Record<string, unknown> & {
  grantId?: string;
  uid?: string;
  accountId?: string;
  consumed?: unknown;
};

export async function upsertModel(db: Db, model: string, id: string, payload: OidcPayload, expiresIn?: number): Promise<void> {
  forget();
  // Plain SQL on the hot paths of the token endpoints: knex's query builder cost more CPU per
  // statement than the driver itself (bench/profiles.md).
  await db.raw(
    `insert into oidc_models (model, id, payload, grant_id, uid, account_id, expires_at) values (?, ?, ?, ?, ?, ?, ?)
     on conflict (model, id) do update set payload = excluded.payload, grant_id = excluded.grant_id, uid = excluded.uid,
       account_id = excluded.account_id, expires_at = excluded.expires_at`,
    [
      model,
      id,
      JSON.stringify(payload),
      payload.grantId ?? null,
      payload.uid ?? null,
      payload.accountId ?? null,
      expiresIn ? new Date(Date.now() + expiresIn * 1000) : null,
    ],
  );
}

type Row = { payload: OidcPayload | string; consumed_at: Date | null };

const LIVE = '(expires_at is null or expires_at > now())';

function toPayload(row: Row | undefined): OidcPayload | undefined {
  if (!row) return undefined;
  const payload = (typeof row.payload === 'string' ? JSON.parse(row.payload) : row.payload) as OidcPayload;
  return row.consumed_at ? { ...payload, consumed: Math.floor(row.consumed_at.getTime() / 1000) } : payload;
}

// Within one request a row is read from the database once (oidc-provider asks for the same
// interaction or session several times per request, and looks a token of unknown type up as three
// models at once); any write through this module forgets what the request remembered, so a
// request always sees its own changes. Reads are remembered as promises, so parallel lookups share
// one. Payloads are remembered as JSON text and parsed for every caller: oidc-provider changes the
// objects it is given, and parsing is cheaper than a structured clone.
const MEMO_PREFIX = 'oidc_models\n';

type Found = Row | undefined;

async function remembered<T>(key: string, read: () => Promise<T>): Promise<T> {
  const memo = requestMemo();
  if (!memo) return read();
  const memoKey = MEMO_PREFIX + key;
  let pending = memo.get(memoKey) as Promise<T> | undefined;
  if (!pending) {
    pending = read();
    memo.set(memoKey, pending);
    pending.catch(() => memo.delete(memoKey));
  }
  return pending;
}

function forget(): void {
  const memo = requestMemo();
  if (!memo) return;
  for (const key of memo.keys()) if (key.startsWith(MEMO_PREFIX)) memo.delete(key);
}

// A token of unknown type (introspection and revocation without a hint) is looked up as each of
// these at once, so they are read together; any other model alone. Always with the model in the
// condition, so the primary key (model, id) finds the rows.
const TOKEN_MODELS = ['AccessToken', 'RefreshToken', 'ClientCredentials'];
const modelsReadWith = (model: string) => (TOKEN_MODELS.includes(model) ? TOKEN_MODELS : [model]);

// What the provider reads next after a token of a user: the SSO session the token is bound to
// (expiresWithSession), and findAccount asks for the account's facts. Both come with the token's
// row in the same statement and answer those reads within this request.
const ACCOUNT_MODELS = ['AccessToken', 'RefreshToken', 'AuthorizationCode'];
const ACCOUNT_ID = new RegExp(UUID_SQL, 'i');
const READ_WITH_ID = `select t.model as t_model, t.payload::text as t_payload, t.consumed_at as t_consumed_at, t.account_id as t_account_id,
    t.payload->>'sessionUid' as t_session_uid, s.payload::text as s_payload, s.consumed_at as s_consumed_at, f.*
  from oidc_models t
  left join lateral (
    select payload, consumed_at from oidc_models
    where model = 'Session' and uid = t.payload->>'sessionUid' and ${LIVE} limit 1
  ) s on true
  left join lateral (
    ${accountFactsSql(`case when t.model in (${ACCOUNT_MODELS.map((m) => `'${m}'`).join(', ')}) and t.account_id ~* '${UUID_SQL}' then t.account_id::uuid end`)}
  ) f on true
  where t.model = any(?::text[]) and t.id = ? and (t.expires_at is null or t.expires_at > now())`;

type RowWithId = FactsRow & {
  t_model: string;
  t_payload: string;
  t_consumed_at: Date | null;
  t_account_id: string | null;
  t_session_uid: string | null;
  s_payload: string | null;
  s_consumed_at: Date | null;
};

/** The live rows with this id among `models`, remembering what came along with them. */
async function rowsWithId(db: Db, models: string[], id: string): Promise<Map<string, Row>> {
  const rows = (await db.raw(READ_WITH_ID, [models, id])).rows as RowWithId[];
  const memo = requestMemo();
  for (const row of rows) {
    if (row.t_session_uid) {
      const key = `${MEMO_PREFIX}Session\nuid\n${row.t_session_uid}`;
      const session: Found = row.s_payload === null ? undefined : { payload: row.s_payload, consumed_at: row.s_consumed_at };
      if (memo && !memo.has(key)) memo.set(key, Promise.resolve(session));
    }
    if (row.t_account_id && ACCOUNT_MODELS.includes(row.t_model) && ACCOUNT_ID.test(row.t_account_id)) {
      rememberAccountFacts(row.t_account_id, row.id ? factsOf(row) : undefined);
    }
  }
  return new Map(rows.map((row) => [row.t_model, { payload: row.t_payload, consumed_at: row.t_consumed_at }]));
}

export async function findModel(db: Db, model: string, id: string): Promise<OidcPayload | undefined> {
  const models = modelsReadWith(model);
  return toPayload((await remembered(`id\n${models.join(',')}\n${id}`, () => rowsWithId(db, models, id))).get(model));
}

export async function findModelByUid(db: Db, model: string, uid: string): Promise<OidcPayload | undefined> {
  const read = async (): Promise<Found> =>
    (await db.raw(`select payload::text as payload, consumed_at from oidc_models where model = ? and uid = ? and ${LIVE} limit 1`, [model, uid])).rows[0];
  return toPayload(await remembered(`${model}\nuid\n${uid}`, read));
}

export async function destroyModel(db: Db, model: string, id: string): Promise<void> {
  forget();
  await db.raw('delete from oidc_models where model = ? and id = ?', [model, id]);
}

/**
 * Marks a code, refresh token or pushed request used; false when it was not there to use: gone,
 * or already used by a request running at the same time (both read it unused, one consumes it).
 */
export async function consumeModel(db: Db, model: string, id: string): Promise<boolean> {
  forget();
  return deletedCount(await db.raw('update oidc_models set consumed_at = now() where model = ? and id = ? and consumed_at is null', [model, id])) > 0;
}

/** Revokes everything issued under a grant, whatever its model. */
export async function revokeByGrantId(db: Db, grantId: string): Promise<void> {
  forget();
  await db('oidc_models').where({ grant_id: grantId }).delete();
}

/** Every artefact of a user (SSO sessions, grants, codes, tokens, interactions): each carries the account id. */
export async function deleteModelsOfAccount(db: Db, accountId: string): Promise<number> {
  forget();
  return deletedCount(await db('oidc_models').where({ account_id: accountId }).delete());
}

/**
 * Like deleteModelsOfAccount, but the SSO session `keepSessionUid` stays, signed in to no app:
 * its authorizations (the apps, their sids and grant ids, all ended here) are dropped, so the
 * sign-in under way in that browser finishes with a fresh grant and a fresh sid.
 */
export async function deleteModelsOfAccountExceptSession(db: Db, accountId: string, keepSessionUid: string): Promise<number> {
  forget();
  const deleted = await db('oidc_models')
    .where({ account_id: accountId })
    .andWhereNot((q) => q.where({ model: 'Session', uid: keepSessionUid }))
    .delete();
  await db.raw(`update oidc_models set payload = payload - 'authorizations' where model = 'Session' and uid = ? and account_id = ?`, [
    keepSessionUid,
    accountId,
  ]);
  return deletedCount(deleted);
}

/** The user's live SSO sessions with their payloads, for the admin's user page. */
export async function listLiveSessionsOf(db: Db, accountId: string): Promise<{ id: string; payload: OidcPayload; expiresAt: Date | null }[]> {
  const rows = await db('oidc_models')
    .select('id', 'payload', 'expires_at')
    .where({ model: 'Session', account_id: accountId })
    .andWhere((q) => q.whereNull('expires_at').orWhere('expires_at', '>', db.fn.now()));
  return rows.map((row: { id: string; payload: unknown; expires_at: Date | null }) => ({
    id: row.id,
    payload: (typeof row.payload === 'string' ? JSON.parse(row.payload) : row.payload) as OidcPayload,
    expiresAt: row.expires_at,
  }));
}

/**
 * Deletes at most `limit` expired rows; returns how many. One statement over a bounded set of rows
 * (by ctid: a TID scan, no second index lookup), so neither the embedded database's one connection
 * nor a PostgreSQL lock is held for long, however many rows have expired.
 */
export async function deleteExpiredModels(db: Db, limit: number): Promise<number> {
  return deletedCount(await db.raw('delete from oidc_models where ctid = any(array(select ctid from oidc_models where expires_at < now() limit ?))', [limit]));
}

/** The user's live SSO sessions and grants, read before they are ended: who must be told (back-channel logout). */
export async function listLiveSessionsAndGrantsOf(db: Db, accountId: string): Promise<{ model: 'Session' | 'Grant'; payload: OidcPayload }[]> {
  const rows: { model: 'Session' | 'Grant'; payload: unknown }[] = await db('oidc_models')
    .select('model', 'payload')
    .where({ account_id: accountId })
    .whereIn('model', ['Session', 'Grant'])
    .andWhere((q) => q.whereNull('expires_at').orWhere('expires_at', '>', db.fn.now()));
  return rows.map((row) => ({ model: row.model, payload: (typeof row.payload === 'string' ? JSON.parse(row.payload) : row.payload) as OidcPayload }));
}

/** Deletes one SSO session of a user by its stored id; returns its payload, or undefined when it was not theirs or is gone. */
export async function deleteSessionOf(db: Db, accountId: string, id: string): Promise<OidcPayload | undefined> {
  forget();
  const [row] = await db('oidc_models').where({ model: 'Session', id, account_id: accountId }).delete().returning('payload');
  if (!row) return undefined;
  return (typeof row.payload === 'string' ? JSON.parse(row.payload) : row.payload) as OidcPayload;
}

/** Deletes a grant by its stored id (the keyed hash of the grant id), whatever the tokens issued under it. */
export async function deleteGrant(db: Db, storedGrantId: string): Promise<void> {
  forget();
  await db('oidc_models').where({ model: 'Grant', id: storedGrantId }).delete();
}
