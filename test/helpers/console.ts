// Signing in to Tobira's own consoles (/admin, /account) the way a person does: the console
// redirects to the provider, the person types the password, then a code (or enrols), and lands back
// on the console page.
import assert from 'node:assert/strict';
import type { RunningTobira } from '../../src/boot.ts';
import { Browser, type Page } from '../../bench/support/browser.ts';
import { enrol, isEnrolmentPage, isTotpPage } from './mfa.ts';
import { codeFor } from '../../bench/support/totp.ts';
import type { TestUser } from './tobira.ts';

export type ConsoleLogin = { browser: Browser; page: Page; totpSecret?: string; recoveryCodes?: string[] };

/**
 * Opens `path` (e.g. /admin/users) and signs in as `user`. An admin without an authenticator is
 * enrolled on the way (rule 5); pass `totpSecret` for one who has one, and `at` for the code's time.
 */
export async function consoleSignIn(
  tobira: RunningTobira,
  user: TestUser,
  path: string,
  options: { totpSecret?: string; at?: Date; browser?: Browser } = {},
): Promise<ConsoleLogin> {
  const browser = options.browser ?? new Browser(tobira.issuer);
  let page = await browser.open(`${tobira.issuer}${path}`);
  if (page.html.includes('name="password"')) page = await browser.submit(page, { email: user.email, password: user.password }, '/login');
  // A user with a passkey is offered it first; with an app's secret in hand, take the code instead.
  if (options.totpSecret && page.html.includes('data-passkey="authenticate"')) {
    const link = /href="([^"]*\?use=totp)"/.exec(page.html);
    if (link) page = await browser.open(new URL(link[1]!.replace(/&amp;/g, '&'), page.url).href);
  }
  let totpSecret = options.totpSecret;
  let recoveryCodes: string[] | undefined;
  if (isEnrolmentPage(page)) {
    const enrolled = await enrol(browser, page, { at: options.at });
    totpSecret = enrolled.secret;
    recoveryCodes = enrolled.recoveryCodes;
    page = enrolled.after;
  } else if (isTotpPage(page)) {
    assert.ok(totpSecret, 'this user has an authenticator: pass totpSecret');
    page = await browser.submit(page, { code: codeFor(totpSecret, options.at) }, '/totp');
  }
  return { browser, page, totpSecret, recoveryCodes };
}

/** The CSRF token of the first console form on a page. */
export function csrfOn(page: Page): string {
  const match = /name="csrf" value="([^"]+)"/.exec(page.html);
  assert.ok(match, `no CSRF token on ${page.url}`);
  return match[1]!;
}
