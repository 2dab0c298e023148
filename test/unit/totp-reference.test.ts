import assert from 'node:assert/strict';
import { totpAt, base32Decode, codeFor } from '../../bench/support/totp.ts';
import { matchingStep, newTotpSecret, otpauthUri, groupedSecret } from '../../src/mfa/totp.ts';

// RFC 6238 Appendix B: the seeds are the ASCII strings below, T0 = 0, X = 30, 8 digits.
const SEEDS = {
  sha1: Buffer.from('12345678901234567890'),
  sha256: Buffer.from('12345678901234567890123456789012'),
  sha512: Buffer.from('1234567890123456789012345678901234567890123456789012345678901234'),
};
const VECTORS: [number, string, keyof typeof SEEDS][] = [
  [59, '94287082', 'sha1'],
  [59, '46119246', 'sha256'],
  [59, '90693936', 'sha512'],
  [1111111109, '07081804', 'sha1'],
  [1111111109, '68084774', 'sha256'],
  [1111111109, '25091201', 'sha512'],
  [1111111111, '14050471', 'sha1'],
  [1111111111, '67062674', 'sha256'],
  [1111111111, '99943326', 'sha512'],
  [1234567890, '89005924', 'sha1'],
  [1234567890, '91819424', 'sha256'],
  [1234567890, '93441116', 'sha512'],
  [2000000000, '69279037', 'sha1'],
  [2000000000, '90698825', 'sha256'],
  [2000000000, '38618901', 'sha512'],
  [20000000000, '65353130', 'sha1'],
  [20000000000, '77737706', 'sha256'],
  [20000000000, '47863826', 'sha512'],
];

describe('TOTP', () => {
  it('the test helper reproduces every RFC 6238 Appendix B vector', () => {
    for (const [time, expected, algorithm] of VECTORS) {
      assert.equal(totpAt(SEEDS[algorithm], time, 8, algorithm), expected, `${algorithm} at ${time}`);
    }
  });

  it('Tobira accepts the code an app shows now and one step either side, nothing further', async () => {
    const secret = newTotpSecret();
    assert.equal(base32Decode(secret).length, 20, '160-bit secret');
    const now = new Date();
    const step = Math.floor(now.getTime() / 30000);
    assert.equal(await matchingStep(secret, codeFor(secret, now), now), step);
    assert.equal(await matchingStep(secret, codeFor(secret, new Date(now.getTime() - 30000)), now), step - 1);
    assert.equal(await matchingStep(secret, codeFor(secret, new Date(now.getTime() + 30000)), now), step + 1);
    assert.equal(await matchingStep(secret, codeFor(secret, new Date(now.getTime() - 90000)), now), undefined);
  });

  it('accepts exactly one step of drift: codes two or three steps away on either side are refused', async () => {
    const secret = newTotpSecret();
    // Mid-step, so no boundary is crossed while the test runs.
    const now = new Date(Math.floor(Date.now() / 30000) * 30000 + 15000);
    for (const steps of [-3, -2, 2, 3]) {
      const code = codeFor(secret, new Date(now.getTime() + steps * 30000));
      // A code of another step may equal a code within the window by chance (1 in 10^6 per step).
      const collides = [-1, 0, 1].some((near) => codeFor(secret, new Date(now.getTime() + near * 30000)) === code);
      if (!collides) assert.equal(await matchingStep(secret, code, now), undefined, `${steps} steps away`);
    }
  });

  it('refuses malformed input without throwing', async () => {
    const secret = newTotpSecret();
    const now = new Date();
    for (const input of ['', '12345', '1234567', 'abcdef', '12 456', '１２３４５６', '١٢٣٤٥٦', 'x'.repeat(10_000), '123456\n']) {
      assert.equal(await matchingStep(secret, input, now), undefined, JSON.stringify(input.slice(0, 20)));
    }
  });

  it('builds the otpauth URI authenticator apps scan, and a key people can type', () => {
    const secret = newTotpSecret();
    const uri = new URL(otpauthUri(secret, 'Tobira', 'alice@example.com'));
    assert.equal(uri.protocol, 'otpauth:');
    assert.equal(uri.host, 'totp');
    assert.equal(decodeURIComponent(uri.pathname), '/Tobira:alice@example.com');
    assert.equal(uri.searchParams.get('secret'), secret);
    assert.equal(uri.searchParams.get('issuer'), 'Tobira');
    assert.equal(groupedSecret(secret).replace(/ /g, ''), secret);
    assert.match(groupedSecret(secret), /^([A-Z2-7]{4} )+[A-Z2-7]{1,4}$/);
  });
});
