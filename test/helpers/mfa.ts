// Steps of the MFA interaction as a person does them: read the key off the enrolment page, type
// the code the app would show, save the recovery codes, continue.
import assert from 'node:assert/strict';
import type { Browser, Page } from '../../bench/support/browser.ts';
import { decodeHtml } from '../../bench/support/browser.ts';
import { codeFor } from '../../bench/support/totp.ts';
import type { RunningTobira } from '../../src/boot.ts';
import type { MfaPolicy } from '../../src/db/workspaces.ts';

export function isEnrolmentPage(page: Page): boolean {
  return page.html.includes('id="secret"') && page.html.includes('/enrol"');
}

export function isTotpPage(page: Page): boolean {
  return page.html.includes('/totp"') && page.html.includes('autocomplete="one-time-code"');
}

export function secretOn(page: Page): string {
  const match = /<code class="secret" id="secret">([^<]+)<\/code>/.exec(page.html);
  assert.ok(match, `no enrolment key on ${page.url}`);
  return decodeHtml(match[1]!).replace(/\s+/g, '');
}

export function recoveryCodesOn(page: Page): string[] {
  return [...page.html.matchAll(/<li><code>([a-z0-9-]+)<\/code><\/li>/g)].map((m) => m[1]!);
}

/** Enrols from the enrolment page; returns the secret, the recovery codes shown, and the page after "continue". */
export async function enrol(browser: Browser, page: Page, options: { label?: string; at?: Date } = {}) {
  assert.ok(isEnrolmentPage(page), `expected the enrolment page, got ${page.status} ${page.url}`);
  const secret = secretOn(page);
  const codesPage = await browser.submit(page, { label: options.label ?? 'Test phone', code: codeFor(secret, options.at) }, '/enrol');
  const recoveryCodes = recoveryCodesOn(codesPage);
  const after = recoveryCodes.length ? await browser.submit(codesPage, {}, '/continue') : codesPage;
  return { secret, recoveryCodes, codesPage, after };
}

export async function setPolicy(tobira: RunningTobira, workspaceId: string, policy: MfaPolicy): Promise<void> {
  await tobira.db('workspaces').where({ id: workspaceId }).update({ mfa_policy: policy, updated_at: new Date() });
}

export async function auditActions(tobira: RunningTobira, userId: string): Promise<string[]> {
  const rows = await tobira.db('audit_events').where({ target_id: userId }).orWhere({ actor_id: userId }).orderBy('id');
  return rows.map((r: { action: string; outcome: string }) => `${r.action}:${r.outcome}`);
}
