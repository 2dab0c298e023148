// Signing keys: generated at first start, stored encrypted, rotated by `tobira keys rotate`.
// A rotated-in key is published first and signs only later: every node reloads the keys each
// KEY_RELOAD_MS, so by the time any node signs with the new key, every node's JWKS has listed it
// for at least one reload interval, and no relying party meets a kid it cannot fetch.
// A retired key stays in the JWKS for a grace period longer than any ID token lives, so tokens
// signed before a rotation keep verifying at relying parties that refresh their JWKS cache.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import type { Db } from '../db/connection.ts';
import { addSigningKey, countUnretiredSigningKeys, listUsableSigningKeys, type NewSigningKey, type SigningKeyRow } from '../db/signing-keys.ts';
import { open, seal } from '../crypto/secret-box.ts';
import { systemClock, type Clock } from '../clock.ts';

const PURPOSE = 'signing-key';
export const RETIRED_KEY_GRACE_SECONDS = 24 * 3600;
/** How often a running node loads the keys from the database. */
export const KEY_RELOAD_MS = 60_000;
/** A new key signs this long after it was added: one reload interval for every node, plus as much again for late timers and clock skew. */
export const KEY_ACTIVATION_DELAY_MS = 2 * KEY_RELOAD_MS;
// Serialises first-start key creation across nodes sharing one database.
const KEY_CREATION_LOCK = 727_001;

function newKey(dataKey: Buffer, activeFrom: Date): NewSigningKey {
  const kid = randomBytes(12).toString('base64url');
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = { ...privateKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' };
  return { kid, alg: 'RS256', privateJwkEncrypted: seal(dataKey, PURPOSE, JSON.stringify(jwk)), activeFrom };
}

/** The first key of an installation signs at once: no node has published anything yet. */
export async function ensureSigningKey(db: Db, dataKey: Buffer, clock: Clock = systemClock): Promise<void> {
  await db.transaction(async (trx) => {
    await trx.raw('select pg_advisory_xact_lock(?)', [KEY_CREATION_LOCK]);
    if ((await countUnretiredSigningKeys(trx)) === 0) await addSigningKey(trx, newKey(dataKey, clock.now()));
  });
}

export type Rotation = { kid: string; activeFrom: Date; retired: string[] };

/**
 * Adds a key that signs from KEY_ACTIVATION_DELAY_MS on; the current key signs until then, then
 * retires. With no current key (a database no node has started on) the new one signs at once.
 */
export async function rotateSigningKey(db: Db, dataKey: Buffer, clock: Clock = systemClock): Promise<Rotation> {
  const generated = newKey(dataKey, clock.now());
  return db.transaction(async (trx) => {
    await trx.raw('select pg_advisory_xact_lock(?)', [KEY_CREATION_LOCK]);
    const current = await countUnretiredSigningKeys(trx);
    const key = { ...generated, activeFrom: new Date(clock.now().getTime() + (current ? KEY_ACTIVATION_DELAY_MS : 0)) };
    const retired = await addSigningKey(trx, key);
    return { kid: key.kid, activeFrom: key.activeFrom, retired };
  });
}

/**
 * The signing key at `now` first (oidc-provider signs with the first key that fits), then the
 * keys that only verify: those not active yet and those retired within the grace period.
 */
export function signingOrder(rows: SigningKeyRow[], now: Date): SigningKeyRow[] {
  const active = rows.filter((row) => row.active_from.getTime() <= now.getTime());
  // A node whose clock runs behind the one that created the first key signs with the earliest one.
  const signing = active[0] ?? rows[rows.length - 1];
  return signing ? [signing, ...rows.filter((row) => row !== signing)] : [];
}

export async function loadSigningJwks(db: Db, dataKey: Buffer, now: Date = new Date()): Promise<{ keys: Record<string, unknown>[] }> {
  const rows = await listUsableSigningKeys(db, new Date(now.getTime() - RETIRED_KEY_GRACE_SECONDS * 1000));
  return { keys: signingOrder(rows, now).map((row) => JSON.parse(open(dataKey, PURPOSE, row.private_jwk_encrypted))) };
}
