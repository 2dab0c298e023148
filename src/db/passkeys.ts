import { deletedCount, type Db } from './connection.ts';

export type PasskeyRow = {
  id: string;
  user_id: string;
  label: string;
  credential_id: string;
  public_key: Buffer;
  sign_count: string | number;
  transports: string | null;
  aaguid: string | null;
  backed_up: boolean;
  created_at: Date;
  last_used_at: Date | null;
};

export async function listPasskeys(db: Db, userId: string): Promise<PasskeyRow[]> {
  return db<PasskeyRow>('webauthn_credentials').where({ user_id: userId }).orderBy('created_at');
}

export async function countPasskeys(db: Db, userId: string): Promise<number> {
  const row = await db('webauthn_credentials').where({ user_id: userId }).count<{ count: string }[]>({ count: '*' }).first();
  return Number(row?.count ?? 0);
}

/** The user's credential with this WebAuthn credential id; another user's is never returned. */
export async function findPasskeyByCredentialId(db: Db, userId: string, credentialId: string): Promise<PasskeyRow | undefined> {
  return db<PasskeyRow>('webauthn_credentials').where({ user_id: userId, credential_id: credentialId }).first();
}

export async function findPasskeyOf(db: Db, userId: string, passkeyId: string): Promise<PasskeyRow | undefined> {
  return db<PasskeyRow>('webauthn_credentials').where({ id: passkeyId, user_id: userId }).first();
}

/**
 * Inserts the credential unless its credential id is registered already (to anyone): then nothing
 * is written and undefined is returned.
 */
export async function insertPasskey(
  db: Db,
  values: {
    userId: string;
    label: string;
    credentialId: string;
    publicKey: Uint8Array;
    signCount: number;
    transports: string[];
    aaguid: string;
    backedUp: boolean;
    now: Date;
  },
): Promise<PasskeyRow | undefined> {
  const [row] = await db<PasskeyRow>('webauthn_credentials')
    .insert({
      user_id: values.userId,
      label: values.label,
      credential_id: values.credentialId,
      public_key: Buffer.from(values.publicKey),
      sign_count: values.signCount,
      transports: values.transports.join(',') || null,
      aaguid: values.aaguid,
      backed_up: values.backedUp,
      created_at: values.now,
    })
    .onConflict('credential_id')
    .ignore()
    .returning('*');
  return row as PasskeyRow | undefined;
}

/**
 * Records a verified use. The counter moves forward only (compare-and-set, so two nodes checking
 * copies of one assertion cannot both pass); authenticators without a counter report 0 every time.
 * False when another request already recorded this or a later counter.
 */
export async function recordPasskeyUse(db: Db, passkeyId: string, previous: number, next: number, now: Date): Promise<boolean> {
  const updated = await db('webauthn_credentials').where({ id: passkeyId, sign_count: previous }).update({ sign_count: next, last_used_at: now });
  return Number(updated) === 1;
}

export async function renamePasskey(db: Db, userId: string, passkeyId: string, label: string): Promise<boolean> {
  return Number(await db('webauthn_credentials').where({ id: passkeyId, user_id: userId }).update({ label })) === 1;
}

export async function deletePasskey(db: Db, userId: string, passkeyId: string): Promise<boolean> {
  return deletedCount(await db('webauthn_credentials').where({ id: passkeyId, user_id: userId }).delete()) === 1;
}

export async function deletePasskeysOf(db: Db, userId: string): Promise<number> {
  return deletedCount(await db('webauthn_credentials').where({ user_id: userId }).delete());
}

/** The user's passkeys, row-locked until the transaction ends (see lockAuthenticatorsOf). */
export async function lockPasskeysOf(trx: Db, userId: string): Promise<PasskeyRow[]> {
  return trx<PasskeyRow>('webauthn_credentials').where({ user_id: userId }).orderBy('created_at').forUpdate();
}
