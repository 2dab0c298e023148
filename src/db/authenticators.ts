import { deletedCount, type Db } from './connection.ts';

export type AuthenticatorRow = {
  id: string;
  user_id: string;
  label: string;
  secret_encrypted: string;
  secret_fingerprint: string | null;
  created_at: Date;
  last_used_at: Date | null;
  last_used_step: string | number | null;
};

export async function listAuthenticators(db: Db, userId: string): Promise<AuthenticatorRow[]> {
  return db<AuthenticatorRow>('authenticators').where({ user_id: userId }).orderBy('created_at');
}

export async function countAuthenticators(db: Db, userId: string): Promise<number> {
  const row = await db('authenticators').where({ user_id: userId }).count<{ count: string }[]>({ count: '*' }).first();
  return Number(row?.count ?? 0);
}

/**
 * Inserts the authenticator unless one with the same secret exists (a parallel submission of the
 * same enrolment won the race): then nothing is written and undefined is returned.
 */
export async function insertAuthenticator(
  db: Db,
  values: { userId: string; label: string; secretEncrypted: string; secretFingerprint: string; acceptedStep: number; now: Date },
): Promise<AuthenticatorRow | undefined> {
  const [row] = await db<AuthenticatorRow>('authenticators')
    .insert({
      user_id: values.userId,
      label: values.label,
      secret_encrypted: values.secretEncrypted,
      secret_fingerprint: values.secretFingerprint,
      created_at: values.now,
      // The confirming code counts as used: it cannot be replayed at the next prompt.
      last_used_step: values.acceptedStep,
      last_used_at: values.now,
    })
    .onConflict('secret_fingerprint')
    .ignore()
    .returning('*');
  return row as AuthenticatorRow | undefined;
}

/**
 * Records that a code for `step` was accepted, only if no code for this or a later step was
 * accepted before. Returns false when another request (on any node) already used it.
 */
export async function claimTimeStep(db: Db, authenticatorId: string, step: number, now: Date): Promise<boolean> {
  const updated = await db('authenticators')
    .where({ id: authenticatorId })
    .andWhere((q) => q.whereNull('last_used_step').orWhere('last_used_step', '<', step))
    .update({ last_used_step: step, last_used_at: now });
  return Number(updated) === 1;
}

export async function findAuthenticatorOf(db: Db, userId: string, authenticatorId: string): Promise<AuthenticatorRow | undefined> {
  return db<AuthenticatorRow>('authenticators').where({ id: authenticatorId, user_id: userId }).first();
}

/** The user's authenticators, row-locked until the transaction ends (so two removals cannot both pass a "not the last one" check). */
export async function lockAuthenticatorsOf(trx: Db, userId: string): Promise<AuthenticatorRow[]> {
  return trx<AuthenticatorRow>('authenticators').where({ user_id: userId }).orderBy('created_at').forUpdate();
}

export async function renameAuthenticator(db: Db, userId: string, authenticatorId: string, label: string): Promise<boolean> {
  return Number(await db('authenticators').where({ id: authenticatorId, user_id: userId }).update({ label })) === 1;
}

export async function deleteAuthenticator(db: Db, userId: string, authenticatorId: string): Promise<boolean> {
  return deletedCount(await db('authenticators').where({ id: authenticatorId, user_id: userId }).delete()) === 1;
}

export async function deleteAuthenticatorsOf(db: Db, userId: string): Promise<number> {
  return deletedCount(await db('authenticators').where({ user_id: userId }).delete());
}
