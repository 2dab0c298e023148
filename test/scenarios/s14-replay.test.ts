import assert from 'node:assert/strict';
import type { RunningTobira } from '../../src/boot.ts';
import { adjustableClock } from '../../src/clock.ts';
import { startTobira, CALLBACK } from '../helpers/tobira.ts';
import { alertText } from '../../bench/support/browser.ts';
import { discover, exchange } from '../../bench/support/rp.ts';
import { codeFor } from '../../bench/support/totp.ts';
import { atTotpPrompt, auditRows, enrolledUser } from '../helpers/scenario-b.ts';

const stepOf = (at: Date) => Math.floor(at.getTime() / 30_000);

describe('S14 replay: a TOTP code that was accepted is refused a second time, on any node', function () {
  this.timeout(30_000);
  const clock = adjustableClock();
  let nodeA: RunningTobira;
  let nodeB: RunningTobira;
  before(async () => {
    nodeA = await startTobira({}, { clock });
    // Node B: its own provider, keys cache and HTTP server, on node A's database (PostgreSQL in
    // CI's second run, else the in-memory PGlite both nodes of this process can reach).
    nodeB = await startTobira({}, { clock, sameDatabaseAs: nodeA });
  });
  after(async () => {
    await nodeB.close();
    await nodeA.close();
  });

  async function lastUsedStep(userId: string): Promise<number> {
    const [authenticator] = await nodeA.db('authenticators').where({ user_id: userId });
    return Number(authenticator.last_used_step);
  }

  it('refuses a code that already signed the user in, in a second browser at the same moment', async () => {
    const { user, config, totpSecret } = await enrolledUser(nodeA, clock);
    const at = clock.now();
    const code = codeFor(totpSecret, at);
    const first = await atTotpPrompt(nodeA.issuer, config, user);
    const back = await first.browser.submit(first.page, { code }, '/totp');
    assert.ok(back.url.startsWith(CALLBACK));
    assert.deepEqual((await exchange(config, first.start, back.url)).claims()!.amr, ['pwd', 'otp', 'mfa']);
    assert.equal(await lastUsedStep(user.user.id), stepOf(at));

    const second = await atTotpPrompt(nodeA.issuer, config, user);
    const refused = await second.browser.submit(second.page, { code }, '/totp');
    assert.equal(refused.status, 401);
    assert.equal(alertText(refused.html), 'This code has already been used. Wait for the next code in your authenticator app and enter that one.');
    const failures = await auditRows(nodeA, { target_id: user.user.id, action: 'mfa.totp' });
    assert.deepEqual(
      failures.map((f) => [f.outcome, f.details.reason]),
      [['failure', 'replayed']],
    );

    // The next code from the app works in that same browser.
    clock.advance(30);
    const later = clock.now();
    const next = await second.browser.submit(refused, { code: codeFor(totpSecret, later) }, '/totp');
    assert.ok(next.url.startsWith(CALLBACK));
    assert.equal(await lastUsedStep(user.user.id), stepOf(later));
  });

  it('refuses on node B a code accepted on node A (same database)', async () => {
    const b = nodeB;
    const { user, config, clientId, secret, totpSecret } = await enrolledUser(nodeA, clock);
    const configB = await discover(b.issuer, clientId, secret);
    const at = clock.now();
    const code = codeFor(totpSecret, at);
    const onA = await atTotpPrompt(nodeA.issuer, config, user);
    const backA = await onA.browser.submit(onA.page, { code }, '/totp');
    assert.ok(backA.url.startsWith(CALLBACK), 'accepted on node A');

    const onB = await atTotpPrompt(b.issuer, configB, user);
    const refused = await onB.browser.submit(onB.page, { code }, '/totp');
    assert.equal(refused.status, 401, 'refused on node B');
    assert.match(alertText(refused.html)!, /already been used/);
    assert.equal(await lastUsedStep(user.user.id), stepOf(at));
    const replayed = (await auditRows(b, { target_id: user.user.id, action: 'mfa.totp' })).filter((e) => e.details.reason === 'replayed');
    assert.equal(replayed.length, 1);
  });

  it('lets exactly one of two simultaneous submissions of the same code through', async () => {
    const { user, config, totpSecret } = await enrolledUser(nodeA, clock);
    const at = clock.now();
    const code = codeFor(totpSecret, at);
    // On PostgreSQL the two browsers talk to different nodes; on PGlite both talk to the one node.
    const other = nodeB ?? nodeA;
    const configOther = nodeB ? await discover(other.issuer, config.clientMetadata().client_id, config.clientMetadata().client_secret as string) : config;
    const one = await atTotpPrompt(nodeA.issuer, config, user);
    const two = await atTotpPrompt(other.issuer, configOther, user);

    const before = await nodeA.db('audit_events').where({ target_id: user.user.id, action: 'sign_in', outcome: 'success' });
    const results = await Promise.all([one.browser.submit(one.page, { code }, '/totp'), two.browser.submit(two.page, { code }, '/totp')]);
    const winners = results.filter((p) => p.url.startsWith(CALLBACK));
    const losers = results.filter((p) => !p.url.startsWith(CALLBACK));
    assert.equal(winners.length, 1, `exactly one reaches the RP: ${results.map((p) => `${p.status} ${p.url}`).join(', ')}`);
    assert.equal(losers.length, 1);
    assert.equal(losers[0]!.status, 401);
    assert.match(alertText(losers[0]!.html)!, /already been used/);

    const winner = results[0] === winners[0] ? { start: one.start, config } : { start: two.start, config: configOther };
    assert.deepEqual((await exchange(winner.config, winner.start, winners[0]!.url)).claims()!.amr, ['pwd', 'otp', 'mfa']);
    const after = await nodeA.db('audit_events').where({ target_id: user.user.id, action: 'sign_in', outcome: 'success' });
    assert.equal(after.length - before.length, 1, 'one sign-in recorded');
    const replayed = (await auditRows(nodeA, { target_id: user.user.id, action: 'mfa.totp' })).filter((e) => e.details.reason === 'replayed');
    assert.equal(replayed.length, 1, 'the loser is recorded as a replay');
    assert.equal(await lastUsedStep(user.user.id), stepOf(at));
  });
});
