// The recovery codes, shown once: right after they were made, in the response to the change that
// made them. Nothing keeps them afterwards but their hashes.
import type { Context } from 'koa';
import { consoleState } from '../console/session.ts';
import { renderConsolePage } from '../console/render.ts';
import { ACCOUNT_HOME, accountNav, tr } from './common.ts';

export async function renderRecoveryCodes(ctx: Context, codes: string[], notice: string): Promise<void> {
  const { user } = consoleState(ctx);
  const t = tr(ctx);
  const file = `${t('codes.file', { email: user.email })}\n\n${codes.join('\n')}\n`;
  await renderConsolePage(ctx, 'account/recovery-codes', {
    title: t('codes.title'),
    nav: accountNav(t),
    notice,
    codes,
    downloadHref: `data:text/plain;charset=utf-8,${encodeURIComponent(file)}`,
    backHref: ACCOUNT_HOME,
  });
}
