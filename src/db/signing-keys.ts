import type { Db } from './connection.ts';

export type SigningKeyRow = {
  kid: string;
  alg: string;
  private_jwk_encrypted: string;
  created_at: Date;
  /** When the key may start signing; until then it is only published. */
  active_from: Date;
  /** When a newer key takes over signing (may lie ahead); the key keeps verifying for a while after. */
  retired_at: Date | null;
};

export type NewSigningKey = { kid: string; alg: string; privateJwkEncrypted: string; activeFrom: Date };

/** Keys that sign, will sign or still verify, latest activation first. */
export async function listUsableSigningKeys(db: Db, retiredAfter: Date): Promise<SigningKeyRow[]> {
  return db<SigningKeyRow>('signing_keys')
    .whereNull('retired_at')
    .orWhere('retired_at', '>', retiredAfter)
    .orderBy([
      { column: 'active_from', order: 'desc' },
      { column: 'created_at', order: 'desc' },
    ]);
}

export async function countUnretiredSigningKeys(db: Db): Promise<number> {
  const row = await db('signing_keys').whereNull('retired_at').count<{ count: string }[]>({ count: '*' }).first();
  return Number(row?.count ?? 0);
}

/**
 * Adds `key` and schedules the retirement of every key not yet retired for the moment `key`
 * starts signing, in one transaction. Returns the kids so retired.
 */
export async function addSigningKey(db: Db, key: NewSigningKey): Promise<string[]> {
  return db.transaction(async (trx) => {
    const retired = await trx('signing_keys').whereNull('retired_at').update({ retired_at: key.activeFrom }, ['kid']);
    await trx('signing_keys').insert({
      kid: key.kid,
      alg: key.alg,
      private_jwk_encrypted: key.privateJwkEncrypted,
      active_from: key.activeFrom,
    });
    return retired.map((row: { kid: string }) => row.kid);
  });
}
