// One enrolment creates one authenticator, however many times (and on however many nodes) its
// form arrives at once; the recovery codes shown are the ones stored.
import assert from 'node:assert/strict';
import { adjustableClock } from '../../src/clock.ts';
import { twoNodes, makeClient, makeUser, makeWorkspace, CALLBACK } from '../helpers/tobira.ts';
import { Browser, type Page } from '../../bench/support/browser.ts';
import { authorizationUrl, discover, exchange } from '../../bench/support/rp.ts';
import { isEnrolmentPage, recoveryCodesOn, secretOn } from '../helpers/mfa.ts';
import { codeFor } from '../../bench/support/totp.ts';
import { openAccount, newSecretOn } from '../helpers/account.ts';
import { csrfOn } from '../helpers/console.ts';
import { hashRecoveryCode } from '../../src/mfa/recovery-codes.ts';
import { ACR_MFA } from '../../src/mfa/assurance.ts';

// As in the review; a sixth parallel password proof would meet the password throttle, which counts
// every attempt before checking it.
const PARALLEL = 5;

describe('Concurrent enrolment creates one authenticator', () => {
  const clock = adjustableClock();
  const nodes = twoNodes({ clock });

  async function storedCodeHashes(userId: string): Promise<string[]> {
    return (await nodes.a.db('recovery_codes').where({ user_id: userId }).whereNull('used_at')).map((r: { code_hash: string }) => r.code_hash).sort();
  }

  it(`${PARALLEL} parallel submissions of the sign-in enrolment form across two nodes: one authenticator, the codes shown are the codes stored`, async () => {
    const workspace = await makeWorkspace(nodes.a, 'required');
    const user = await makeUser(nodes.a, { workspaceSlug: workspace.slug });
    const { clientId, secret } = await makeClient(nodes.a);
    const config = await discover(nodes.a.issuer, clientId, secret);
    const browser = new Browser(nodes.a.issuer);
    const start = await authorizationUrl(config);
    const enrolPage = await browser.submit(await browser.open(start.url.href), { email: user.email, password: user.password });
    assert.ok(isEnrolmentPage(enrolPage), `enrolment: got ${enrolPage.status} ${enrolPage.url}`);
    const body = new URLSearchParams({ label: 'Pixel', code: codeFor(secretOn(enrolPage), clock.now()) });
    const path = `${new URL(enrolPage.url).pathname}/enrol`;
    const onB = browser.withSameCookies(nodes.b.url);

    const answers = await Promise.all(
      Array.from({ length: PARALLEL }, (_, i) =>
        i % 2 ? onB.request(`${nodes.b.url}${path}`, { method: 'POST', body }) : browser.request(`${nodes.a.issuer}${path}`, { method: 'POST', body }),
      ),
    );
    const statuses = answers.map((a) => a.status).sort();
    assert.ok(
      statuses.every((s) => s === 303 || s === 409),
      `each answer is the result page (303) or "already set up" (409): ${statuses}`,
    );
    for (const refused of answers.filter((a) => a.status === 409)) {
      assert.match(refused.html, /already set up by another submission of the same form/);
    }
    assert.equal((await nodes.a.db('authenticators').where({ user_id: user.user.id })).length, 1, 'exactly one authenticator');

    const codesPage: Page = await browser.open(`${nodes.a.issuer}${new URL(enrolPage.url).pathname}`);
    const shown = recoveryCodesOn(codesPage);
    assert.equal(shown.length, 10, `the recovery codes page: ${codesPage.status} ${codesPage.url}`);
    assert.deepEqual(
      await storedCodeHashes(user.user.id),
      shown.map((c) => hashRecoveryCode(nodes.a.keys.dataKey, c)).sort(),
      'the codes shown are the ones stored',
    );
    const back = await browser.submit(codesPage, {}, '/continue');
    assert.ok(back.url.startsWith(CALLBACK));
    assert.equal((await exchange(config, start, back.url)).claims()!.acr, ACR_MFA);
  });

  it(`${PARALLEL} parallel submissions of "add an authenticator" at /account across two nodes: one authenticator`, async () => {
    const user = await makeUser(nodes.a);
    // An optional workspace and no authenticator yet: the account page asks for the password.
    const { browser } = await openAccount(nodes.a, clock, user);
    const addPage = await browser.open(`${nodes.a.issuer}/account/authenticators/new`);
    const body = new URLSearchParams({
      csrf: csrfOn(addPage),
      pending: /name="pending" value="([^"]+)"/.exec(addPage.html)![1]!,
      label: 'Tablet',
      new_code: codeFor(newSecretOn(addPage), clock.now()),
      password: user.password,
    });
    const onB = browser.withSameCookies(nodes.b.url);
    const answers = await Promise.all(
      Array.from({ length: PARALLEL }, (_, i) =>
        i % 2
          ? onB.request(`${nodes.b.url}/account/authenticators`, { method: 'POST', body })
          : browser.request(`${nodes.a.issuer}/account/authenticators`, { method: 'POST', body }),
      ),
    );
    const winners = answers.filter((a) => a.status === 200);
    assert.equal(winners.length, 1, `one answer shows the recovery codes: ${answers.map((a) => a.status)}`);
    for (const other of answers.filter((a) => a !== winners[0])) {
      assert.equal(other.status, 409);
      assert.match(other.html, /already been added/);
    }
    assert.equal((await nodes.a.db('authenticators').where({ user_id: user.user.id })).length, 1, 'exactly one authenticator');
    const shown = recoveryCodesOn(winners[0]!);
    assert.equal(shown.length, 10);
    assert.deepEqual(await storedCodeHashes(user.user.id), shown.map((c) => hashRecoveryCode(nodes.a.keys.dataKey, c)).sort());
  });
});
