import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import Keygrip from 'keygrip';
import { cookieSigner } from '../../src/crypto/cookie-signer.ts';

// The signer replaces keygrip under koa's cookies: a cookie signed by either must be accepted by
// the other, or every sign-in under way during a deploy would fail.
describe('cookie signer', () => {
  const keys = [randomBytes(32).toString('base64url'), 'an older key, still accepted'];

  it('signs exactly as keygrip does, and accepts what keygrip signed', () => {
    const grip = new Keygrip(keys);
    for (const data of ['_interaction=abc', 'session=日本語', '', 'x'.repeat(500)]) {
      assert.equal(cookieSigner(keys).sign(data), grip.sign(data));
      assert.equal(cookieSigner(keys).index(data, grip.sign(data)), 0);
    }
  });

  it('finds the key that signed, for rotation, and refuses anything else', () => {
    const signer = cookieSigner(keys);
    const old = new Keygrip([keys[1]!]).sign('_session=abc');
    assert.equal(signer.index('_session=abc', old), 1);
    assert.equal(signer.verify('_session=abc', old), true);
    assert.equal(signer.index('_session=abd', old), -1);
    assert.equal(signer.index('_session=abc', `${old}x`), -1);
    assert.equal(signer.index('_session=abc', ''), -1);
    assert.equal(signer.verify('_session=abc', new Keygrip(['another key']).sign('_session=abc')), false);
  });
});
