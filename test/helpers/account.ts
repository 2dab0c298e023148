// Steps at /account as a person does them: open a change's page, fill in the form with a fresh
// code from an app (or the password), read what the page says back.
import assert from 'node:assert/strict';
import type { RunningTobira } from '../../src/boot.ts';
import { type Browser, decodeHtml, type Page } from '../../bench/support/browser.ts';
import { consoleSignIn } from './console.ts';
import { codeFor } from '../../bench/support/totp.ts';
import type { TestClock } from './scenario-a.ts';
import type { TestUser } from './tobira.ts';

export type AuthenticatorView = { id: string; label: string };

/** Signs in to /account (password, then a code from `totpSecret` when the user has one). */
export async function openAccount(tobira: RunningTobira, clock: TestClock, user: TestUser, totpSecret?: string, browser?: Browser) {
  clock.advance(30);
  const { page, browser: b } = await consoleSignIn(tobira, user, '/account', { totpSecret, at: clock.now(), browser });
  assert.equal(new URL(page.url).pathname, '/account', `expected /account, got ${page.status} ${page.url}`);
  assert.equal(page.status, 200);
  return { browser: b, page };
}

/** The authenticators listed on the account page, in order. */
export function authenticatorsOn(page: Page): AuthenticatorView[] {
  return [...page.html.matchAll(/<tr data-id="([^"]+)">\s*<td class="label">([^<]*)<\/td>/g)].map((m) => ({ id: m[1]!, label: decodeHtml(m[2]!) }));
}

export function codesLeftOn(page: Page): number | undefined {
  const m = /id="codes-left" data-count="(\d+)"/.exec(page.html);
  return m ? Number(m[1]) : undefined;
}

/** The page's message: a success (role=status) or an error (role=alert). */
export function messageOn(page: Page): string | undefined {
  const m = /role="(?:alert|status)"[^>]*>([\s\S]*?)</.exec(page.html);
  return m ? decodeHtml(m[1]!.trim()) : undefined;
}

/** The key on the "add an authenticator" page, as a person would type it into the new app. */
export function newSecretOn(page: Page): string {
  const m = /<code class="secret" id="new-secret">([^<]+)<\/code>/.exec(page.html);
  assert.ok(m, `no new key on ${page.url}`);
  return decodeHtml(m[1]!).replace(/\s+/g, '');
}

/** The next code of an app: moves the clock one step first (each time step is single-use). */
export function freshCode(clock: TestClock, secret: string): string {
  clock.advance(30);
  return codeFor(secret, clock.now());
}

/** Opens `path` under the issuer and submits its form with `fields`. */
export async function change(browser: Browser, issuer: string, path: string, fields: Record<string, string>, actionPart?: string): Promise<Page> {
  const form = await browser.open(`${issuer}${path}`);
  assert.equal(form.status, 200, `GET ${path}: ${form.status}`);
  return browser.submit(form, fields, actionPart ?? path);
}

/** Posts straight to an /account action, e.g. with a wrong or missing CSRF token. */
export async function post(browser: Browser, issuer: string, path: string, fields: Record<string, string>): Promise<Page> {
  return browser.request(`${issuer}${path}`, { method: 'POST', body: new URLSearchParams(fields) });
}

/** Adds an authenticator at /account; returns its secret and the page after. */
export async function addAuthenticator(
  browser: Browser,
  issuer: string,
  clock: TestClock,
  options: { label: string; oldSecret?: string; password?: string; code?: string },
) {
  const addPage = await browser.open(`${issuer}/account/authenticators/new`);
  assert.equal(addPage.status, 200);
  const secret = newSecretOn(addPage);
  clock.advance(30);
  const fields: Record<string, string> = { label: options.label, new_code: codeFor(secret, clock.now()) };
  if (options.oldSecret) fields.code = codeFor(options.oldSecret, clock.now());
  if (options.code !== undefined) fields.code = options.code;
  if (options.password) fields.password = options.password;
  const after = await browser.submit(addPage, fields, '/account/authenticators');
  return { secret, after, addPage };
}
