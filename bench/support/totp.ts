// An independent RFC 6238 implementation for the tests and the benchmarks' load generator, so a bug in the code under test cannot
// hide behind the same bug in the code that computes the expected codes. Checked against the
// RFC 6238 Appendix B vectors in test/unit/totp-reference.test.ts.
import { createHmac } from 'node:crypto';

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

export function base32Decode(input: string): Buffer {
  const clean = input.replace(/[\s=]/g, '').toUpperCase();
  let bits = 0;
  let value = 0;
  const out: number[] = [];
  for (const char of clean) {
    const index = BASE32.indexOf(char);
    if (index < 0) throw new Error(`not base32: ${char}`);
    value = (value << 5) | index;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

/** RFC 4226 HOTP with dynamic truncation; `digits` and `algorithm` as in RFC 6238 Appendix B. */
export function hotp(key: Buffer, counter: number, digits = 6, algorithm = 'sha1'): string {
  const message = Buffer.alloc(8);
  message.writeBigUInt64BE(BigInt(counter));
  const mac = createHmac(algorithm, key).update(message).digest();
  const offset = mac[mac.length - 1]! & 0x0f;
  const binary = (mac.readUInt32BE(offset) & 0x7fffffff) % 10 ** digits;
  return String(binary).padStart(digits, '0');
}

export function totpAt(key: Buffer, unixSeconds: number, digits = 6, algorithm = 'sha1', period = 30): string {
  return hotp(key, Math.floor(unixSeconds / period), digits, algorithm);
}

/** The code an authenticator app shows for a base32 secret at the given time. */
export function codeFor(base32Secret: string, at: Date = new Date()): string {
  return totpAt(base32Decode(base32Secret), Math.floor(at.getTime() / 1000));
}
