// The demo workspace admin opens the admin console (setting up two-step verification on the way,
// rule 5), makes the policy "required" through the confirmation step, and reads the audit log —
// in English, then in Japanese through the language switch. Screenshots go to test/artifacts/.
import assert from 'node:assert/strict';
import { codeFor } from '../../bench/support/totp.ts';
import { artifacts, startDemoWorld, type DemoWorld } from '../helpers/demo-browser.ts';

describe('browser: workspace policy and audit log', function () {
  this.timeout(120_000);
  let world: DemoWorld;
  before(async () => {
    world = await startDemoWorld();
  });
  after(async () => world?.close());

  it('changes the policy to required after confirming, then shows the audit log, in English and Japanese', async () => {
    const context = await world.browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await page.goto(`${world.tobira.issuer}/admin/workspace`);
    await page.getByLabel('E-mail address').fill(world.seed.admin.email);
    await page.getByLabel(/^Password$/).fill(world.seed.admin.password);
    await page.getByRole('button', { name: /^Sign in$/ }).click();
    await page.getByRole('heading', { name: 'Set up two-step verification' }).waitFor();
    const secret = (await page.locator('#secret').innerText()).replace(/\s+/g, '');
    await page.getByLabel('Name of this authenticator').fill('Admin phone');
    await page.getByLabel('Verification code').fill(codeFor(secret, world.clock.now()));
    await page.getByRole('button', { name: 'Confirm and continue' }).click();
    await page.getByRole('button', { name: /I have saved my codes/ }).click();

    await page.getByRole('heading', { name: 'Workspace settings' }).waitFor();
    assert.equal(new URL(page.url()).pathname, '/admin/workspace');
    assert.equal(await page.getByLabel('Optional').isChecked(), true);
    await page.screenshot({ path: `${artifacts}admin-workspace-en.png`, fullPage: true });

    await page.getByLabel('Required for everyone').check();
    await page.getByRole('button', { name: 'Save policy' }).click();
    await page.getByRole('heading', { name: 'Confirm the new policy' }).waitFor();
    // The demo member has not set up two-step verification; the admin just did.
    assert.match(await page.locator('#users-to-enrol').innerText(), /^1 user will be asked to set up two-step verification at their next sign-in\.$/);
    await page.screenshot({ path: `${artifacts}admin-policy-confirm-en.png`, fullPage: true });
    await page.getByRole('button', { name: 'Change the policy' }).click();
    assert.match(await page.getByRole('status').innerText(), /policy is now “Required for everyone”/);
    assert.equal(await page.getByLabel('Required for everyone').isChecked(), true);

    await page.getByRole('link', { name: 'Audit log' }).click();
    await page.getByRole('heading', { name: 'Audit log' }).waitFor();
    const first = page.locator('#audit-log tbody tr').first();
    assert.equal(await first.getAttribute('data-action'), 'workspace.policy_change');
    assert.match(await first.innerText(), /Policy changed/);
    assert.ok((await page.locator('tr[data-action="mfa.enrol"]').count()) >= 1);
    await page.screenshot({ path: `${artifacts}admin-audit-en.png`, fullPage: true });

    // The language switch sticks for the rest of the console.
    await page.getByRole('link', { name: '日本語' }).click();
    await page.getByRole('heading', { name: '監査ログ' }).waitFor();
    assert.match(await page.locator('#audit-log tbody tr').first().innerText(), /ポリシーの変更/);
    await page.screenshot({ path: `${artifacts}admin-audit-ja.png`, fullPage: true });
    await page.getByRole('link', { name: 'ワークスペースの設定' }).click();
    await page.getByRole('heading', { name: 'ワークスペースの設定' }).waitFor();
    assert.equal(await page.getByLabel('全員必須').isChecked(), true);
    await page.screenshot({ path: `${artifacts}admin-workspace-ja.png`, fullPage: true });
    await page.getByLabel('管理者のみ必須').check();
    await page.getByRole('button', { name: 'ポリシーを保存' }).click();
    assert.match(await page.getByRole('status').innerText(), /多要素認証のポリシーを「管理者のみ必須」に変更しました。/);
    await context.close();
  });
});
