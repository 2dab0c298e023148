// The admin console's navigation; the workspace settings link is shown to workspace admins only
// (the page itself refuses others on the server).
import type { Context } from 'koa';
import { pickLang, translator } from '../i18n/index.ts';
import { consoleState } from '../console/session.ts';

export type NavItem = { href: string; label: string; current: boolean };

export function adminNav(ctx: Context, current: 'users' | 'workspace' | 'audit'): NavItem[] {
  const t = translator(pickLang(ctx));
  const { user } = consoleState(ctx);
  const items: NavItem[] = [
    { href: '/admin/users', label: t('admin.nav.users'), current: current === 'users' },
    ...(user.role === 'workspace_admin' ? [{ href: '/admin/workspace', label: t('admin.nav.workspace'), current: current === 'workspace' }] : []),
    { href: '/admin/audit', label: t('admin.nav.audit'), current: current === 'audit' },
  ];
  return items;
}
