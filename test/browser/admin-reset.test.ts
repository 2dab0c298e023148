// The demo workspace admin resets the demo member's MFA from the admin console in a real browser,
// with the workspace at `required`: the member is enrolled again at the next sign-in. Screenshots
// of the users list and the user page, in English and Japanese, go to test/artifacts/.
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { codeFor } from '../../bench/support/totp.ts';
import { artifacts, startDemoWorld, type DemoWorld } from '../helpers/demo-browser.ts';
import { findWorkspaceBySlug } from '../../src/db/workspaces.ts';

describe("browser: an admin resets a member's MFA", function () {
  this.timeout(120_000);
  let world: DemoWorld;
  before(async () => {
    world = await startDemoWorld();
    await world.tobira.db('workspaces').where({ slug: world.seed.workspace }).update({ mfa_policy: 'required' });
  });
  after(async () => world?.close());

  /** From the enrolment page: scan (read the key), name, confirm, continue past the codes. */
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

  async function memberSignsIn(page: Page) {
    await page.goto(world.demo.url);
    await page.locator('a[href="/login"]').first().click();
    await page.waitForURL(/\/interaction\//);
    await page.getByLabel('E-mail address').fill(world.seed.member.email);
    await page.getByLabel(/^Password$/).fill(world.seed.member.password);
    await page.getByRole('button', { name: /^Sign in$/ }).click();
  }

  it('resets from the user page; the member enrols again at the next sign-in', async () => {
    const member = await world.browser.newContext({ locale: 'en-US' });
    const memberPage = await member.newPage();
    await memberSignsIn(memberPage);
    await enrolHere(memberPage, 'Old phone');
    await memberPage.waitForURL(new RegExp(`:${world.port}/$`));
    await member.close();

    const context = await world.browser.newContext({ locale: 'en-US', viewport: { width: 1100, height: 900 } });
    const page = await context.newPage();
    await page.goto(`${world.tobira.issuer}/admin`);
    await page.getByLabel('E-mail address').fill(world.seed.admin.email);
    await page.getByLabel(/^Password$/).fill(world.seed.admin.password);
    await page.getByRole('button', { name: /^Sign in$/ }).click();
    await enrolHere(page, 'Admin phone');
    await page.getByRole('heading', { name: 'Users' }).waitFor();
    assert.equal(await page.locator('#users tbody tr').count(), 2);
    await page.screenshot({ path: `${artifacts}admin-users-en.png`, fullPage: true });

    await page.getByRole('link', { name: 'Demo Member' }).click();
    await page.getByRole('heading', { name: 'Demo Member' }).waitFor();
    assert.ok(await page.getByRole('cell', { name: 'Old phone' }).isVisible());
    await page.screenshot({ path: `${artifacts}admin-user-en.png`, fullPage: true });

    await page.getByRole('button', { name: 'Reset two-step verification' }).click();
    assert.equal(await page.getByRole('alert').innerText(), 'Tick the confirmation box to reset two-step verification.');
    await page.getByLabel(/I have confirmed this person's identity/).check();
    await page.getByRole('button', { name: 'Reset two-step verification' }).click();
    await page.getByRole('status').filter({ hasText: 'Two-step verification was reset' }).waitFor();
    assert.ok(await page.getByText('No authenticator app is set up.').isVisible());
    const workspace = await findWorkspaceBySlug(world.tobira.db, world.seed.workspace);
    assert.equal(workspace!.mfa_policy, 'required');

    // The same pages in Japanese, through the language switch.
    await page.getByRole('link', { name: '日本語' }).click();
    await page.getByRole('heading', { name: 'Demo Member' }).waitFor();
    assert.ok(await page.getByText('認証アプリは設定されていません。').isVisible());
    await page.screenshot({ path: `${artifacts}admin-user-ja.png`, fullPage: true });
    await page.getByRole('link', { name: '← ユーザー一覧' }).click();
    await page.getByRole('heading', { name: 'ユーザー' }).waitFor();
    assert.ok(await page.getByRole('cell', { name: 'ワークスペース管理者' }).isVisible());
    await page.screenshot({ path: `${artifacts}admin-users-ja.png`, fullPage: true });
    await context.close();

    const again = await world.browser.newContext({ locale: 'en-US' });
    const againPage = await again.newPage();
    await memberSignsIn(againPage);
    await enrolHere(againPage, 'New phone');
    await againPage.waitForURL(new RegExp(`:${world.port}/$`));
    const claims = JSON.parse(await againPage.locator('#claims').innerText()) as { amr: string[] };
    assert.deepEqual(claims.amr, ['pwd', 'otp', 'mfa']);
    await again.close();
  });
});
