import { deletedCount, type Db } from './connection.ts';

export async function replaceRecoveryCodes(db: Db, userId: string, hashes: string[], now: Date): Promise<void> {
  await db('recovery_codes').where({ user_id: userId }).delete();
  await db('recovery_codes').insert(hashes.map((code_hash) => ({ user_id: userId, code_hash, created_at: now })));
}

export async function countUnusedRecoveryCodes(db: Db, userId: string): Promise<number> {
  const row = await db('recovery_codes').where({ user_id: userId }).whereNull('used_at').count<{ count: string }[]>({ count: '*' }).first();
  return Number(row?.count ?? 0);
}

/** Marks the matching unused code as used, atomically; false when there is none (or it was just used). */
export async function useRecoveryCode(db: Db, userId: string, hash: string, now: Date): Promise<boolean> {
  const updated = await db('recovery_codes').where({ user_id: userId, code_hash: hash }).whereNull('used_at').update({ used_at: now });
  return Number(updated) === 1;
}

export async function deleteRecoveryCodes(db: Db, userId: string): Promise<number> {
  return deletedCount(await db('recovery_codes').where({ user_id: userId }).delete());
}
