// The users list's query parameters: search `q`, filters `mfa`, `status`, `role`, order `sort` and
// `dir`, and `page`. The same parameters drive the page and its CSV export, and every link of the
// page (column headers, paging, export) is built here so none of them drops a filter.
//
// An empty value means "any" (the filter form's first option). A value the list does not know is a
// 400, not an empty list: a mistyped bookmark such as `?mfa=nnoe` must not read as "nobody is
// missing a second factor".
import type { ParsedUrlQuery } from 'node:querystring';
import { HttpError } from '../../http/errors.ts';
import { ROLES, type Role } from '../../db/users.ts';
import { USER_SORTS, type SortDir, type UserSort } from '../../db/user-list.ts';

export const MFA_FILTERS = ['none', 'enrolled'] as const;
export const STATUS_FILTERS = ['locked', 'disabled'] as const;

export type ListQuery = {
  q: string;
  mfa?: (typeof MFA_FILTERS)[number];
  status?: (typeof STATUS_FILTERS)[number];
  role?: Role;
  sort: UserSort;
  dir: SortDir;
  page: number;
};

const DEFAULT_SORT: UserSort = 'email';

// The search box stays lenient as it always was: a repeated or odd `q` or `page` is ignored.
const text = (value: unknown, max: number) => (typeof value === 'string' ? value.trim().slice(0, max) : '');

function choice<T extends string>(query: ParsedUrlQuery, name: string, allowed: readonly T[]): T | undefined {
  const value = query[name];
  if (value === undefined || value === '') return undefined;
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
  throw new HttpError(400, 'admin.usersList.badParam', `unknown ${name} value`);
}

export function parseListQuery(query: ParsedUrlQuery): ListQuery {
  const requested = Number.parseInt(text(query.page, 6), 10);
  const mfa = choice(query, 'mfa', MFA_FILTERS);
  const status = choice(query, 'status', STATUS_FILTERS);
  const role = choice(query, 'role', ROLES);
  return {
    q: text(query.q, 200),
    ...(mfa ? { mfa } : {}),
    ...(status ? { status } : {}),
    ...(role ? { role } : {}),
    sort: choice(query, 'sort', USER_SORTS) ?? DEFAULT_SORT,
    dir: choice(query, 'dir', ['asc', 'desc'] as const) ?? 'asc',
    page: Number.isSafeInteger(requested) && requested > 0 ? requested : 1,
  };
}

/** The query string of `query` with `change` applied; defaults (page 1, sort by e-mail ascending) are left out. */
export function listSearch(query: ListQuery, change: Partial<ListQuery> = {}): string {
  const next = { ...query, ...change };
  const params = new URLSearchParams();
  if (next.q) params.set('q', next.q);
  if (next.mfa) params.set('mfa', next.mfa);
  if (next.status) params.set('status', next.status);
  if (next.role) params.set('role', next.role);
  if (next.sort !== DEFAULT_SORT || next.dir !== 'asc') {
    params.set('sort', next.sort);
    params.set('dir', next.dir);
  }
  if (next.page > 1) params.set('page', String(next.page));
  const search = params.toString();
  return search ? `?${search}` : '';
}

/** Whether any filter or search narrows the list (the page then offers to clear them). */
export const isFiltered = (query: ListQuery): boolean => Boolean(query.q || query.mfa || query.status || query.role);
