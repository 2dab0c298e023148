// A member adds, renames and removes a passkey at /account in Debian's Chromium, whose virtual
// WebAuthn authenticator answers the browser's dialog (a platform passkey with user verification).
// WebAuthn needs a secure context and a domain as relying-party id, so Tobira's issuer here is
// http://localhost:PORT. Screenshots in English and Japanese; no JavaScript error on any page.
import assert from 'node:assert/strict';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { RunningTobira } from '../../src/boot.ts';
import { adjustableClock } from '../../src/clock.ts';
import { codeFor } from '../../bench/support/totp.ts';
import { freePort } from '../../bench/support/ports.ts';
import { artifacts } from '../helpers/demo-browser.ts';
import { makeUser, makeWorkspace, startTobira, type TestUser } from '../helpers/tobira.ts';
import { addVirtualAuthenticator } from '../helpers/virtual-authenticator.ts';

/**
 * Every uncaught exception and console error of the page, to assert there were none. Chromium's
 * own request for /favicon.ico (Tobira serves none) is not the page's and is left out.
 */
function watchErrors(page: Page, into: string[]): void {
  page.on('pageerror', (error) => into.push(`${page.url()}: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() !== 'error' || message.location().url.endsWith('/favicon.ico')) return;
    into.push(`${page.url()}: ${message.text()} (${message.location().url})`);
  });
}

describe('browser: passkeys at /account', function () {
  this.timeout(120_000);
  const clock = adjustableClock();
  let tobira: RunningTobira;
  let browser: Browser;
  let member: TestUser;
  before(async () => {
    const port = await freePort();
    tobira = await startTobira({ PORT: String(port), ISSUER: `http://localhost:${port}` }, { clock });
    const workspace = await makeWorkspace(tobira, 'optional');
    member = await makeUser(tobira, { workspaceSlug: workspace.slug, name: 'Hana Sato' });
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
  });
  after(async () => {
    await browser?.close();
    await tobira?.close();
  });

  it('adds a passkey, confirms changes with it, renames and removes it, in English and Japanese', async () => {
    const context = await browser.newContext({ locale: 'en-US' });
    const page = await context.newPage();
    const errors: string[] = [];
    watchErrors(page, errors);
    const authenticator = await addVirtualAuthenticator(page);
    const passkeyRow = () => page.locator('#authenticators tbody tr[data-passkey]');

    // Signed in with the password only: no second factor yet.
    await page.goto(`${tobira.issuer}/account`);
    await page.getByLabel('E-mail address').fill(member.email);
    await page.getByLabel(/^Password$/).fill(member.password);
    await page.getByRole('button', { name: /^Sign in$/ }).click();
    await page.getByRole('heading', { name: 'My account' }).waitFor();

    // The proof first (the password, since there is no factor yet), then the browser's dialog.
    await page.getByRole('link', { name: 'Add a passkey or security key' }).click();
    await page.getByRole('heading', { name: 'Add a passkey or security key' }).waitFor();
    await page.getByLabel('Your password').fill(member.password);
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByLabel('Name of this passkey').fill('MacBook Touch ID');
    await page.screenshot({ path: `${artifacts}passkey-add-en.png`, fullPage: true });
    await page.getByRole('button', { name: 'Create passkey' }).click();
    await page.getByRole('heading', { name: 'Save your recovery codes' }).waitFor();
    assert.match(await page.getByRole('status').innerText(), /The passkey was added/);
    assert.equal((await authenticator.credentials()).length, 1, 'the virtual authenticator holds the new passkey');
    await page.getByRole('link', { name: /I have saved my codes/ }).click();

    await page.getByRole('heading', { name: 'My account' }).waitFor();
    assert.deepEqual(await passkeyRow().locator('td.label').allInnerTexts(), ['MacBook Touch ID']);
    assert.deepEqual(await passkeyRow().locator('td.type').allInnerTexts(), ['Passkey or security key']);
    assert.equal(await page.locator('#mfa-status').innerText(), 'On');

    // Renaming is confirmed with the passkey itself (the only factor so far).
    await passkeyRow().getByRole('link', { name: 'Rename' }).click();
    await page.getByRole('heading', { name: 'Rename passkey' }).waitFor();
    await page.getByLabel('Name of this passkey').fill('MacBook Pro Touch ID');
    await page.getByRole('button', { name: 'Save name with a passkey' }).click();
    await page.getByRole('status').filter({ hasText: 'The passkey was renamed.' }).waitFor();
    assert.deepEqual(await passkeyRow().locator('td.label').allInnerTexts(), ['MacBook Pro Touch ID']);

    // An authenticator app beside it, confirmed with the passkey too.
    await page.getByRole('link', { name: 'Add an authenticator app' }).click();
    const secret = (await page.locator('#new-secret').innerText()).replace(/\s+/g, '');
    clock.advance(30);
    await page.getByLabel('Name of this authenticator').fill('Phone');
    await page.getByLabel('Code from the new app').fill(codeFor(secret, clock.now()));
    await page.getByRole('button', { name: 'Add authenticator app with a passkey' }).click();
    await page.getByRole('status').filter({ hasText: 'The authenticator app was added' }).waitFor();
    await page.screenshot({ path: `${artifacts}passkey-account-en.png`, fullPage: true });

    // Japanese, through the language switch; the passkey is removed with the app's code.
    await page.getByRole('link', { name: '日本語' }).click();
    await page.getByRole('heading', { name: 'アカウント' }).waitFor();
    assert.deepEqual(await passkeyRow().locator('td.type').allInnerTexts(), ['パスキー / セキュリティキー']);
    await page.screenshot({ path: `${artifacts}passkey-account-ja.png`, fullPage: true });
    await passkeyRow().getByRole('link', { name: '削除' }).click();
    await page.getByRole('heading', { name: 'パスキーの削除' }).waitFor();
    clock.advance(30);
    await page.getByLabel('現在お使いの認証アプリのコード').fill(codeFor(secret, clock.now()));
    await page.screenshot({ path: `${artifacts}passkey-remove-ja.png`, fullPage: true });
    await page.getByRole('button', { name: '削除', exact: true }).click();
    await page.getByRole('status').filter({ hasText: 'パスキーを削除し' }).waitFor();
    assert.equal(await passkeyRow().count(), 0);
    assert.deepEqual(await page.locator('#authenticators td.label').allInnerTexts(), ['Phone']);

    // The Japanese ceremony page, as far as the dialog (confirmed with the app's code).
    await page.getByRole('link', { name: 'パスキーまたはセキュリティキーを追加' }).click();
    clock.advance(30);
    await page.getByLabel('現在お使いの認証アプリのコード').fill(codeFor(secret, clock.now()));
    await page.getByRole('button', { name: '次へ', exact: true }).click();
    await page.getByRole('button', { name: 'パスキーを作成' }).waitFor();
    await page.screenshot({ path: `${artifacts}passkey-add-ja.png`, fullPage: true });

    const rows = await tobira.db('webauthn_credentials').where({ user_id: member.user.id });
    assert.equal(rows.length, 0);
    assert.deepEqual(errors, [], 'no JavaScript errors');
    await context.close();
  });

  it('hides the passkey option in a browser without WebAuthn, and keeps the app option', async () => {
    const context = await browser.newContext({ locale: 'ja-JP' });
    const page = await context.newPage();
    await page.addInitScript(() => {
      // @ts-expect-error: a browser without WebAuthn
      delete window.PublicKeyCredential;
    });
    const errors: string[] = [];
    watchErrors(page, errors);
    const other = await makeUser(tobira, { workspaceSlug: member.workspaceSlug });
    await page.goto(`${tobira.issuer}/account`);
    await page.getByLabel('メールアドレス').fill(other.email);
    await page.getByLabel(/^パスワード$/).fill(other.password);
    await page.getByRole('button', { name: /^サインイン$/ }).click();
    await page.getByRole('heading', { name: 'アカウント' }).waitFor();
    assert.equal(await page.locator('#add-passkey').isHidden(), true);
    assert.equal(await page.getByRole('link', { name: '認証アプリを追加' }).isVisible(), true);
    await page.screenshot({ path: `${artifacts}passkey-absent-ja.png`, fullPage: true });
    assert.deepEqual(errors, [], 'no JavaScript errors');
    await context.close();
  });
});
