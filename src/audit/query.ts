// Reading a workspace's audit log: the admin page, its exports and `tobira audit export` share
// these filters. Every query is scoped to one workspace id that the caller takes from the
// signed-in admin (or the operator's --workspace), never from the filter input.
import type { Db } from '../db/connection.ts';
import { distinctAuditActions, findAuditEvents, type AuditFilter, type AuditRow } from '../db/audit-events.ts';
import { findUserByEmail, findUserById } from '../db/users.ts';
import { canonicalEmail } from '../identity/email.ts';
import { auditRecord, type AuditRecord } from './export.ts';
import { startOfDay } from '../i18n/time.ts';
import { en as auditMessages } from '../i18n/areas/audit.ts';

/** Raw filter input as it arrives from a query string or the command line. */
export type AuditFilterInput = { user?: string; action?: string; from?: string; to?: string };

export class InvalidAuditFilter extends Error {}

export const PAGE_SIZE = 50;

// The actions the filter offers: every action Tobira records has a name in the audit catalogue
// (test/unit/audit-describe.test.ts holds that), so that list is this one; the filter also offers
// any other action found in the log (written by an older version).
const ACTION_KEY = 'audit.action.';
export const KNOWN_ACTIONS: readonly string[] = Object.keys(auditMessages)
  .filter((key) => key.startsWith(ACTION_KEY))
  .map((key) => key.slice(ACTION_KEY.length));

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;

/**
 * A date (YYYY-MM-DD, a day in `timeZone`, the zone the page shows times in; UTC for the command
 * line) or an ISO 8601 time with a zone. `endOfDay` turns a day into the start of the next one, so
 * "to 2025-05-01" includes that day.
 */
export function parseAuditDate(value: string, endOfDay = false, timeZone = 'UTC'): Date {
  const text = value.trim();
  let date: Date;
  if (DAY.test(text)) {
    date = new Date(`${text}T00:00:00Z`);
    if (!Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) !== text)
      date = new Date(NaN); // 2025-02-30
    else if (!Number.isNaN(date.getTime())) {
      // The next day's start rather than +24 h: a day with a daylight saving change is 23 or 25 h.
      const day = endOfDay ? new Date(date.getTime() + 86_400_000) : date;
      date = startOfDay(day.getUTCFullYear(), day.getUTCMonth() + 1, day.getUTCDate(), timeZone);
    }
  } else if (ISO.test(text)) {
    date = new Date(text);
  } else {
    date = new Date(NaN);
  }
  if (Number.isNaN(date.getTime())) {
    throw new InvalidAuditFilter(`"${value}" is not a date: use YYYY-MM-DD or an ISO 8601 time such as 2025-05-01T09:00:00Z`);
  }
  return date;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Turns the input into a query filter for `workspaceId`; a user of another workspace matches nothing. */
export async function resolveAuditFilter(db: Db, workspaceId: string, input: AuditFilterInput, timeZone = 'UTC'): Promise<AuditFilter> {
  const filter: AuditFilter = { workspaceId };
  const who = input.user?.trim();
  if (who) {
    // Labels are canonical e-mails, so the typed one is made canonical too (text that has no
    // canonical form names no user, but may still match an older label).
    const canonical = UUID.test(who) ? undefined : canonicalEmail(who);
    const email = canonical?.ok ? canonical.email : who;
    const user = UUID.test(who) ? await findUserById(db, who) : canonical?.ok ? await findUserByEmail(db, canonical.email) : undefined;
    const ours = user && user.workspace_id === workspaceId ? user : undefined;
    filter.user = UUID.test(who) ? { id: who } : { email, ...(ours ? { id: ours.id } : {}) };
  }
  if (input.action?.trim()) filter.action = input.action.trim();
  if (input.from?.trim()) filter.from = parseAuditDate(input.from, false, timeZone);
  if (input.to?.trim()) filter.before = parseAuditDate(input.to, true, timeZone);
  return filter;
}

export async function auditPage(db: Db, filter: AuditFilter, page: number): Promise<{ rows: AuditRow[]; hasMore: boolean }> {
  const rows = await findAuditEvents(db, filter, { limit: PAGE_SIZE + 1, offset: (page - 1) * PAGE_SIZE });
  return { rows: rows.slice(0, PAGE_SIZE), hasMore: rows.length > PAGE_SIZE };
}

/** Every matching event, newest first, fetched in batches so a long log never sits in one query. */
export async function* allAuditEvents(db: Db, filter: AuditFilter, batch = 1000): AsyncGenerator<AuditRow[]> {
  let belowId: string | undefined;
  for (;;) {
    const rows = await findAuditEvents(db, filter, { limit: batch, ...(belowId ? { belowId } : {}) });
    if (rows.length) yield rows;
    if (rows.length < batch) return;
    belowId = rows[rows.length - 1]!.id;
  }
}

/**
 * E-mail addresses of the users among `rows` (actors and targets) who belong to `workspaceId`;
 * others stay ids. A failed password sign-in, for one, records the user's id but no label.
 */
export async function userEmails(db: Db, workspaceId: string, rows: AuditRow[]): Promise<Map<string, string>> {
  const ids = new Set<string>();
  for (const row of rows) {
    if (row.actor_type === 'user' && row.actor_id && UUID.test(row.actor_id)) ids.add(row.actor_id);
    if (row.target_type === 'user' && row.target_id && UUID.test(row.target_id)) ids.add(row.target_id);
  }
  if (!ids.size) return new Map();
  const users = await db('users')
    .where({ workspace_id: workspaceId })
    .whereIn('id', [...ids])
    .select('id', 'email');
  return new Map(users.map((u: { id: string; email: string }) => [u.id, u.email]));
}

export async function actionChoices(db: Db, workspaceId: string): Promise<string[]> {
  return [...new Set([...KNOWN_ACTIONS, ...(await distinctAuditActions(db, workspaceId))])].sort();
}

/** The export's records for one workspace, in batches, newest first. */
export async function* exportRecords(db: Db, workspace: { id: string; slug: string }, filter: AuditFilter): AsyncGenerator<AuditRecord[]> {
  for await (const rows of allAuditEvents(db, { ...filter, workspaceId: workspace.id })) {
    const emails = await userEmails(db, workspace.id, rows);
    yield rows.map((row) => auditRecord(row, workspace.slug, emails));
  }
}
