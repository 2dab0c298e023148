// The demo member replaces their phone at /account, as a person would: enrol through the demo
// app, then add a second authenticator app and remove the first. Screenshots in both languages.
import assert from 'node:assert/strict';
import { codeFor } from '../../bench/support/totp.ts';
import { artifacts, startDemoWorld, type DemoWorld } from '../helpers/demo-browser.ts';

describe('browser: the account page', function () {
  this.timeout(120_000);
  let world: DemoWorld;
  before(async () => {
    world = await startDemoWorld();
  });
  after(async () => world?.close());

  it('adds a second authenticator app and removes the first, in English and Japanese', async () => {
    const context = await world.browser.newContext({ locale: 'en-US' });
    const page = await context.newPage();
    const { email, password } = world.seed.member;

    // Enrol through the demo app's "Sign in with two-step verification".
    await page.goto(world.demo.url);
    await page.getByRole('link', { name: 'Sign in with two-step verification' }).click();
    await page.getByLabel('E-mail address').fill(email);
    await page.getByLabel(/^Password$/).fill(password);
    await page.getByRole('button', { name: /^Sign in$/ }).click();
    await page.getByRole('heading', { name: 'Set up two-step verification' }).waitFor();
    const oldSecret = (await page.locator('#secret').innerText()).replace(/\s+/g, '');
    await page.getByLabel('Name of this authenticator').fill('Old phone');
    await page.getByLabel('Verification code').fill(codeFor(oldSecret, world.clock.now()));
    await page.getByRole('button', { name: 'Confirm and continue' }).click();
    await page.getByRole('button', { name: /I have saved my codes/ }).click();
    await page.waitForURL(new RegExp(`:${world.port}/$`));

    // The SSO session already has MFA: /account opens without another prompt.
    await page.goto(`${world.tobira.issuer}/account`);
    await page.getByRole('heading', { name: 'My account' }).waitFor();
    assert.equal(await page.locator('#authenticators tbody tr').count(), 1);
    assert.match(await page.locator('#codes-left').innerText(), /10 of 10/);

    // Add the new phone.
    await page.getByRole('link', { name: 'Add an authenticator app' }).click();
    await page.getByRole('heading', { name: 'Add an authenticator app' }).waitFor();
    assert.ok(await page.locator('img.qr').isVisible());
    await page.screenshot({ path: `${artifacts}account-add-en.png`, fullPage: true });
    const newSecret = (await page.locator('#new-secret').innerText()).replace(/\s+/g, '');
    world.clock.advance(30);
    await page.getByLabel('Name of this authenticator').fill('New phone');
    await page.getByLabel('Code from the new app').fill(codeFor(newSecret, world.clock.now()));
    await page.getByLabel('Code from an authenticator app you already use').fill(codeFor(oldSecret, world.clock.now()));
    await page.getByRole('button', { name: 'Add authenticator app' }).click();
    await page.getByRole('status').filter({ hasText: 'The authenticator app was added' }).waitFor();
    assert.deepEqual(await page.locator('#authenticators td.label').allInnerTexts(), ['Old phone', 'New phone']);
    await page.screenshot({ path: `${artifacts}account-en.png`, fullPage: true });

    // The same page in Japanese, through the language switch (which sticks).
    await page.getByRole('link', { name: '日本語' }).click();
    await page.getByRole('heading', { name: 'アカウント' }).waitFor();
    assert.match(await page.locator('#codes-left').innerText(), /10 個中 10 個/);
    await page.screenshot({ path: `${artifacts}account-ja.png`, fullPage: true });

    // Remove the old phone, confirming with the new one (in Japanese now).
    await page.locator('#authenticators tbody tr').filter({ hasText: 'Old phone' }).getByRole('link', { name: '削除' }).click();
    await page.getByRole('heading', { name: '認証アプリの削除' }).waitFor();
    world.clock.advance(30);
    await page.getByLabel('現在お使いの認証アプリのコード').fill(codeFor(newSecret, world.clock.now()));
    await page.screenshot({ path: `${artifacts}account-remove-ja.png`, fullPage: true });
    await page.getByRole('button', { name: '削除' }).click();
    await page.getByRole('status').filter({ hasText: '認証アプリを削除し' }).waitFor();
    assert.deepEqual(await page.locator('#authenticators td.label').allInnerTexts(), ['New phone']);
    await page.screenshot({ path: `${artifacts}account-after-remove-ja.png`, fullPage: true });

    const rows = await world.tobira.db('authenticators').join('users', 'users.id', 'authenticators.user_id').where('users.email', email).select('label');
    assert.deepEqual(
      rows.map((r: { label: string }) => r.label),
      ['New phone'],
    );
    await context.close();
  });
});
