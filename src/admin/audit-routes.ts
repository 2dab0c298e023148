// The audit log page and its CSV / JSON exports, for user admins and workspace admins alike.
// Every query is scoped to the signed-in admin's workspace (from the console session, never from
// the request), so no filter value can reach another workspace's events.
import { Readable } from 'node:stream';
import Router from '@koa/router';
import type { Context } from 'koa';
import type { AdminDeps } from './spec.ts';
import { adminNav } from './nav.ts';
import { consoleState } from '../console/session.ts';
import { renderConsolePage } from '../console/render.ts';
import { HttpError } from '../http/errors.ts';
import { pickLang, translator, type Translate } from '../i18n/index.ts';
import type { MessageKey } from '../i18n/en.ts';
import { recordAudit, requestOrigin } from '../audit/record.ts';
import { actionChoices, auditPage, exportRecords, InvalidAuditFilter, resolveAuditFilter, userEmails, type AuditFilterInput } from '../audit/query.ts';
import { formatExport, type ExportFormat } from '../audit/export.ts';
import type { AuditFilter, AuditRow } from '../db/audit-events.ts';
import type { WorkspaceRow } from '../db/workspaces.ts';
import { actionLabel, describeDetails } from '../audit/describe.ts';
import { shownTime } from '../i18n/time.ts';

const one = (value: unknown): string => (typeof value === 'string' ? value.slice(0, 320) : '');

function filterInput(ctx: Context): AuditFilterInput {
  return { user: one(ctx.query.user), action: one(ctx.query.action), from: one(ctx.query.from), to: one(ctx.query.to) };
}

function queryString(input: AuditFilterInput, extra: Record<string, string> = {}): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries({ ...input, ...extra })) if (value) params.set(key, value);
  const text = params.toString();
  return text ? `?${text}` : '';
}

/** "Chrome 131 · macOS" for the common browsers; otherwise the first 40 characters. */
export function shortUserAgent(ua: string | null): string {
  if (!ua) return '';
  const browser = /Edg\/(\d+)/.exec(ua)
    ? `Edge ${/Edg\/(\d+)/.exec(ua)![1]}`
    : /Firefox\/(\d+)/.exec(ua)
      ? `Firefox ${/Firefox\/(\d+)/.exec(ua)![1]}`
      : /(?:Chrome|Chromium)\/(\d+)/.exec(ua)
        ? `Chrome ${/(?:Chrome|Chromium)\/(\d+)/.exec(ua)![1]}`
        : /Version\/(\d+)[^ ]* .*Safari\//.exec(ua)
          ? `Safari ${/Version\/(\d+)/.exec(ua)![1]}`
          : undefined;
  const os = /iPhone|iPad/.test(ua)
    ? 'iOS'
    : /Android/.test(ua)
      ? 'Android'
      : /Windows/.test(ua)
        ? 'Windows'
        : /Mac OS X|Macintosh/.test(ua)
          ? 'macOS'
          : /CrOS/.test(ua)
            ? 'ChromeOS'
            : /Linux/.test(ua)
              ? 'Linux'
              : undefined;
  if (browser) return os ? `${browser} · ${os}` : browser;
  return ua.length > 40 ? `${ua.slice(0, 39)}…` : ua;
}

const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

function rowView(t: Translate, row: AuditRow, emails: Map<string, string>, workspace: WorkspaceRow) {
  const actorKind = row.actor_type === 'user' ? undefined : t(`audit.actor.${row.actor_type}` as MessageKey);
  let target = '';
  if (row.target_type === 'user' && row.target_id) target = emails.get(row.target_id) ?? row.target_id;
  else if (row.target_type === 'workspace' && row.target_id === workspace.id) target = workspace.slug;
  // An authenticator's id means nothing to a reader; the details name it ("authenticator “iPhone”").
  else if (row.target_type === 'authenticator' && typeof row.details?.label === 'string') target = '';
  else if (row.target_type) target = row.target_id ? `${row.target_type} ${clip(row.target_id, 9)}` : row.target_type;
  return {
    time: shownTime(row.occurred_at, workspace.time_zone),
    actor: row.actor_label ?? (row.actor_type === 'user' && row.actor_id ? (emails.get(row.actor_id) ?? row.actor_id) : ''),
    actorKind,
    action: actionLabel(t, row.action),
    actionCode: row.action,
    target,
    targetTitle: row.target_id ?? '',
    outcome: t(`audit.outcome.${row.outcome}` as MessageKey),
    outcomeClass: row.outcome === 'success' ? 'ok' : 'warn',
    ip: row.ip ?? '',
    userAgent: shortUserAgent(row.user_agent),
    userAgentFull: row.user_agent ?? '',
    details: describeDetails(row.action, row.details, { t, timeZone: workspace.time_zone, target }),
  };
}

async function showLog(deps: AdminDeps, ctx: Context): Promise<void> {
  const { workspace } = consoleState(ctx);
  const t = translator(pickLang(ctx));
  const input = filterInput(ctx);
  const page = Math.min(Math.max(1, Number.parseInt(one(ctx.query.page), 10) || 1), 100_000);
  let filter: AuditFilter | undefined;
  let error: string | undefined;
  try {
    filter = await resolveAuditFilter(deps.db, workspace.id, input, workspace.time_zone);
  } catch (err) {
    if (!(err instanceof InvalidAuditFilter)) throw err;
    error = t('audit.filter.badDate');
  }
  const { rows, hasMore } = filter ? await auditPage(deps.db, filter, page) : { rows: [], hasMore: false };
  const emails = await userEmails(deps.db, workspace.id, rows);
  await renderConsolePage(
    ctx,
    'admin/audit/log',
    {
      title: t('audit.title'),
      nav: adminNav(ctx, 'audit'),
      lead: t('audit.lead', { workspace: workspace.display_name, zone: workspace.time_zone }),
      error,
      input,
      actions: (await actionChoices(deps.db, workspace.id)).map((value) => ({ value, label: actionLabel(t, value) })),
      rows: rows.map((row) => rowView(t, row, emails, workspace)),
      // "by {actor}" around the actor's own element: the words come from the catalogue, the
      // actor is marked up separately.
      by: t('audit.by').split('{actor}'),
      page,
      newerHref: page > 1 ? `/admin/audit${queryString(input, page > 2 ? { page: String(page - 1) } : {})}` : undefined,
      olderHref: hasMore ? `/admin/audit${queryString(input, { page: String(page + 1) })}` : undefined,
      csvHref: `/admin/audit/export.csv${queryString(input)}`,
      jsonHref: `/admin/audit/export.json${queryString(input)}`,
      filtered: Object.values(input).some(Boolean),
    },
    error ? 400 : 200,
  );
}

async function sendExport(deps: AdminDeps, ctx: Context, format: ExportFormat): Promise<void> {
  const { user, workspace } = consoleState(ctx);
  const input = filterInput(ctx);
  let filter: AuditFilter;
  try {
    filter = await resolveAuditFilter(deps.db, workspace.id, input, workspace.time_zone);
  } catch (err) {
    if (err instanceof InvalidAuditFilter) throw new HttpError(400, 'audit.filter.badDate', err.message);
    throw err;
  }
  // Who took a copy of the log is itself worth knowing; recorded before the copy, so it is in it.
  await recordAudit(deps.db, {
    action: 'audit.export',
    outcome: 'success',
    workspaceId: workspace.id,
    actorType: 'user',
    actorId: user.id,
    actorLabel: user.email,
    targetType: 'workspace',
    targetId: workspace.id,
    details: { format, filters: Object.fromEntries(Object.entries(input).filter(([, v]) => v)) },
    ...requestOrigin(ctx),
  });
  const stamp = deps.clock.now().toISOString().slice(0, 10);
  ctx.set('Content-Disposition', `attachment; filename="audit-${workspace.slug}-${stamp}.${format}"`);
  ctx.type = format === 'csv' ? 'text/csv; charset=utf-8; header=present' : 'application/json; charset=utf-8';
  const pieces = formatExport(format, exportRecords(deps.db, workspace, filter));
  // A byte-order mark lets Excel (the usual tool of a Japanese admin) read the CSV as UTF-8.
  ctx.body = Readable.from(format === 'csv' ? withBom(pieces) : pieces);
}

async function* withBom(pieces: AsyncIterable<string>): AsyncGenerator<string> {
  yield '\uFEFF';
  yield* pieces;
}

export function auditRoutes(deps: AdminDeps): Router {
  const router = new Router();
  router.get('/admin/audit', (ctx) => showLog(deps, ctx));
  router.get('/admin/audit/export.csv', (ctx) => sendExport(deps, ctx, 'csv'));
  router.get('/admin/audit/export.json', (ctx) => sendExport(deps, ctx, 'json'));
  return router;
}
