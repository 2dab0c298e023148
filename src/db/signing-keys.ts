import type { Db } from './connection.ts';

export type SigningKeyRow = {
  kid: string;
  alg: string;
  private_jwk_encrypted: string;
  created_at: Date;
  retired_at: Date | null;
};

/** Keys that still sign or verify, newest first (oidc-provider signs with the first match). */
export async function listUsableSigningKeys(db: Db, retiredAfter: Date): Promise<SigningKeyRow[]> {
  return db<SigningKeyRow>('signing_keys')
    .whereNull('retired_at')
    .orWhere('retired_at', '>', retiredAfter)
    .orderBy('created_at', 'desc');
}

export async function countActiveSigningKeys(db: Db): Promise<number> {
  const row = await db('signing_keys').whereNull('retired_at').count<{ count: string }[]>({ count: '*' }).first();
  return Number(row?.count ?? 0);
}

/** Retires every active key and adds the new one, in one transaction. */
export async function replaceActiveSigningKey(
  db: Db,
  key: { kid: string; alg: string; privateJwkEncrypted: string },
): Promise<void> {
  await db.transaction(async (trx) => {
    await trx('signing_keys').whereNull('retired_at').update({ retired_at: trx.fn.now() });
    await trx('signing_keys').insert({ kid: key.kid, alg: key.alg, private_jwk_encrypted: key.privateJwkEncrypted });
  });
}
