import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { hashPassword, verifyPassword, passwordProblem } from '../../src/crypto/passwords.ts';
import { seal, open } from '../../src/crypto/secret-box.ts';
import { deriveInstanceKeys } from '../../src/crypto/instance-secret.ts';

describe('password hashing', () => {
  it('stores argon2id with the OWASP parameters in PHC form and verifies only the right password', async () => {
    const phc = await hashPassword('correct horse battery staple');
    assert.match(phc, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$/);
    assert.equal(await verifyPassword('correct horse battery staple', phc), true);
    assert.equal(await verifyPassword('correct horse battery stapler', phc), false);
    assert.notEqual(await hashPassword('correct horse battery staple'), phc, 'every hash has its own salt');
  });

  it('treats a malformed stored hash as a failed check, not a crash', async () => {
    assert.equal(await verifyPassword('x', 'not-a-phc-string'), false);
  });

  it('refuses passwords that are too short or absurdly long', () => {
    assert.match(passwordProblem('short') ?? '', /at least 8/);
    assert.match(passwordProblem('x'.repeat(2000)) ?? '', /at most/);
    assert.equal(passwordProblem('long enough'), undefined);
  });
});

describe('secrets at rest (AES-256-GCM)', () => {
  const key = randomBytes(32);

  it('round-trips and never contains the plaintext', () => {
    const sealed = seal(key, 'client-secret', 'very secret value');
    assert.ok(!sealed.includes('very secret value'));
    assert.equal(open(key, 'client-secret', sealed), 'very secret value');
  });

  it('refuses a tampered ciphertext, another key, or another purpose', () => {
    const sealed = seal(key, 'client-secret', 'value');
    const parts = sealed.split('.');
    const body = Buffer.from(parts[2]!, 'base64url');
    body[0] = body[0]! ^ 1;
    parts[2] = body.toString('base64url');
    assert.throws(() => open(key, 'client-secret', parts.join('.')));
    assert.throws(() => open(randomBytes(32), 'client-secret', sealed));
    assert.throws(() => open(key, 'signing-key', sealed));
  });

  it('derives the same keys from the same instance secret on every node', () => {
    const a = deriveInstanceKeys('the-shared-instance-secret-of-this-cluster');
    const b = deriveInstanceKeys('the-shared-instance-secret-of-this-cluster');
    assert.deepEqual(a, b);
    assert.notDeepEqual(a.dataKey, deriveInstanceKeys('another-instance-secret-entirely-0000000').dataKey);
    assert.notEqual(a.dataKey.toString('base64url'), a.cookieKeys[0], 'each purpose gets its own key');
  });
});
