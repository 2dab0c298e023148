// Passkeys in Debian's Chromium with its virtual authenticator (test/helpers/virtual-authenticator.ts):
// the member's workspace requires MFA, the member chooses a passkey at the enrolment page, and the
// next sign-ins at the demo app use it — the real navigator.credentials calls of our pages, in
// English and Japanese. A browser without WebAuthn is shown the authenticator app alone.
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { artifacts, startDemoWorld, type DemoWorld } from '../helpers/demo-browser.ts';
import { addVirtualAuthenticator } from '../helpers/virtual-authenticator.ts';

describe('browser: passkeys at sign-in and in the forced enrolment', function () {
  this.timeout(120_000);
  let world: DemoWorld;
  const pageErrors: string[] = [];
  before(async () => {
    world = await startDemoWorld({ localhostIssuer: true });
  });
  after(async () => world?.close());

  /** Reports script errors of our pages (the CSP, the bundle, passkey.js) as test failures. */
  function watchErrors(page: Page): void {
    page.on('pageerror', (err) => pageErrors.push(err.message));
    page.on('console', (message) => {
      // A missing resource is reported below with its address.
      if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) pageErrors.push(message.text());
    });
    page.on('response', (response) => {
      if (response.status() >= 400 && !response.url().endsWith('/favicon.ico')) pageErrors.push(`${response.status()} ${response.url()}`);
    });
  }

  async function signIn(
    page: Page,
    email: string,
    password: string,
    labels: { email: RegExp; password: RegExp; submit: RegExp },
    href = '/login',
    switchLanguage = false,
  ) {
    await page.goto(world.demo.url);
    await page.locator(`a[href="${href}"]`).first().click();
    await page.waitForURL(/\/interaction\//);
    // The language switch in the header sticks for the rest of the sign-in.
    if (switchLanguage) await page.locator('a.lang').click();
    await page.getByLabel(labels.email).fill(email);
    await page.getByLabel(labels.password).fill(password);
    await page.getByRole('button', { name: labels.submit }).click();
  }
  const EN = { email: /E-mail address/, password: /^Password$/, submit: /^Sign in$/ };
  const JA = { email: /メールアドレス/, password: /^パスワード$/, submit: /^サインイン$/ };

  async function claimsAtDemo(page: Page): Promise<{ amr: string[]; acr: string }> {
    await page.waitForURL(new RegExp(`:${world.port}/$`));
    return JSON.parse(await page.locator('#claims').innerText()) as { amr: string[]; acr: string };
  }

  it('the member enrols a passkey where the workspace requires MFA, then signs in with it: amr pwd, hwk, user, mfa', async () => {
    const member = await world.tobira.db('users').where({ email: world.seed.member.email }).first();
    await world.tobira.db('workspaces').where({ id: member.workspace_id }).update({ mfa_policy: 'required', updated_at: new Date() });

    const context = await world.browser.newContext({ locale: 'en-US' });
    const page = await context.newPage();
    watchErrors(page);
    const authenticator = await addVirtualAuthenticator(page);
    await signIn(page, world.seed.member.email, world.seed.member.password, EN);
    await page.getByRole('heading', { name: 'Set up two-step verification' }).waitFor();
    await page.getByRole('heading', { name: 'Passkey or security key' }).waitFor();
    assert.ok(await page.locator('img.qr').isVisible(), 'the authenticator app stays a choice');
    assert.ok(await page.getByText(/with an authenticator app or with a passkey or security key/).isVisible());
    await page.screenshot({ path: `${artifacts}passkey-enrol-choice-en.png`, fullPage: true });

    await page.getByLabel('Name of this passkey or security key').fill('MacBook Touch ID');
    await page.getByRole('button', { name: 'Add a passkey or security key' }).click();
    await page.getByRole('heading', { name: 'Save your recovery codes' }).waitFor();
    assert.equal(await page.locator('#recovery-codes li').count(), 10);
    await page.getByRole('button', { name: /I have saved my codes/ }).click();
    let claims = await claimsAtDemo(page);
    assert.deepEqual(claims.amr, ['pwd', 'hwk', 'user', 'mfa']);
    assert.equal(claims.acr, 'urn:tobira:acr:mfa');
    assert.equal((await authenticator.credentials()).length, 1, 'the passkey lives in the authenticator');
    const [stored] = await world.tobira.db('webauthn_credentials').where({ user_id: member.id });
    assert.equal(stored.label, 'MacBook Touch ID');

    // A fresh sign-in (no Tobira session): password, then the passkey page first.
    await context.clearCookies();
    await signIn(page, world.seed.member.email, world.seed.member.password, EN);
    await page.getByRole('button', { name: 'Use your passkey or security key' }).waitFor();
    assert.ok(await page.getByRole('link', { name: 'Use a recovery code' }).isVisible());
    assert.equal(await page.getByRole('link', { name: 'Use a code from your authenticator app' }).count(), 0, 'no app, no link to its code');
    assert.equal(await page.getByText('This browser cannot use passkeys').isVisible(), false);
    await page.screenshot({ path: `${artifacts}passkey-sign-in-en.png`, fullPage: true });
    await page.getByRole('button', { name: 'Use your passkey or security key' }).click();
    claims = await claimsAtDemo(page);
    assert.deepEqual(claims.amr, ['pwd', 'hwk', 'user', 'mfa']);

    // And in Japanese.
    await context.clearCookies();
    await signIn(page, world.seed.member.email, world.seed.member.password, JA, '/login', true);
    await page.getByRole('heading', { name: '多要素認証' }).waitFor();
    await page.getByRole('button', { name: 'パスキーまたはセキュリティキーを使用' }).waitFor();
    await page.screenshot({ path: `${artifacts}passkey-sign-in-ja.png`, fullPage: true });
    await page.getByRole('button', { name: 'パスキーまたはセキュリティキーを使用' }).click();
    claims = await claimsAtDemo(page);
    assert.deepEqual(claims.amr, ['pwd', 'hwk', 'user', 'mfa']);
    const uses = await world.tobira.db('audit_events').where({ action: 'mfa.passkey', actor_id: member.id, outcome: 'success' });
    assert.equal(uses.length, 2);
    await context.close();

    // A browser without WebAuthn: the page says so, and the recovery code remains.
    const old = await world.browser.newContext({ locale: 'en-US' });
    await old.addInitScript(() => {
      delete (window as { PublicKeyCredential?: unknown }).PublicKeyCredential;
    });
    const oldPage = await old.newPage();
    watchErrors(oldPage);
    await signIn(oldPage, world.seed.member.email, world.seed.member.password, EN);
    await oldPage.getByText('This browser cannot use passkeys or security keys. Choose another way below.').waitFor();
    assert.equal(await oldPage.getByRole('button', { name: 'Use your passkey or security key' }).isVisible(), false);
    assert.ok(await oldPage.getByRole('link', { name: 'Use a recovery code' }).isVisible());
    await oldPage.screenshot({ path: `${artifacts}passkey-sign-in-unsupported-en.png`, fullPage: true });
    await old.close();
    assert.deepEqual(pageErrors, []);
  });

  it('shows the choice in Japanese, and only the authenticator app to a browser without WebAuthn', async () => {
    const ja = await world.browser.newContext({ locale: 'ja-JP' });
    const jaPage = await ja.newPage();
    watchErrors(jaPage);
    await signIn(jaPage, world.seed.admin.email, world.seed.admin.password, JA, '/login?mfa=1');
    await jaPage.getByRole('heading', { name: '多要素認証の設定' }).waitFor();
    await jaPage.getByRole('heading', { name: 'パスキーまたはセキュリティキー' }).waitFor();
    assert.ok(await jaPage.getByRole('button', { name: 'パスキーまたはセキュリティキーを追加' }).isVisible());
    await jaPage.screenshot({ path: `${artifacts}passkey-enrol-choice-ja.png`, fullPage: true });
    await ja.close();

    const old = await world.browser.newContext({ locale: 'en-US' });
    // A browser without WebAuthn (as @simplewebauthn/browser detects it).
    await old.addInitScript(() => {
      delete (window as { PublicKeyCredential?: unknown }).PublicKeyCredential;
    });
    const page = await old.newPage();
    watchErrors(page);
    await signIn(page, world.seed.admin.email, world.seed.admin.password, EN, '/login?mfa=1');
    await page.getByRole('heading', { name: 'Set up two-step verification' }).waitFor();
    assert.ok(await page.locator('img.qr').isVisible());
    assert.equal(await page.getByRole('heading', { name: 'Passkey or security key' }).isVisible(), false, 'no passkey choice');
    assert.equal(await page.getByRole('button', { name: 'Add a passkey or security key' }).isVisible(), false);
    assert.ok(await page.getByText(/you will enter a code from an authenticator app/).isVisible(), "today's lead");
    await old.close();
    assert.deepEqual(pageErrors, []);
  });
});
