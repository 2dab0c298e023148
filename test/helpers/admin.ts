// Steps of the admin-console scenarios: an admin signed in to /admin, the forms of a user's page
// posted with the page's CSRF token, and the audit rows those scenarios check.
import assert from 'node:assert/strict';
import type { RunningTobira } from '../../src/boot.ts';
import type { AuditRow } from '../../src/db/audit-events.ts';
import type { Role } from '../../src/db/users.ts';
import { consoleSignIn, csrfOn, type ConsoleLogin } from './console.ts';
import type { Page } from '../../bench/support/browser.ts';
import { makeUser, type TestUser } from './tobira.ts';
import type { TestClock } from './scenario-a.ts';

export type AdminSession = ConsoleLogin & { user: TestUser };

/** A new admin of `workspaceSlug`, enrolled and signed in to /admin/users. Advances the clock 30 s. */
export async function signedInAdmin(tobira: RunningTobira, clock: TestClock, workspaceSlug: string, role: Role = 'workspace_admin'): Promise<AdminSession> {
  const user = await makeUser(tobira, { workspaceSlug, role, name: `Admin ${role}` });
  const login = await consoleSignIn(tobira, user, '/admin/users', { at: clock.now() });
  clock.advance(30);
  assert.equal(login.page.status, 200, `signed in to the admin console: ${login.page.url}`);
  return { ...login, user };
}

/** Posts a user-page form (`reset-mfa`, `role`, …) with the CSRF token of the user's page. */
export async function postUserAction(admin: AdminSession, userId: string, action: string, fields: Record<string, string> = {}): Promise<Page> {
  const page = await admin.browser.open(`/admin/users/${userId}`);
  const csrf = page.status === 200 ? csrfOn(page) : csrfOn(await admin.browser.open('/admin/users'));
  return admin.browser.request(`/admin/users/${userId}/${action}`, { method: 'POST', body: new URLSearchParams({ csrf, ...fields }) });
}

/** Posts a form as-is (for CSRF tests): no token is added. */
export async function postRaw(admin: AdminSession, path: string, fields: Record<string, string>): Promise<Page> {
  return admin.browser.request(path, { method: 'POST', body: new URLSearchParams(fields) });
}

export async function adminCsrf(admin: AdminSession): Promise<string> {
  return csrfOn(await admin.browser.open('/admin/users'));
}

export type ParsedAudit = Omit<AuditRow, 'details'> & { details: Record<string, unknown> };

export async function auditWhere(
  tobira: RunningTobira,
  where: Partial<Pick<AuditRow, 'action' | 'target_id' | 'actor_id' | 'outcome'>>,
): Promise<ParsedAudit[]> {
  const rows = await tobira.db<AuditRow>('audit_events').where(where).orderBy('id');
  return rows.map((r) => ({ ...r, details: (typeof r.details === 'string' ? JSON.parse(r.details) : r.details) as Record<string, unknown> }));
}

export function assertRedirect(page: Page, location: RegExp): void {
  assert.equal(page.status, 303, `expected a 303, got ${page.status}: ${page.html.slice(0, 300)}`);
  assert.match(page.headers.get('location') ?? '', location);
}
