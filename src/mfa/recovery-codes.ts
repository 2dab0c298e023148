// Recovery codes: 10 single-use codes of 50 random bits each, shown once and stored only as
// HMAC-SHA-256 under the instance key. High-entropy codes need no slow hash; the HMAC keeps a
// stolen table useless without the instance secret.
import { createHmac, randomInt } from 'node:crypto';

export const RECOVERY_CODE_COUNT = 10;
// Crockford-style alphabet without 0/O, 1/I/L, U: codes are read off paper.
const ALPHABET = 'abcdefghjkmnpqrstvwxyz23456789';

export function newRecoveryCodes(): string[] {
  return Array.from({ length: RECOVERY_CODE_COUNT }, () => {
    const chars = Array.from({ length: 10 }, () => ALPHABET[randomInt(ALPHABET.length)]).join('');
    return `${chars.slice(0, 5)}-${chars.slice(5)}`;
  });
}

/** Canonical form: lower case, no spaces or dashes, so "ABCDE FGHJK" matches "abcde-fghjk". */
export function normaliseRecoveryCode(input: string): string {
  return input.slice(0, 64).toLowerCase().replace(/[\s-]/g, '');
}

export function looksLikeRecoveryCode(input: string): boolean {
  return new RegExp(`^[${ALPHABET}]{10}$`).test(normaliseRecoveryCode(input));
}

export function hashRecoveryCode(dataKey: Buffer, code: string): string {
  return createHmac('sha256', dataKey)
    .update(`recovery-code:${normaliseRecoveryCode(code)}`)
    .digest('base64url');
}
