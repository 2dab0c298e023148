// Shared steps for the S8/S13/S14/abuse scenario files: an enrolled user, a browser standing at the
// TOTP prompt, a code that is certainly wrong, and the database rows those scenarios inspect.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type * as oidc from 'openid-client';
import type { RunningTobira } from '../../src/boot.ts';
import type { Clock } from '../../src/clock.ts';
import type { ThrottleRow } from '../../src/db/throttles.ts';
import type { AuditRow } from '../../src/db/audit-events.ts';
import { Browser, type Page } from '../../bench/support/browser.ts';
import { authorizationUrl, discover, type AuthStart } from '../../bench/support/rp.ts';
import { enrol, isTotpPage } from './mfa.ts';
import { CALLBACK, makeClient, makeUser, makeWorkspace, type TestUser } from './tobira.ts';
import { codeFor } from '../../bench/support/totp.ts';

/** A documentation-range IPv6 address no other test uses, for X-Forwarded-For (TRUST_PROXY=true). */
export const uniqueAddress = (): string => `2001:db8:${randomBytes(6).toString('hex').match(/.{4}/g)!.join(':')}::1`;

/** A `required` workspace, a user, an RP; the user enrols on the way in. Advances the clock 30 s. */
export async function enrolledUser(tobira: RunningTobira, clock: Clock & { advance: (s: number) => void }, headers: Record<string, string> = {}) {
  const workspace = await makeWorkspace(tobira, 'required');
  const user = await makeUser(tobira, { workspaceSlug: workspace.slug });
  const { clientId, secret } = await makeClient(tobira);
  const config = await discover(tobira.issuer, clientId, secret);
  const browser = new Browser(tobira.issuer, headers);
  const start = await authorizationUrl(config);
  const page = await browser.submit(await browser.open(start.url.href), { email: user.email, password: user.password });
  const enrolled = await enrol(browser, page, { at: clock.now() });
  assert.ok(enrolled.after.url.startsWith(CALLBACK), 'enrolment ends back at the RP');
  clock.advance(30); // the confirming code's time step is used up
  return { workspace, user, clientId, secret, config, totpSecret: enrolled.secret, recoveryCodes: enrolled.recoveryCodes };
}

/** A new browser that has typed the right password and now sees the TOTP prompt. */
export async function atTotpPrompt(
  issuer: string,
  config: oidc.Configuration,
  user: TestUser,
  headers: Record<string, string> = {},
): Promise<{ browser: Browser; start: AuthStart; page: Page }> {
  const browser = new Browser(issuer, headers);
  const start = await authorizationUrl(config);
  const page = await browser.submit(await browser.open(start.url.href), { email: user.email, password: user.password });
  assert.ok(isTotpPage(page), `expected the TOTP prompt, got ${page.status} ${page.url}`);
  return { browser, start, page };
}

/** A well-formed code that no step within two minutes of `at` produces. */
export function wrongCode(secret: string, at: Date): string {
  const near = new Set([-4, -3, -2, -1, 0, 1, 2, 3, 4].map((k) => codeFor(secret, new Date(at.getTime() + k * 30_000))));
  for (let n = 0; ; n++) {
    const candidate = String((n * 111_111 + 13) % 1_000_000).padStart(6, '0');
    if (!near.has(candidate)) return candidate;
  }
}

export async function throttleRow(tobira: RunningTobira, key: string): Promise<ThrottleRow | undefined> {
  return tobira.db<ThrottleRow>('throttles').where({ key }).first();
}

export async function auditRows(tobira: RunningTobira, where: Partial<Pick<AuditRow, 'target_id' | 'action' | 'ip'>>): Promise<AuditRow[]> {
  return tobira.db<AuditRow>('audit_events').where(where).orderBy('id');
}

/** Seconds from `now` until the row's lock ends (negative or NaN when not locked). */
export function lockSecondsLeft(row: ThrottleRow | undefined, now: Date): number {
  return row?.locked_until ? (new Date(row.locked_until).getTime() - now.getTime()) / 1000 : Number.NaN;
}

/** An error page must not leak internals: no stack frames, no source paths. */
export function assertNoInternals(html: string): void {
  assert.doesNotMatch(html, /\bat [\w.<>]+ \(|\.ts:\d|node_modules|Error: /, 'the page shows no stack trace or source path');
}
