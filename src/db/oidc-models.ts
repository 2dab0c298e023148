// SQL behind the oidc-provider adapter: every model in one jsonb table, keyed by (model, id). The
// adapter passes ids and payloads already stripped of bearer values (src/oidc/stored-model.ts).
import { deletedCount, type Db } from './connection.ts';

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

export async function findModel(db: Db, model: string, id: string): Promise<OidcPayload | undefined> {
  return toPayload(await live(db, model).andWhere('id', id).first());
}

export async function findModelByUid(db: Db, model: string, uid: string): Promise<OidcPayload | undefined> {
  return toPayload(await live(db, model).andWhere('uid', uid).first());
}

export async function destroyModel(db: Db, model: string, id: string): Promise<void> {
  await db('oidc_models').where({ model, id }).delete();
}

export async function consumeModel(db: Db, model: string, id: string): Promise<void> {
  await db('oidc_models').where({ model, id }).update({ consumed_at: db.fn.now() });
}

/** Revokes everything issued under a grant, whatever its model. */
export async function revokeByGrantId(db: Db, grantId: string): Promise<void> {
  await db('oidc_models').where({ grant_id: grantId }).delete();
}

/**
 * Deletes at most `limit` expired rows; returns how many. One statement over a bounded set of rows
 * (by ctid: a TID scan, no second index lookup), so neither the embedded database's one connection
 * nor a PostgreSQL lock is held for long, however many rows have expired.
 */
export async function deleteExpiredModels(db: Db, limit: number): Promise<number> {
  return deletedCount(await db.raw(
    'delete from oidc_models where ctid = any(array(select ctid from oidc_models where expires_at < now() limit ?))',
    [limit],
  ));
}
