// Shared steps of the sign-in scenarios S1, S2, S4, S5(a), S9 and S10: enrol a user through a real
// sign-in, go through the password form, type the next TOTP code, read the audit trail.
import assert from 'node:assert/strict';
import type * as oidc from 'openid-client';
import type { RunningTobira } from '../../src/boot.ts';
import type { Clock } from '../../src/clock.ts';
import { ACR_MFA } from '../../src/mfa/assurance.ts';
import { Browser, decodeHtml, type Page } from '../../bench/support/browser.ts';
import { authorizationUrl, exchange, type AuthStart } from '../../bench/support/rp.ts';
import { enrol } from './mfa.ts';
import { codeFor } from '../../bench/support/totp.ts';
import { CALLBACK, type TestUser } from './tobira.ts';

export type TestClock = Clock & { advance: (seconds: number) => void };

/**
 * The code the user's app shows in the next 30-second step. Every accepted code uses up its time
 * step, so each TOTP entry in a scenario first moves Tobira's clock on.
 */
export function nextCode(clock: TestClock, secret: string): string {
  clock.advance(30);
  return codeFor(secret, clock.now());
}

export function isPasswordForm(page: Page): boolean {
  return page.url.includes('/interaction/') && page.html.includes('name="password"');
}

/** Opens an authorization request and, if the password form appears, fills it in. */
export async function startSignIn(
  config: oidc.Configuration,
  browser: Browser,
  user: { email: string; password: string },
  params: Record<string, string> = {},
): Promise<{ start: AuthStart; page: Page; askedForPassword: boolean }> {
  const start = await authorizationUrl(config, params);
  let page = await browser.open(start.url.href);
  const askedForPassword = isPasswordForm(page);
  if (askedForPassword) page = await browser.submit(page, { email: user.email, password: user.password });
  return { start, page, askedForPassword };
}

/** The RP's side of a finished sign-in: the redirect must carry a code, which is exchanged. */
export async function tokensAt(config: oidc.Configuration, start: AuthStart, page: Page) {
  assert.ok(page.url.startsWith(CALLBACK), `expected to be back at the RP, got ${page.status} ${page.url}`);
  const tokens = await exchange(config, start, page.url);
  return { tokens, claims: tokens.claims()! };
}

/** Enrols an existing user through a sign-in that asks for the MFA level; returns the secret and codes. */
export async function enrolThroughSignIn(config: oidc.Configuration, clock: TestClock, user: TestUser, label = 'Old phone') {
  const browser = new Browser(new URL(config.serverMetadata().issuer).origin);
  const { start, page } = await startSignIn(config, browser, user, { acr_values: ACR_MFA });
  const enrolled = await enrol(browser, page, { label, at: clock.now() });
  const { claims } = await tokensAt(config, start, enrolled.after);
  assert.equal(claims.acr, ACR_MFA);
  return { browser, secret: enrolled.secret, recoveryCodes: enrolled.recoveryCodes, claims };
}

/** The href of the first link on the page whose URL contains `part`. */
export function linkOn(page: Page, part: string): string {
  const href = [...page.html.matchAll(/href="([^"]*)"/g)].map((m) => decodeHtml(m[1]!)).find((h) => h.includes(part));
  assert.ok(href, `no link containing ${part} on ${page.url}`);
  return new URL(href, page.url).href;
}

export type AuditEntry = { action: string; outcome: string; details: Record<string, unknown> };

/** The audit events about a user (as actor or target), oldest first, with details parsed. */
export async function auditOf(tobira: RunningTobira, userId: string, action?: string): Promise<AuditEntry[]> {
  const rows = await tobira.db('audit_events').where({ target_id: userId }).orWhere({ actor_id: userId }).orderBy('id');
  return rows
    .map((r: { action: string; outcome: string; details: unknown }) => ({
      action: r.action,
      outcome: r.outcome,
      details: (typeof r.details === 'string' ? JSON.parse(r.details) : r.details) as Record<string, unknown>,
    }))
    .filter((r) => !action || r.action === action);
}
