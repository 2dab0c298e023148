// Device cookies (OWASP, "Slow down online guessing attacks with device cookies"). A browser that
// completed a sign-in to an account keeps a signed note of it; wrong passwords typed there for that
// account are charged to the note's own small budget, not to the lock that every unrecognised
// browser shares. An attacker can then lock out only browsers the user never signed in with.
//
// The cookie holds up to MAX_ACCOUNTS_PER_DEVICE entries (a shared family computer), each an
// account tag, a random nonce and an expiry, under one HMAC-SHA-256. The account tag is a MAC of the
// account's throttle key, so the cookie does not carry anyone's e-mail address, even hashed.
import type { CanonicalEmail } from '../identity/email.ts';
import { createHmac, createSecretKey, hkdfSync, randomBytes, timingSafeEqual, type KeyObject } from 'node:crypto';
import type { Context } from 'koa';
import { throttleKeys } from './throttle.ts';

export const DEVICE_COOKIE = 'tobira.device';
export const DEVICE_COOKIE_DAYS = 90;
export const MAX_ACCOUNTS_PER_DEVICE = 10;
// Ten entries take about 900 characters; anything much longer was not written by us.
const MAX_COOKIE_LENGTH = 2048;

type Entry = { account: string; nonce: string; expires: number };

// Its own key, derived by HKDF under its own label from the data key (itself HKDF of TOBIRA_SECRET):
// every node sharing the secret accepts the cookie, and no other key of Tobira can forge it.
// Derived once per data key and kept as a key object: HKDF with a Buffer and createHmac with a
// Buffer each convert the key on every call, which the sign-in profile showed as about 0.5 ms per
// sign-in (bench/profiles.md) for a key that never changes while the process runs.
const cookieKeys = new WeakMap<Buffer, KeyObject>();

function cookieKey(dataKey: Buffer): KeyObject {
  let key = cookieKeys.get(dataKey);
  if (!key) {
    key = createSecretKey(Buffer.from(hkdfSync('sha256', dataKey, 'tobira', 'device-cookies/v1', 32)));
    cookieKeys.set(dataKey, key);
  }
  return key;
}

const mac = (key: KeyObject, purpose: 'account' | 'cookie', value: string) => createHmac('sha256', key).update(`${purpose}\0${value}`).digest();

const accountTag = (key: KeyObject, email: CanonicalEmail) => mac(key, 'account', throttleKeys.passwordAccount(email)).subarray(0, 16).toString('base64url');

function isEntry(value: unknown): value is [string, string, number] {
  return (
    Array.isArray(value) &&
    value.length === 3 &&
    typeof value[0] === 'string' &&
    typeof value[1] === 'string' &&
    typeof value[2] === 'number' &&
    Number.isFinite(value[2])
  );
}

/** The unexpired entries of a cookie value; nothing at all when its signature or shape is wrong. */
function openCookie(key: KeyObject, value: string | undefined, now: Date): Entry[] {
  if (!value || value.length > MAX_COOKIE_LENGTH) return [];
  const [payload, signature, ...rest] = value.split('.');
  if (!payload || !signature || rest.length) return [];
  const expected = mac(key, 'cookie', payload);
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return [];
  }
  if (!Array.isArray(parsed)) return [];
  const nowSeconds = now.getTime() / 1000;
  return parsed
    .filter(isEntry)
    .map(([account, nonce, expires]) => ({ account, nonce, expires }))
    .filter((e) => e.expires > nowSeconds);
}

function sealCookie(key: KeyObject, entries: Entry[]): string {
  const payload = Buffer.from(JSON.stringify(entries.map((e) => [e.account, e.nonce, e.expires]))).toString('base64url');
  return `${payload}.${mac(key, 'cookie', payload).toString('base64url')}`;
}

/** The raw cookie of this request (checked later, by deviceNonceFor). */
export function deviceCookieOf(ctx: Context): string | undefined {
  return ctx.cookies.get(DEVICE_COOKIE, { signed: false });
}

/**
 * The nonce of this browser's entry for the typed e-mail, when the cookie is genuine, unexpired
 * and names that account; otherwise undefined and the browser counts as untrusted.
 */
export function deviceNonceFor(cookie: string | undefined, dataKey: Buffer, email: CanonicalEmail, now: Date): string | undefined {
  const key = cookieKey(dataKey);
  const tag = accountTag(key, email);
  return openCookie(key, cookie, now).find((e) => e.account === tag)?.nonce;
}

/**
 * After a completed sign-in: a fresh entry (new nonce, new expiry) for this account, keeping the
 * other accounts' entries; past the cap the entries closest to expiry drop out.
 */
export function rememberDevice(ctx: Context, dataKey: Buffer, email: CanonicalEmail, now: Date): void {
  const key = cookieKey(dataKey);
  const tag = accountTag(key, email);
  const fresh: Entry = { account: tag, nonce: randomBytes(16).toString('base64url'), expires: Math.floor(now.getTime() / 1000) + DEVICE_COOKIE_DAYS * 86400 };
  const kept = openCookie(key, deviceCookieOf(ctx), now)
    .filter((e) => e.account !== tag)
    .sort((a, b) => b.expires - a.expires);
  const entries = [fresh, ...kept].slice(0, MAX_ACCOUNTS_PER_DEVICE);
  ctx.cookies.set(DEVICE_COOKIE, sealCookie(key, entries), {
    httpOnly: true,
    sameSite: 'lax',
    secure: ctx.secure,
    path: '/',
    maxAge: DEVICE_COOKIE_DAYS * 86400 * 1000,
    signed: false,
    overwrite: true,
  });
}
