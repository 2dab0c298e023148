// Signs and checks the `.sig` companions of signed cookies (oidc-provider's interaction, resume and
// session cookies; koa's `cookies` asks this object through its `keys`). It produces exactly what
// keygrip, koa's default, produces — HMAC-SHA-1 of the cookie text under the first key, base64url
// without padding — so cookies signed before a deploy stay valid after it, and rotation works the
// same way (sign with the first key, accept any).
//
// Why not keygrip itself: it passes each key as a string, so every HMAC converts it into a key
// object, and its comparison (tsscmp) HMACs both values again under a fresh random key, converted
// too. A sign-in reads and writes these cookies about ten times; in the sign-in profile
// (bench/profiles.md) that key conversion was the single largest crypto cost after argon2id. Here
// the keys are converted once, and the comparison is timingSafeEqual on values of one fixed length.
import { createHmac, createSecretKey, timingSafeEqual, type KeyObject } from 'node:crypto';

/** The keygrip interface koa's `cookies` and oidc-provider's `cookies.keys` accept. */
export type CookieSigner = {
  sign(data: string): string;
  verify(data: string, digest: string): boolean;
  index(data: string, digest: string): number;
};

export function cookieSigner(keys: readonly string[]): CookieSigner {
  if (keys.length === 0) throw new Error('cookie signing needs at least one key');
  // keygrip hands a string key to createHmac, which takes it as UTF-8.
  const keyObjects: KeyObject[] = keys.map((key) => createSecretKey(Buffer.from(key, 'utf8')));
  const sign = (data: string, key: KeyObject) => createHmac('sha1', key).update(data).digest('base64url');
  const index = (data: string, digest: string): number => {
    if (typeof digest !== 'string') return -1;
    const given = Buffer.from(digest, 'utf8');
    for (const [i, key] of keyObjects.entries()) {
      const expected = Buffer.from(sign(data, key), 'utf8');
      // Only the length can leak, and every genuine signature has the same one (27 characters).
      if (given.length === expected.length && timingSafeEqual(given, expected)) return i;
    }
    return -1;
  };
  return {
    sign: (data) => sign(data, keyObjects[0]!),
    verify: (data, digest) => index(data, digest) > -1,
    index,
  };
}
