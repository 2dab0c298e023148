// One-time set-password links. The row's id is the HMAC of the token in the link (legacy rows: its
// SHA-256, see setPasswordTokenIds), so a database dump does not hand out live links; a token is
// claimed atomically, so it works once.
import type { Db } from './connection.ts';

export type SetPasswordTokenRow = { id: string; user_id: string; created_at: Date; expires_at: Date; used_at: Date | null };

export async function insertSetPasswordToken(db: Db, values: { id: string; userId: string; now: Date; expiresAt: Date }): Promise<void> {
  await db('set_password_tokens').insert({ id: values.id, user_id: values.userId, created_at: values.now, expires_at: values.expiresAt });
}

/** The token's row (under any of the ids it may have) when it is unused and unexpired at `now`. */
export async function findUsableSetPasswordToken(db: Db, ids: string[], now: Date): Promise<SetPasswordTokenRow | undefined> {
  return db<SetPasswordTokenRow>('set_password_tokens').whereIn('id', ids).whereNull('used_at').where('expires_at', '>', now).first();
}

/** Marks the token used unless another request did so first; returns its user id, or undefined. */
export async function claimSetPasswordToken(db: Db, ids: string[], now: Date): Promise<string | undefined> {
  const rows = await db<SetPasswordTokenRow>('set_password_tokens')
    .whereIn('id', ids)
    .whereNull('used_at')
    .where('expires_at', '>', now)
    .update({ used_at: now })
    .returning('user_id');
  return (rows as unknown as { user_id: string }[])[0]?.user_id;
}
