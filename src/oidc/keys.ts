// Signing keys: generated at first start, stored encrypted, rotated by `tobira keys rotate`.
// A retired key stays in the JWKS for a grace period longer than any ID token lives, so tokens
// signed before a rotation keep verifying at relying parties that refresh their JWKS cache.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import type { Db } from '../db/connection.ts';
import { countActiveSigningKeys, listUsableSigningKeys, replaceActiveSigningKey } from '../db/signing-keys.ts';
import { open, seal } from '../crypto/secret-box.ts';

const PURPOSE = 'signing-key';
export const RETIRED_KEY_GRACE_SECONDS = 24 * 3600;
// Serialises first-start key creation across nodes sharing one database.
const KEY_CREATION_LOCK = 727_001;

function newKey(dataKey: Buffer) {
  const kid = randomBytes(12).toString('base64url');
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = { ...privateKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' };
  return { kid, alg: 'RS256', privateJwkEncrypted: seal(dataKey, PURPOSE, JSON.stringify(jwk)) };
}

export async function ensureSigningKey(db: Db, dataKey: Buffer): Promise<void> {
  await db.transaction(async (trx) => {
    await trx.raw('select pg_advisory_xact_lock(?)', [KEY_CREATION_LOCK]);
    if ((await countActiveSigningKeys(trx)) === 0) await replaceActiveSigningKey(trx, newKey(dataKey));
  });
}

export async function rotateSigningKey(db: Db, dataKey: Buffer): Promise<string> {
  const key = newKey(dataKey);
  await db.transaction(async (trx) => {
    await trx.raw('select pg_advisory_xact_lock(?)', [KEY_CREATION_LOCK]);
    await replaceActiveSigningKey(trx, key);
  });
  return key.kid;
}

export async function loadSigningJwks(db: Db, dataKey: Buffer): Promise<{ keys: Record<string, unknown>[] }> {
  const rows = await listUsableSigningKeys(db, new Date(Date.now() - RETIRED_KEY_GRACE_SECONDS * 1000));
  return { keys: rows.map((row) => JSON.parse(open(dataKey, PURPOSE, row.private_jwk_encrypted))) };
}
