// SQL behind the oidc-provider adapter: every model in one jsonb table, keyed by (model, id). The
// adapter passes ids and payloads already stripped of bearer values (src/oidc/stored-model.ts).
import { deletedCount, type Db } from './connection.ts';
import { requestMemo } from '../http/request-scope.ts';

export type OidcPayload = Record<string, unknown> & {
  grantId?: string;
  uid?: string;
  accountId?: string;
  consumed?: unknown;
};

export async function upsertModel(db: Db, model: string, id: string, payload: OidcPayload, expiresIn?: number): Promise<void> {
  const row = {
    model,
    id,
    payload: JSON.stringify(payload),
    grant_id: payload.grantId ?? null,
    uid: payload.uid ?? null,
    account_id: payload.accountId ?? null,
    expires_at: expiresIn ? new Date(Date.now() + expiresIn * 1000) : null,
  };
  forget();
  await db('oidc_models').insert(row).onConflict(['model', 'id']).merge();
}

type Row = { payload: OidcPayload | string; consumed_at: Date | null };

function live(db: Db, model: string) {
  return db('oidc_models')
    .select<Row[]>('payload', 'consumed_at')
    .where('model', model)
    .andWhere((q) => q.whereNull('expires_at').orWhere('expires_at', '>', db.fn.now()));
}

function toPayload(row: Row | undefined): OidcPayload | undefined {
  if (!row) return undefined;
  const payload = (typeof row.payload === 'string' ? JSON.parse(row.payload) : row.payload) as OidcPayload;
  return row.consumed_at ? { ...payload, consumed: Math.floor(row.consumed_at.getTime() / 1000) } : payload;
}

// Within one request a row is read from the database once (oidc-provider asks for the same
// interaction or session several times per request, and looks a token of unknown type up as three
// models at once); any write through this module forgets what the request remembered, so a
// request always sees its own changes. Reads are remembered as promises, so parallel lookups share one.
const MEMO_PREFIX = 'oidc_models\n';

type Found = Row | undefined;

function copyOf(row: Found): OidcPayload | undefined {
  // A copy every time: oidc-provider changes the objects it is given.
  return row ? toPayload({ ...row, payload: typeof row.payload === 'string' ? row.payload : structuredClone(row.payload) }) : undefined;
}

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

/** Every live row with this id, whatever its model (ids are keyed hashes of random values). */
async function rowsWithId(db: Db, id: string): Promise<Map<string, Row>> {
  const rows = await db('oidc_models')
    .select<(Row & { model: string })[]>('model', 'payload', 'consumed_at')
    .where('id', id)
    .andWhere((q) => q.whereNull('expires_at').orWhere('expires_at', '>', db.fn.now()));
  return new Map(rows.map(({ model, ...row }) => [model, row]));
}

export async function findModel(db: Db, model: string, id: string): Promise<OidcPayload | undefined> {
  if (!requestMemo()) return toPayload(await live(db, model).andWhere('id', id).first());
  return copyOf((await remembered(`id\n${id}`, () => rowsWithId(db, id))).get(model));
}

export async function findModelByUid(db: Db, model: string, uid: string): Promise<OidcPayload | undefined> {
  // An async function, so the query builder runs once and its result is what is remembered.
  return copyOf(await remembered(`${model}\nuid\n${uid}`, async (): Promise<Found> => live(db, model).andWhere('uid', uid).first()));
}

export async function destroyModel(db: Db, model: string, id: string): Promise<void> {
  forget();
  await db('oidc_models').where({ model, id }).delete();
}

export async function consumeModel(db: Db, model: string, id: string): Promise<void> {
  forget();
  await db('oidc_models').where({ model, id }).update({ consumed_at: db.fn.now() });
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
