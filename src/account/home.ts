// GET /account: the user's second factors (authenticator apps and passkeys), recovery codes left,
// the workspace policy and whether (and why) MFA is required for them, with a link to each change.
import type { Context } from 'koa';
import Router from '@koa/router';
import type { AccountDeps } from './spec.ts';
import { consoleState } from '../console/session.ts';
import { renderConsolePage } from '../console/render.ts';
import { listAuthenticators } from '../db/authenticators.ts';
import { listPasskeys } from '../db/passkeys.ts';
import { countUnusedRecoveryCodes } from '../db/recovery-codes.ts';
import type { MessageKey } from '../i18n/en.ts';
import { ACCOUNT_HOME, accountNav, requiredReasons, tr } from './common.ts';
import { shownTime } from '../i18n/time.ts';
import { appNames, listSessions } from '../directory/sessions.ts';
import { displayName } from '../identity/display-name.ts';

// After a change the browser is redirected here with ?done=…; only these values show a message.
const DONE: Record<string, MessageKey> = {
  added: 'account.done.added',
  renamed: 'account.done.renamed',
  removed: 'account.done.removed',
  'passkey-added': 'passkeys.done.added',
  'passkey-renamed': 'passkeys.done.renamed',
  'passkey-removed': 'passkeys.done.removed',
  disabled: 'passkeys.done.disabled',
  session: 'account.done.session',
};

export const doneHref = (what: keyof typeof DONE | string) => `${ACCOUNT_HOME}?done=${what}`;

export async function showAccountHome(deps: AccountDeps, ctx: Context, error?: { message: string; status: number }): Promise<void> {
  const { user, workspace } = consoleState(ctx);
  const t = tr(ctx);
  const authenticators = await listAuthenticators(deps.db, user.id);
  const passkeys = await listPasskeys(deps.db, user.id);
  const recoveryCodesLeft = await countUnusedRecoveryCodes(deps.db, user.id);
  const sessions = await listSessions(deps.db, user.id);
  const reasons = requiredReasons(t, user, workspace);
  const done = typeof ctx.query.done === 'string' ? DONE[ctx.query.done] : undefined;
  const factorCount = authenticators.length + passkeys.length;
  const enrolled = factorCount > 0;
  // One list, oldest first: both kinds are second factors alike (rules 1–6).
  const factors = [
    ...authenticators.map((a) => ({ ...a, kind: 'app' as const, segment: 'authenticators' })),
    ...passkeys.map((p) => ({ ...p, kind: 'passkey' as const, segment: 'passkeys' })),
  ].sort((a, b) => new Date(a.created_at).getTime() - new Date(b.created_at).getTime());
  await renderConsolePage(
    ctx,
    'account/home',
    {
      title: t('account.title'),
      nav: accountNav(t),
      name: displayName(user),
      success: done && !error ? t(done) : undefined,
      error: error?.message,
      enrolled,
      policy: t(`account.policy.${workspace.mfa_policy}` as MessageKey),
      workspaceName: workspace.display_name,
      reasons,
      factors: factors.map((f) => ({
        id: f.id,
        kind: f.kind,
        type: t(f.kind === 'app' ? 'passkeys.type.app' : 'passkeys.type.passkey'),
        label: f.label,
        created: shownTime(f.created_at, workspace.time_zone),
        lastUsed: shownTime(f.last_used_at, workspace.time_zone),
        renameHref: `${ACCOUNT_HOME}/${f.segment}/${f.id}/rename`,
        // The last one is not removed on its own: that is turning MFA off, which has its own rules.
        removeHref: factorCount > 1 ? `${ACCOUNT_HOME}/${f.segment}/${f.id}/remove` : undefined,
      })),
      recoveryCodesLeft,
      addHref: `${ACCOUNT_HOME}/authenticators/new`,
      addPasskeyHref: `${ACCOUNT_HOME}/passkeys/new`,
      regenerateHref: enrolled ? `${ACCOUNT_HOME}/recovery-codes/new` : undefined,
      disableHref: enrolled && reasons.length === 0 ? `${ACCOUNT_HOME}/mfa/off` : undefined,
      sessions: sessions.map((s) => ({
        id: s.id,
        signedIn: shownTime(s.signedInAt, workspace.time_zone),
        browser: s.browser,
        apps: appNames(s.apps, t),
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
