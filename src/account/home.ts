// GET /account: the user's authenticators, recovery codes left, the workspace policy and whether
// (and why) MFA is required for them, with a link to each change.
import type { Context } from 'koa';
import Router from '@koa/router';
import type { AccountDeps } from './spec.ts';
import { consoleState } from '../console/session.ts';
import { renderConsolePage } from '../console/render.ts';
import { listAuthenticators } from '../db/authenticators.ts';
import { countUnusedRecoveryCodes } from '../db/recovery-codes.ts';
import type { MessageKey } from '../i18n/en.ts';
import { ACCOUNT_HOME, accountNav, requiredReasons, tr } from './common.ts';
import { shownTime } from '../i18n/time.ts';
import { appNames, listSessions } from '../directory/sessions.ts';

// After a change the browser is redirected here with ?done=…; only these values show a message.
const DONE: Record<string, MessageKey> = {
  added: 'account.done.added',
  renamed: 'account.done.renamed',
  removed: 'account.done.removed',
  disabled: 'account.done.disabled',
  session: 'account.done.session',
};

export const doneHref = (what: keyof typeof DONE | string) => `${ACCOUNT_HOME}?done=${what}`;

export async function showAccountHome(deps: AccountDeps, ctx: Context, error?: { message: string; status: number }): Promise<void> {
  const { user, workspace } = consoleState(ctx);
  const t = tr(ctx);
  const authenticators = await listAuthenticators(deps.db, user.id);
  const recoveryCodesLeft = await countUnusedRecoveryCodes(deps.db, user.id);
  const sessions = await listSessions(deps.db, user.id);
  const reasons = requiredReasons(t, user, workspace);
  const done = typeof ctx.query.done === 'string' ? DONE[ctx.query.done] : undefined;
  const enrolled = authenticators.length > 0;
  await renderConsolePage(
    ctx,
    'account/home',
    {
      title: t('account.title'),
      nav: accountNav(t),
      name: user.name,
      success: done && !error ? t(done) : undefined,
      error: error?.message,
      enrolled,
      policy: t(`account.policy.${workspace.mfa_policy}` as MessageKey),
      workspaceName: workspace.display_name,
      reasons,
      authenticators: authenticators.map((a) => ({
        id: a.id,
        label: a.label,
        created: shownTime(a.created_at, workspace.time_zone),
        lastUsed: shownTime(a.last_used_at, workspace.time_zone),
        renameHref: `${ACCOUNT_HOME}/authenticators/${a.id}/rename`,
        // The last one is not removed on its own: that is turning MFA off, which has its own rules.
        removeHref: authenticators.length > 1 ? `${ACCOUNT_HOME}/authenticators/${a.id}/remove` : undefined,
      })),
      recoveryCodesLeft,
      addHref: `${ACCOUNT_HOME}/authenticators/new`,
      regenerateHref: enrolled ? `${ACCOUNT_HOME}/recovery-codes/new` : undefined,
      disableHref: enrolled && reasons.length === 0 ? `${ACCOUNT_HOME}/mfa/off` : undefined,
      sessions: sessions.map((s) => ({
        id: s.id,
        signedIn: shownTime(s.signedInAt, workspace.time_zone),
        browser: s.browser,
        apps: appNames(s.apps),
      })),
      endSessionAction: `${ACCOUNT_HOME}/sessions/end`,
    },
    error?.status ?? 200,
  );
}

export function homeRoutes(deps: AccountDeps): Router {
  const router = new Router();
  router.get(ACCOUNT_HOME, (ctx) => showAccountHome(deps, ctx));
  return router;
}
