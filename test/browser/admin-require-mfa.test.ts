// The demo workspace admin requires two-step verification of the demo member in a real browser,
// with the workspace at `optional`: the member, who never set up an app, is enrolled at the next
// sign-in. Screenshots of the user page's new section and of the flag in the users list, in
// English and Japanese, go to test/artifacts/.
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { codeFor } from '../../bench/support/totp.ts';
import { artifacts, startDemoWorld, type DemoWorld } from '../helpers/demo-browser.ts';

describe('browser: an admin requires two-step verification of one member', function () {
  this.timeout(120_000);
  let world: DemoWorld;
  before(async () => {
    world = await startDemoWorld();
  });
  after(async () => world?.close());

  async function enrolHere(page: Page, label: string) {
    await page.getByRole('heading', { name: 'Set up two-step verification' }).waitFor();
    const secret = (await page.locator('#secret').innerText()).replace(/\s+/g, '');
    await page.getByLabel('Name of this authenticator').fill(label);
    await page.getByLabel('Verification code').fill(codeFor(secret, world.clock.now()));
    await page.getByRole('button', { name: 'Confirm and continue' }).click();
    await page.getByRole('heading', { name: 'Save your recovery codes' }).waitFor();
    await page.getByRole('button', { name: /I have saved my codes/ }).click();
    world.clock.advance(30);
  }

  it('requires it from the user page; the list shows the flag; the member enrols at the next sign-in', async () => {
    const context = await world.browser.newContext({ locale: 'en-US', viewport: { width: 1100, height: 900 } });
    const page = await context.newPage();
    await page.goto(`${world.tobira.issuer}/admin`);
    await page.getByLabel('E-mail address').fill(world.seed.admin.email);
    await page.getByLabel(/^Password$/).fill(world.seed.admin.password);
    await page.getByRole('button', { name: /^Sign in$/ }).click();
    await enrolHere(page, 'Admin phone');
    await page.getByRole('link', { name: 'Demo Member' }).click();
    await page.getByRole('heading', { name: 'Require two-step verification at next sign-in' }).waitFor();
    await page.getByLabel('Reason (kept in the audit log)').fill('Handles payroll exports');
    await page.getByRole('button', { name: 'Require two-step verification' }).click();
    await page.getByRole('status').filter({ hasText: 'Two-step verification is now required for this user' }).waitFor();
    assert.ok(await page.locator('#mfa-required').isVisible());
    assert.ok(await page.getByRole('button', { name: 'Lift the requirement' }).isVisible());
    await page.screenshot({ path: `${artifacts}admin-user-mfa-required-en.png`, fullPage: true });
    await page.getByRole('link', { name: '← All users' }).click();
    await page.getByRole('heading', { name: 'Users' }).waitFor();
    assert.equal(await page.locator('[data-mfa-required]').innerText(), 'MFA required by an admin');
    await page.screenshot({ path: `${artifacts}admin-users-mfa-required-en.png`, fullPage: true });

    await page.getByRole('link', { name: '日本語' }).click();
    await page.getByRole('heading', { name: 'ユーザー' }).waitFor();
    assert.equal(await page.locator('[data-mfa-required]').innerText(), '管理者が多要素認証を必須化');
    await page.screenshot({ path: `${artifacts}admin-users-mfa-required-ja.png`, fullPage: true });
    await page.getByRole('link', { name: 'Demo Member' }).click();
    await page.getByRole('heading', { name: '次回サインイン時に多要素認証を必須にする' }).waitFor();
    assert.ok(await page.getByRole('button', { name: '必須を解除' }).isVisible());
    await page.screenshot({ path: `${artifacts}admin-user-mfa-required-ja.png`, fullPage: true });
    await context.close();

    const member = await world.browser.newContext({ locale: 'en-US' });
    const memberPage = await member.newPage();
    await memberPage.goto(world.demo.url);
    await memberPage.locator('a[href="/login"]').first().click();
    await memberPage.waitForURL(/\/interaction\//);
    await memberPage.getByLabel('E-mail address').fill(world.seed.member.email);
    await memberPage.getByLabel(/^Password$/).fill(world.seed.member.password);
    await memberPage.getByRole('button', { name: /^Sign in$/ }).click();
    await memberPage.getByText('An administrator requires two-step verification for your account.').waitFor();
    await memberPage.screenshot({ path: `${artifacts}enrol-admin-required-en.png`, fullPage: true });
    await enrolHere(memberPage, 'Work phone');
    await memberPage.waitForURL(new RegExp(`:${world.port}/$`));
    const claims = JSON.parse(await memberPage.locator('#claims').innerText()) as { amr: string[] };
    assert.deepEqual(claims.amr, ['pwd', 'otp', 'mfa']);
    await member.close();
  });
});
