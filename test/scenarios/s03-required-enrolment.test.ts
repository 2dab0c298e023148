import assert from 'node:assert/strict';
import type { RunningTobira } from '../../src/boot.ts';
import { startTobira, makeClient, makeUser, makeWorkspace } from '../helpers/tobira.ts';
import { Browser } from '../../bench/support/browser.ts';
import { discover, authorizationUrl, exchange } from '../../bench/support/rp.ts';
import { enrol, isTotpPage, auditActions } from '../helpers/mfa.ts';
import { codeFor } from '../../bench/support/totp.ts';
import { ACR_MFA } from '../../src/mfa/assurance.ts';

describe('S3 policy required, never enrolled: password, enrolment, back at the RP with MFA claims', () => {
  let tobira: RunningTobira;
  before(async () => {
    tobira = await startTobira();
  });
  after(async () => tobira.close());

  it('enrols on the way in, shows 10 recovery codes once, and the next sign-in asks for TOTP', async () => {
    const workspace = await makeWorkspace(tobira, 'required');
    const user = await makeUser(tobira, { workspaceSlug: workspace.slug });
    const { clientId, secret } = await makeClient(tobira);
    const config = await discover(tobira.issuer, clientId, secret);
    const browser = new Browser(tobira.issuer);
    const start = await authorizationUrl(config);
    const login = await browser.open(start.url.href);
    const enrolPage = await browser.submit(login, { email: user.email, password: user.password });
    assert.match(enrolPage.html, /Your workspace requires two-step verification/);
    assert.match(enrolPage.html, /<img class="qr" src="data:image\/png;base64,/);
    const { recoveryCodes, after, secret: totpSecret } = await enrol(browser, enrolPage, { label: 'iPhone 15' });
    assert.equal(recoveryCodes.length, 10);
    assert.equal(new Set(recoveryCodes).size, 10);
    const tokens = await exchange(config, start, after.url);
    const claims = tokens.claims()!;
    assert.deepEqual(claims.amr, ['pwd', 'otp', 'mfa']);
    assert.equal(claims.acr, ACR_MFA);

    const [authenticator] = await tobira.db('authenticators').where({ user_id: user.user.id });
    assert.equal(authenticator.label, 'iPhone 15');
    assert.ok(!authenticator.secret_encrypted.includes(totpSecret), 'the TOTP secret is encrypted at rest');
    const codes = await tobira.db('recovery_codes').where({ user_id: user.user.id });
    assert.equal(codes.length, 10);
    assert.ok(codes.every((c: { code_hash: string }) => !recoveryCodes.some((plain) => c.code_hash.includes(plain.replace('-', '')))));
    assert.deepEqual(
      (await auditActions(tobira, user.user.id)).filter((a) => a.startsWith('mfa.enrol')),
      ['mfa.enrol:success'],
    );

    // A new browser: password, then the TOTP prompt (not enrolment again).
    const second = new Browser(tobira.issuer);
    const start2 = await authorizationUrl(config);
    const prompt = await second.submit(await second.open(start2.url.href), { email: user.email, password: user.password });
    assert.ok(isTotpPage(prompt), 'an enrolled user gets the TOTP prompt');
    const back = await second.submit(prompt, { code: codeFor(totpSecret, new Date(Date.now() + 30_000)) }, '/totp');
    const tokens2 = await exchange(config, start2, back.url);
    assert.deepEqual(tokens2.claims()!.amr, ['pwd', 'otp', 'mfa']);
  });
});
