// The users list page and its CSV export. Both run behind the console guard (admins of the
// signed-in workspace only, src/console/mount.ts) and read the workspace from the console session,
// never from the request, so no parameter can reach another workspace's users.
import { Readable } from 'node:stream';
import type { Context } from 'koa';
import type Router from '@koa/router';
import type { AdminDeps } from '../spec.ts';
import { consoleState } from '../../console/session.ts';
import { renderConsolePage } from '../../console/render.ts';
import { pickLang, translator, type Translate } from '../../i18n/index.ts';
import type { MessageKey } from '../../i18n/en.ts';
import { ROLES } from '../../db/users.ts';
import type { UserCounts, UserSort } from '../../db/user-list.ts';
import { recordAudit, requestOrigin } from '../../audit/record.ts';
import { adminNav } from '../nav.ts';
import { doneNotice } from './pages.ts';
import { userCounts, userCsv, userList } from './list.ts';
import { isFiltered, listSearch, MFA_FILTERS, parseListQuery, STATUS_FILTERS, type ListQuery } from './list-query.ts';

const href = (query: ListQuery, change: Partial<ListQuery> = {}) => `/admin/users${listSearch(query, change)}`;

/** "12 users · 3 without two-step verification · 1 locked": each count links to its filter alone. */
function summary(t: Translate, counts: UserCounts) {
  const base: ListQuery = { q: '', sort: 'email', dir: 'asc', page: 1 };
  const parts = [
    {
      id: 'all',
      text: counts.total === 1 ? t('admin.usersList.summary.totalOne') : t('admin.usersList.summary.total', { count: String(counts.total) }),
      href: href(base),
    },
    { id: 'mfa-none', text: t('admin.usersList.summary.withoutMfa', { count: String(counts.withoutSecondFactor) }), href: href(base, { mfa: 'none' }) },
    { id: 'locked', text: t('admin.usersList.summary.locked', { count: String(counts.locked) }), href: href(base, { status: 'locked' }) },
  ];
  if (counts.disabled > 0)
    parts.push({ id: 'disabled', text: t('admin.usersList.summary.disabled', { count: String(counts.disabled) }), href: href(base, { status: 'disabled' }) });
  return parts;
}

type HeaderPart = { label: string; sort?: UserSort; href?: string; current?: 'ascending' | 'descending' };

/** Column headers: a click sorts by the column, ascending first, and a second click reverses it. */
function columns(t: Translate, query: ListQuery) {
  const part = (sort: UserSort, label: string): HeaderPart => {
    const current = query.sort === sort;
    const dir = current && query.dir === 'asc' ? 'desc' : 'asc';
    return { label, sort, href: href(query, { sort, dir, page: 1 }), ...(current ? { current: query.dir === 'asc' ? 'ascending' : 'descending' } : {}) };
  };
  const column = (...parts: HeaderPart[]) => ({ parts, ariaSort: parts.find((p) => p.current)?.current });
  return [
    column(part('name', t('admin.users.col.name')), part('email', t('admin.users.col.email'))),
    column(part('role', t('admin.users.col.role'))),
    column(part('status', `${t('admin.users.col.status')} / ${t('admin.users.col.locks')}`)),
    column(part('mfa', t('admin.usersList.col.secondFactors'))),
    column({ label: t('admin.users.col.recovery') }),
    column(part('created', t('admin.usersList.col.created'))),
  ];
}

async function showList(deps: AdminDeps, ctx: Context): Promise<void> {
  const { workspace } = consoleState(ctx);
  const query = parseListQuery(ctx.query);
  const now = deps.clock.now();
  const t = translator(pickLang(ctx));
  const list = await userList(deps.db, workspace.id, query, now, workspace.time_zone);
  await renderConsolePage(ctx, 'admin/users/list', {
    title: t('admin.users.title'),
    nav: adminNav(ctx, 'users'),
    ...list,
    query,
    page: query.page,
    summary: summary(t, await userCounts(deps.db, workspace.id, now)),
    columns: columns(t, query),
    options: {
      mfa: MFA_FILTERS.map((value) => ({ value, label: t(`admin.usersList.filter.mfa.${value}` as MessageKey) })),
      status: STATUS_FILTERS.map((value) => ({ value, label: t(`admin.usersList.filter.status.${value}` as MessageKey) })),
      role: ROLES.map((value) => ({ value, label: t(`admin.users.role.${value}` as MessageKey) })),
    },
    filtered: isFiltered(query),
    csvHref: `/admin/users/export.csv${listSearch(query, { page: 1 })}`,
    prevHref: list.hasPrev ? href(query, { page: query.page - 1 }) : undefined,
    nextHref: list.hasNext ? href(query, { page: query.page + 1 }) : undefined,
    notice: doneNotice(ctx),
  });
}

async function sendCsv(deps: AdminDeps, ctx: Context): Promise<void> {
  const { user, workspace } = consoleState(ctx);
  const query = parseListQuery(ctx.query);
  const now = deps.clock.now();
  // A list of every account and its weak spots is worth knowing who took; recorded like the audit export.
  await recordAudit(deps.db, {
    action: 'users.export',
    outcome: 'success',
    workspaceId: workspace.id,
    actorType: 'user',
    actorId: user.id,
    actorLabel: user.email,
    targetType: 'workspace',
    targetId: workspace.id,
    details: { format: 'csv', filters: Object.fromEntries(new URLSearchParams(listSearch(query, { page: 1 }))) },
    ...requestOrigin(ctx),
  });
  ctx.set('Content-Disposition', `attachment; filename="users-${workspace.slug}-${now.toISOString().slice(0, 10)}.csv"`);
  ctx.type = 'text/csv; charset=utf-8; header=present';
  ctx.body = Readable.from(withBom(userCsv(deps.db, workspace.id, query, now)));
}

// A byte-order mark lets Excel (the usual tool of a Japanese admin) read the CSV as UTF-8.
async function* withBom(pieces: AsyncIterable<string>): AsyncGenerator<string> {
  yield '\uFEFF';
  yield* pieces;
}

/** Mounted before the user pages, so `/admin/users/export.csv` is not taken for a user id. */
export function mountUserList(router: Router, deps: AdminDeps): void {
  router.get('/admin/users', (ctx) => showList(deps, ctx));
  router.get('/admin/users/export.csv', (ctx) => sendCsv(deps, ctx));
}
