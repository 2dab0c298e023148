// The newcomer's path in a real browser: the demo app, Tobira's sign-in page in English and
// Japanese, and the claims the demo app receives.
import assert from 'node:assert/strict';
import { DEMO_CLIENT_ID } from '../../src/demo/seed.ts';
import { artifacts, startDemoWorld, type DemoWorld } from '../helpers/demo-browser.ts';

describe('browser: the demo sign-in', function () {
  this.timeout(120_000);
  let world: DemoWorld;
  before(async () => {
    world = await startDemoWorld();
  });
  after(async () => world?.close());

  it('signs the demo member in and shows amr ["pwd"], in English', async () => {
    const context = await world.browser.newContext({ locale: 'en-US' });
    const page = await context.newPage();
    await page.goto(world.demo.url);
    await page.screenshot({ path: `${artifacts}demo-home.png`, fullPage: true });
    await page.getByRole('link', { name: 'Sign in with Tobira' }).click();
    await page.waitForURL(/\/interaction\//);
    assert.equal(await page.getByLabel('E-mail address').getAttribute('type'), 'email');
    await page.screenshot({ path: `${artifacts}sign-in-en.png`, fullPage: true });

    await page.getByLabel('E-mail address').fill(world.seed.member.email);
    await page.getByLabel('Password').fill('wrong password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    assert.match(await page.getByRole('alert').innerText(), /e-mail address or password is incorrect/);
    await page.screenshot({ path: `${artifacts}sign-in-failed-en.png`, fullPage: true });

    await page.getByLabel('Password').fill(world.seed.member.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(new RegExp(`:${world.port}/$`));
    const claims = JSON.parse(await page.locator('#claims').innerText()) as Record<string, unknown>;
    assert.deepEqual(claims.amr, ['pwd']);
    assert.equal(claims.email, world.seed.member.email);
    await page.screenshot({ path: `${artifacts}demo-signed-in.png`, fullPage: true });
    await context.close();
  });

  it('shows the sign-in page in Japanese from the browser language, and switches back to English', async () => {
    const context = await world.browser.newContext({ locale: 'ja-JP' });
    const page = await context.newPage();
    await page.goto(`${world.demo.url}login`);
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
    const context = await world.browser.newContext({ locale: 'ja-JP' });
    const page = await context.newPage();
    const response = await page.goto(
      `${world.tobira.issuer}/auth?client_id=${DEMO_CLIENT_ID}&response_type=code&scope=openid&redirect_uri=https://evil.example.test/`,
    );
    assert.equal(response?.status(), 400);
    assert.match(await page.getByRole('alert').innerText(), /登録されていない戻り先/);
    await page.screenshot({ path: `${artifacts}error-ja.png`, fullPage: true });
    await context.close();
  });
});
