import assert from 'node:assert/strict';
import { startTobira, makeUser, type TestUser } from '../helpers/tobira.ts';
import type { RunningTobira } from '../../src/boot.ts';
import { SoftAuthenticator } from '../helpers/soft-authenticator.ts';
import { authenticationOptions, checkPasskey, passkeyRp, registrationOptions, CHALLENGE_TTL_SECONDS, type PasskeyRp } from '../../src/mfa/passkey.ts';
import { confirmPasskeyEnrolment } from '../../src/mfa/passkey-enrolment.ts';
import { listPasskeys } from '../../src/db/passkeys.ts';
import type { AuditEvent } from '../../src/db/audit-events.ts';

const later = (now: Date, seconds: number) => new Date(now.getTime() + seconds * 1000);

describe('passkeys (WebAuthn) verified by @simplewebauthn/server against a software authenticator', () => {
  let tobira: RunningTobira;
  let rp: PasskeyRp;
  before(async () => {
    tobira = await startTobira();
    rp = passkeyRp(tobira.issuer);
  });
  after(async () => tobira.close());

  const audit = (user: TestUser) => (): AuditEvent => ({
    workspaceId: user.user.workspace_id,
    actorType: 'user',
    actorId: user.user.id,
    actorLabel: user.email,
    action: 'mfa.enrol',
    outcome: 'success',
    targetType: 'user',
    targetId: user.user.id,
  });

  async function register(user: TestUser, authenticator: SoftAuthenticator, now = new Date(), ceremony = {}) {
    const options = await registrationOptions(tobira.db, rp, { id: user.user.id, email: user.email, name: '' }, now);
    return confirmPasskeyEnrolment(tobira.db, tobira.keys.dataKey, rp, {
      userId: user.user.id,
      label: 'YubiKey 5',
      response: authenticator.register(options, ceremony),
      now,
      audit: audit(user),
    });
  }

  async function answer(user: TestUser, authenticator: SoftAuthenticator, now = new Date(), ceremony = {}) {
    const options = await authenticationOptions(tobira.db, rp, user.user.id, now);
    assert.ok(options, 'a user with a passkey gets options');
    return { options, response: authenticator.assert(options, ceremony) };
  }

  it('registers a passkey (public key only, recovery codes with the first factor) and accepts its assertion', async () => {
    const user = await makeUser(tobira);
    const key = new SoftAuthenticator(rp.origin);
    const registered = await register(user, key);
    assert.equal(registered.ok, true);
    assert.ok(registered.ok && registered.recoveryCodes?.length === 10, 'the first factor comes with recovery codes');
    const [row] = await listPasskeys(tobira.db, user.user.id);
    assert.equal(row?.label, 'YubiKey 5');
    assert.equal(row?.credential_id, key.id);
    assert.equal(row?.transports, 'usb');

    const { response } = await answer(user, key);
    const result = await checkPasskey(tobira.db, rp, user.user.id, response, new Date());
    assert.deepEqual(result, { ok: true, passkeyId: row?.id, userVerified: true });
    const [used] = await listPasskeys(tobira.db, user.user.id);
    assert.equal(Number(used?.sign_count), 2);
    assert.ok(used?.last_used_at);
  });

  it('tells whether the authenticator verified the user (PIN, fingerprint) or only saw a touch', async () => {
    const user = await makeUser(tobira);
    const key = new SoftAuthenticator(rp.origin);
    assert.equal((await register(user, key)).ok, true);
    const { response } = await answer(user, key, new Date(), { userVerified: false });
    const result = await checkPasskey(tobira.db, rp, user.user.id, response, new Date());
    assert.equal(result.ok && result.userVerified, false);
  });

  it('refuses a replayed assertion, and counts it toward the second-factor lock', async () => {
    const user = await makeUser(tobira);
    const key = new SoftAuthenticator(rp.origin);
    await register(user, key);
    const { response } = await answer(user, key);
    assert.equal((await checkPasskey(tobira.db, rp, user.user.id, response, new Date())).ok, true);
    const replay = await checkPasskey(tobira.db, rp, user.user.id, response, new Date());
    assert.deepEqual(replay, { ok: false, reason: 'replayed', lock: { locked: false, left: 4, nextLockSeconds: 60 } });
    const row = await tobira
      .db('throttles')
      .where({ key: `totp:user:${user.user.id}` })
      .first();
    assert.equal(row?.failures, 1);
  });

  it('refuses an assertion made for another origin (a phishing site relaying the prompt)', async () => {
    const user = await makeUser(tobira);
    const key = new SoftAuthenticator(rp.origin);
    await register(user, key);
    const { response } = await answer(user, key, new Date(), { origin: 'https://tobira.example.evil' });
    assert.deepEqual(await checkPasskey(tobira.db, rp, user.user.id, response, new Date()), {
      ok: false,
      reason: 'wrong',
      lock: { locked: false, left: 4, nextLockSeconds: 60 },
    });
  });

  it('refuses an assertion over a challenge Tobira did not issue, and one whose challenge expired', async () => {
    const user = await makeUser(tobira);
    const key = new SoftAuthenticator(rp.origin);
    await register(user, key);
    const made = await answer(user, key, new Date(), { challenge: Buffer.from('not-ours').toString('base64url') });
    assert.deepEqual(await checkPasskey(tobira.db, rp, user.user.id, made.response, new Date()), {
      ok: false,
      reason: 'replayed',
      lock: { locked: false, left: 4, nextLockSeconds: 60 },
    });
    const now = new Date();
    const stale = await answer(user, key, now);
    const result = await checkPasskey(tobira.db, rp, user.user.id, stale.response, later(now, CHALLENGE_TTL_SECONDS + 1));
    assert.equal(result.ok, false);
    assert.equal(!result.ok && result.reason, 'replayed');
  });

  it('refuses an assertion whose counter went backwards (a cloned authenticator), and keeps the stored counter', async () => {
    const user = await makeUser(tobira);
    const key = new SoftAuthenticator(rp.origin, { counter: 10 });
    await register(user, key);
    const first = await answer(user, key);
    assert.equal((await checkPasskey(tobira.db, rp, user.user.id, first.response, new Date())).ok, true);
    key.counter = 3;
    const cloned = await answer(user, key);
    assert.deepEqual(await checkPasskey(tobira.db, rp, user.user.id, cloned.response, new Date()), {
      ok: false,
      reason: 'wrong',
      lock: { locked: false, left: 4, nextLockSeconds: 60 },
    });
    const [row] = await listPasskeys(tobira.db, user.user.id);
    assert.equal(Number(row?.sign_count), 11);
  });

  it('accepts authenticators that keep no counter (0 every time)', async () => {
    const user = await makeUser(tobira);
    const key = new SoftAuthenticator(rp.origin, { counter: 0 });
    await register(user, key);
    for (let i = 0; i < 2; i++) {
      const { response } = await answer(user, key);
      assert.equal((await checkPasskey(tobira.db, rp, user.user.id, response, new Date())).ok, true);
    }
  });

  it("refuses another user's passkey and malformed answers (the latter not counted)", async () => {
    const owner = await makeUser(tobira);
    const other = await makeUser(tobira);
    const key = new SoftAuthenticator(rp.origin);
    await register(owner, key);
    await register(other, new SoftAuthenticator(rp.origin));
    const { response } = await answer(other, key);
    assert.deepEqual(await checkPasskey(tobira.db, rp, other.user.id, response, new Date()), {
      ok: false,
      reason: 'wrong',
      lock: { locked: false, left: 4, nextLockSeconds: 60 },
    });
    for (const bad of ['', 'not json', '{"id":1}', JSON.stringify({ id: 'x', rawId: 'x', type: 'public-key' }), 'x'.repeat(20_000)]) {
      assert.deepEqual(await checkPasskey(tobira.db, rp, owner.user.id, bad, new Date()), { ok: false, reason: 'malformed' });
    }
  });

  it('locks the second step after five failures, whatever the factor', async () => {
    const user = await makeUser(tobira);
    const key = new SoftAuthenticator(rp.origin);
    await register(user, key);
    let last: Awaited<ReturnType<typeof checkPasskey>> | undefined;
    for (let i = 0; i < 5; i++) {
      const { response } = await answer(user, key, new Date(), { origin: 'https://evil.example' });
      last = await checkPasskey(tobira.db, rp, user.user.id, response, new Date());
    }
    assert.equal(last?.ok === false && last.reason === 'wrong' && last.lock.locked, true);
    const { response } = await answer(user, key);
    const refused = await checkPasskey(tobira.db, rp, user.user.id, response, new Date());
    assert.equal(!refused.ok && refused.reason, 'locked');
  });

  it('refuses a registration for another origin, over an unissued challenge, or of a credential registered already', async () => {
    const user = await makeUser(tobira);
    const key = new SoftAuthenticator(rp.origin);
    assert.deepEqual(await register(user, key, new Date(), { origin: 'https://evil.example' }), { ok: false, reason: 'rejected' });
    assert.deepEqual(await register(user, key, new Date(), { challenge: 'AAAA' }), { ok: false, reason: 'rejected' });
    assert.equal((await register(user, key)).ok, true);
    const other = await makeUser(tobira);
    assert.deepEqual(await register(other, key), { ok: false, reason: 'already' }, 'one credential id belongs to one account');
    assert.equal((await listPasskeys(tobira.db, other.user.id)).length, 0);
  });

  it('does not accept a sign-in challenge for a registration', async () => {
    const user = await makeUser(tobira);
    const key = new SoftAuthenticator(rp.origin);
    await register(user, key);
    const signIn = await authenticationOptions(tobira.db, rp, user.user.id, new Date());
    assert.ok(signIn);
    const options = await registrationOptions(tobira.db, rp, { id: user.user.id, email: user.email, name: '' }, new Date());
    const second = new SoftAuthenticator(rp.origin);
    const result = await confirmPasskeyEnrolment(tobira.db, tobira.keys.dataKey, rp, {
      userId: user.user.id,
      label: '',
      response: second.register(options, { challenge: signIn.challenge }),
      now: new Date(),
      audit: audit(user),
    });
    assert.deepEqual(result, { ok: false, reason: 'rejected' });
  });
});
