// Every page family at the width of a phone (390 px) and of a laptop (1280 px), in English and
// Japanese: sign-in (password, code, recovery code, enrolment with its QR code, recovery codes),
// /account (home, add an authenticator, a change behind a fresh code) and the admin console (users,
// a user's page, a new user, workspace settings, audit log). At 390 px what a person would notice
// is measured: the page never scrolls sideways, no button wraps its label into a column of single
// characters, and the card keeps a margin from the screen's edges. Screenshots: test/artifacts/.
import assert from 'node:assert/strict';
import type { BrowserContext, Page } from 'playwright-core';
import { codeFor } from '../../bench/support/totp.ts';
import { artifacts, startDemoWorld, type DemoWorld } from '../helpers/demo-browser.ts';
import { makeUser, makeWorkspace, type TestUser } from '../helpers/tobira.ts';

const PHONE = { width: 390, height: 844 };
const LAPTOP = { width: 1280, height: 900 };

type Layout = { scrollWidth: number; innerWidth: number; card: { left: number; right: number } | null; tallButtons: string[] };

/**
 * Measured in the page: overflow, the card's margins, and buttons taller than two lines of their
 * text. Plain text, not a function: tsx would wrap a function's inner helpers in `__name`, which
 * does not exist in the page.
 */
const MEASURE = `(() => {
  const px = (value) => Number.parseFloat(value) || 0;
  const tallButtons = [];
  for (const el of document.querySelectorAll('button, a.button, input[type=submit]')) {
    const rect = el.getBoundingClientRect();
    if (rect.width === 0 && rect.height === 0) continue; // hidden (the copy button without script)
    const style = getComputedStyle(el);
    const line = style.lineHeight === 'normal' ? px(style.fontSize) * 1.5 : px(style.lineHeight); // 'normal' is taller for CJK fonts
    const chrome = px(style.paddingTop) + px(style.paddingBottom) + px(style.borderTopWidth) + px(style.borderBottomWidth);
    if (rect.height > 2 * line + chrome + 2) tallButtons.push(el.textContent.trim() + ' (' + Math.round(rect.width) + '×' + Math.round(rect.height) + ' px)');
  }
  const card = document.querySelector('main.card')?.getBoundingClientRect();
  return {
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: window.innerWidth,
    card: card ? { left: card.left, right: window.innerWidth - card.right } : null,
    tallButtons,
  };
})()`;

const measure = (page: Page): Promise<Layout> => page.evaluate(MEASURE) as Promise<Layout>;

describe('browser: every page family holds at 390 px', function () {
  this.timeout(120_000);
  let world: DemoWorld;
  let slug: string;
  const checked: string[] = [];
  // Every page is measured and photographed before the test says what was wrong, all at once.
  let problems: string[] = [];
  beforeEach(() => {
    problems = [];
  });
  before(async () => {
    world = await startDemoWorld();
    // `required`, so a member's first sign-in to /account goes through enrolment.
    slug = (await makeWorkspace(world.tobira, 'required')).slug;
  });
  after(async () => world?.close());

  /** Measures the page at 390 px and takes its screenshots at 390 and 1280 px. */
  async function check(page: Page, name: string): Promise<void> {
    await page.setViewportSize(PHONE);
    const layout = await measure(page);
    await page.screenshot({ path: `${artifacts}narrow-${name}.png`, fullPage: true });
    if (layout.scrollWidth > layout.innerWidth) problems.push(`${name}: the page is ${layout.scrollWidth} px wide on a ${layout.innerWidth} px screen`);
    for (const button of layout.tallButtons) problems.push(`${name}: button wraps beyond two lines: ${button}`);
    if (!layout.card) problems.push(`${name}: no card`);
    else if (layout.card.left < 8 || layout.card.right < 8)
      problems.push(`${name}: the card touches the edges (${layout.card.left} / ${layout.card.right} px)`);
    await page.setViewportSize(LAPTOP);
    await page.screenshot({ path: `${artifacts}wide-${name}.png`, fullPage: true });
    await page.setViewportSize(PHONE);
    checked.push(name);
  }

  async function newPage(locale: string): Promise<{ context: BrowserContext; page: Page }> {
    const context = await world.browser.newContext({ locale, viewport: PHONE });
    return { context, page: await context.newPage() };
  }

  async function typePassword(page: Page, user: TestUser): Promise<void> {
    await page.locator('#email').fill(user.email);
    await page.locator('#password').fill(user.password);
    await page.locator('form button[type=submit]').click();
  }

  /** On the enrolment page: reads the key, confirms a code, and returns the key and the recovery codes. */
  async function enrol(page: Page, lang: string, who: string): Promise<{ secret: string; codes: string[] }> {
    await page.locator('img.qr').waitFor();
    await check(page, `enrol-${who}-${lang}`);
    const secret = (await page.locator('#secret').innerText()).replace(/\s+/g, '');
    await page.locator('#label').fill('Pixel 9');
    await page.locator('#code').fill(codeFor(secret, world.clock.now()));
    world.clock.advance(30);
    // The app's form (the page also offers a passkey, in a form of its own).
    await page.locator('#code').press('Enter');
    await page.locator('#recovery-codes').waitFor();
    await check(page, `recovery-codes-${who}-${lang}`);
    const codes = await page.locator('#recovery-codes code').allInnerTexts();
    await page.locator('form button[type=submit]').click();
    return { secret, codes };
  }

  for (const lang of ['en', 'ja'] as const) {
    const locale = lang === 'en' ? 'en-US' : 'ja-JP';

    it(`sign-in and /account in ${lang === 'en' ? 'English' : 'Japanese'}`, async () => {
      const member = await makeUser(world.tobira, { workspaceSlug: slug, name: lang === 'en' ? 'Mina Member' : '山田 花子' });
      const first = await newPage(locale);
      await first.page.goto(`${world.tobira.issuer}/account`);
      await first.page.locator('#password').waitFor();
      await check(first.page, `sign-in-${lang}`);
      await typePassword(first.page, member);
      const { codes } = await enrol(first.page, lang, 'member');
      await first.page.locator('#authenticators').waitFor();
      await check(first.page, `account-${lang}`);
      const id = await first.page.locator('#authenticators tbody tr').first().getAttribute('data-id');

      await first.page.goto(`${world.tobira.issuer}/account/authenticators/new`);
      await first.page.locator('#new-secret').waitFor();
      await check(first.page, `account-add-${lang}`);
      await first.page.goto(`${world.tobira.issuer}/account/authenticators/${id}/rename`);
      await first.page.locator('#code').waitFor();
      await check(first.page, `account-fresh-code-${lang}`);
      await first.context.close();

      // Another browser: the password, then the code prompt, then a recovery code instead.
      const second = await newPage(locale);
      await second.page.goto(`${world.tobira.issuer}/account`);
      await typePassword(second.page, member);
      await second.page.locator('#code[inputmode=numeric]').waitFor();
      await check(second.page, `totp-${lang}`);
      await second.page.locator('a[href$="?use=recovery"]').click();
      await second.page.locator('#code:not([inputmode])').waitFor();
      await check(second.page, `recovery-${lang}`);
      await second.page.locator('#code').fill(codes[0]!);
      await second.page.locator('form button[type=submit]').click();
      await second.page.waitForURL(/\/interaction\//);
      await second.page.locator('a.button').first().waitFor();
      await check(second.page, `recovered-${lang}`);
      await second.context.close();
      assert.deepEqual(problems, [], 'what a person would notice at 390 px');
    });

    it(`the admin console in ${lang === 'en' ? 'English' : 'Japanese'}`, async () => {
      const admin = await makeUser(world.tobira, { workspaceSlug: slug, role: 'workspace_admin', name: lang === 'en' ? 'Ada Admin' : '管理 太郎' });
      const member = await makeUser(world.tobira, { workspaceSlug: slug, name: '' });
      const { context, page } = await newPage(locale);
      await page.goto(`${world.tobira.issuer}/admin`);
      await typePassword(page, admin);
      await enrol(page, lang, 'admin');
      await page.locator('#users').waitFor();
      await check(page, `admin-users-${lang}`);
      await page.goto(`${world.tobira.issuer}/admin/users/${member.user.id}`);
      await check(page, `admin-user-${lang}`);
      await page.goto(`${world.tobira.issuer}/admin/users/${admin.user.id}`);
      await check(page, `admin-user-self-${lang}`);
      await page.goto(`${world.tobira.issuer}/admin/users/new`);
      await check(page, `admin-new-user-${lang}`);
      await page.goto(`${world.tobira.issuer}/admin/workspace`);
      await check(page, `admin-workspace-${lang}`);
      await page.goto(`${world.tobira.issuer}/admin/audit`);
      await page.locator('table').first().waitFor();
      await check(page, `admin-audit-${lang}`);
      await context.close();
      assert.deepEqual(problems, [], 'what a person would notice at 390 px');
    });
  }

  it('checked every page family', () => {
    assert.equal(checked.length, 2 * (9 + 8), checked.join(', '));
  });
});
