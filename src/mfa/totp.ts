// RFC 6238 TOTP as the authenticator apps implement it: SHA-1, 6 digits, 30-second steps, a
// 20-byte secret (RFC 4226 §4 recommends 160 bits), one step of clock drift accepted either way.
import { generateSecret, generateURI, verify } from 'otplib';

export const PERIOD = 30;
export const DIGITS = 6;

export function newTotpSecret(): string {
  return generateSecret({ length: 20 });
}

export function otpauthUri(secret: string, issuer: string, account: string): string {
  return generateURI({ strategy: 'totp', issuer, label: account, secret, algorithm: 'sha1', digits: DIGITS, period: PERIOD });
}

/** The secret as people type it: groups of four (base32 has no ambiguous characters to split on). */
export function groupedSecret(secret: string): string {
  return secret.match(/.{1,4}/g)!.join(' ');
}

/** Exactly six ASCII digits; otplib throws on anything else, and Unicode digits must not slip through. */
export function isWellFormedCode(code: string): boolean {
  return /^[0-9]{6}$/.test(code);
}

/** Strips the spaces and dashes people type or paste ("123 456"); everything else is left for the check. */
export function normaliseCode(input: string): string {
  return input.slice(0, 64).replace(/[\s-]/g, '');
}

/** The RFC 6238 time step a correct code belongs to, or undefined for a wrong code. */
export async function matchingStep(secret: string, code: string, now: Date): Promise<number | undefined> {
  if (!isWellFormedCode(code)) return undefined;
  const epoch = Math.floor(now.getTime() / 1000);
  const result = await verify({ secret, token: code, epoch, epochTolerance: PERIOD, period: PERIOD, digits: DIGITS, algorithm: 'sha1' });
  if (!result.valid) return undefined;
  return Math.floor(epoch / PERIOD) + result.delta;
}
