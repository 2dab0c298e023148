// The newcomer's path in a real browser (Debian's Chromium, never a downloaded one): the demo app,
// Tobira's sign-in page in English and Japanese, and the claims the demo app receives.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Server } from 'node:http';
import { chromium, type Browser } from 'playwright-core';
import type { RunningTobira } from '../../src/boot.ts';
import { startTobira } from '../helpers/tobira.ts';
import { seedDemo, DEMO_CLIENT_ID, type DemoSeed } from '../../src/demo/seed.ts';
import { startDemoRp } from '../../src/demo/relying-party.ts';
import { findClient } from '../../src/db/clients.ts';
import { openClientSecret } from '../../src/oidc/clients.ts';

const artifacts = fileURLToPath(new URL('../artifacts/', import.meta.url));
const DEMO_PORT = 38431;

describe('browser: the demo sign-in', function () {
  this.timeout(120_000);
  let tobira: RunningTobira;
  let demo: { server: Server; url: string };
  let browser: Browser;
  let seed: DemoSeed;

  before(async () => {
    mkdirSync(artifacts, { recursive: true });
    tobira = await startTobira({}, { embedded: true });
    const base = `http://localhost:${DEMO_PORT}`;
    seed = (await seedDemo(tobira.db, tobira.keys.dataKey, `${base}/callback`, `${base}/`))!;
    const client = (await findClient(tobira.db, DEMO_CLIENT_ID))!;
    demo = await startDemoRp({
      issuer: tobira.issuer,
      clientId: DEMO_CLIENT_ID,
      clientSecret: openClientSecret(tobira.keys.dataKey, client)!,
      port: DEMO_PORT,
      host: '127.0.0.1',
    });
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
  });

  after(async () => {
    await browser?.close();
    demo?.server.close();
    await tobira?.close();
  });

  it('signs the demo member in and shows amr ["pwd"], in English', async () => {
    const context = await browser.newContext({ locale: 'en-US' });
    const page = await context.newPage();
    await page.goto(demo.url);
    await page.screenshot({ path: `${artifacts}demo-home.png`, fullPage: true });
    await page.getByRole('link', { name: 'Sign in with Tobira' }).click();
    await page.waitForURL(/\/interaction\//);
    assert.equal(await page.getByLabel('E-mail address').getAttribute('type'), 'email');
    await page.screenshot({ path: `${artifacts}sign-in-en.png`, fullPage: true });

    await page.getByLabel('E-mail address').fill(seed.member.email);
    await page.getByLabel('Password').fill('wrong password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    assert.match(await page.getByRole('alert').innerText(), /e-mail address or password is incorrect/);
    await page.screenshot({ path: `${artifacts}sign-in-failed-en.png`, fullPage: true });

    await page.getByLabel('Password').fill(seed.member.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(new RegExp(`:${DEMO_PORT}/$`));
    const claims = JSON.parse(await page.locator('#claims').innerText()) as Record<string, unknown>;
    assert.deepEqual(claims.amr, ['pwd']);
    assert.equal(claims.email, seed.member.email);
    await page.screenshot({ path: `${artifacts}demo-signed-in.png`, fullPage: true });
    await context.close();
  });

  it('shows the sign-in page in Japanese from the browser language, and switches back to English', async () => {
    const context = await browser.newContext({ locale: 'ja-JP' });
    const page = await context.newPage();
    await page.goto(`http://localhost:${DEMO_PORT}/login`);
    await page.waitForURL(/\/interaction\//);
    assert.equal(await page.locator('html').getAttribute('lang'), 'ja');
    assert.ok(await page.getByLabel('メールアドレス').isVisible());
    await page.screenshot({ path: `${artifacts}sign-in-ja.png`, fullPage: true });
    await page.getByRole('link', { name: 'English' }).click();
    await page.waitForURL(/\/interaction\//);
    assert.equal(await page.locator('html').getAttribute('lang'), 'en');
    assert.ok(await page.getByLabel('E-mail address').isVisible());
    await context.close();
  });

  it('shows a clear error page, not a stack trace, for a bad redirect URI', async () => {
    const context = await browser.newContext({ locale: 'ja-JP' });
    const page = await context.newPage();
    const response = await page.goto(`${tobira.issuer}/auth?client_id=${DEMO_CLIENT_ID}&response_type=code&scope=openid&redirect_uri=https://evil.example.test/`);
    assert.equal(response?.status(), 400);
    assert.match(await page.getByRole('alert').innerText(), /登録されていない戻り先/);
    await page.screenshot({ path: `${artifacts}error-ja.png`, fullPage: true });
    await context.close();
  });
});
