// Regenerating recovery codes and turning MFA off. Turning it off is offered only when no standing
// rule requires MFA of this user; a POST that comes anyway is refused with the reason and audited.
import type { Context } from 'koa';
import Router from '@koa/router';
import type { AccountDeps } from './spec.ts';
import { assertCsrf, consoleState } from '../console/session.ts';
import { readForm } from '../http/form-body.ts';
import { countSecondFactors } from '../db/second-factors.ts';
import { countUnusedRecoveryCodes } from '../db/recovery-codes.ts';
import { checkFreshProof, disableMfa, regenerateRecoveryCodes } from '../mfa/self-service.ts';
import { ACCOUNT_HOME, auditChange, proofError, renderConfirm, renderRefusal, requiredReasons, tr, type PageError } from './common.ts';
import { freshView, readProof } from './fresh-proof.ts';
import { renderRecoveryCodes } from './codes-page.ts';
import { doneHref } from './home.ts';

const REGENERATE = `${ACCOUNT_HOME}/recovery-codes/new`;
const DISABLE = `${ACCOUNT_HOME}/mfa/off`;

async function showRegenerate(deps: AccountDeps, ctx: Context, error?: PageError) {
  const t = tr(ctx);
  const left = await countUnusedRecoveryCodes(deps.db, consoleState(ctx).user.id);
  await renderConfirm(
    ctx,
    {
      heading: t('account.regenerate.title'),
      lead: t('account.regenerate.lead', { count: String(left) }),
      action: REGENERATE,
      submit: t('account.regenerate.submit'),
      fresh: await freshView(deps, consoleState(ctx).user.id),
      error: error?.message,
    },
    error?.status,
  );
}

async function showDisable(deps: AccountDeps, ctx: Context, error?: PageError) {
  const t = tr(ctx);
  await renderConfirm(
    ctx,
    {
      heading: t('account.disable.title'),
      lead: t('account.disable.lead'),
      action: DISABLE,
      submit: t('account.disable.submit'),
      danger: true,
      fresh: await freshView(deps, consoleState(ctx).user.id),
      error: error?.message,
    },
    error?.status,
  );
}

/** Recovery codes belong to a second factor; without one there is nothing to recover. */
async function requireEnrolled(deps: AccountDeps, ctx: Context): Promise<boolean> {
  if ((await countSecondFactors(deps.db, consoleState(ctx).user.id)) > 0) return true;
  ctx.redirect(ACCOUNT_HOME);
  return false;
}

export function mfaRoutes(deps: AccountDeps): Router {
  const router = new Router();

  router.get(REGENERATE, async (ctx) => {
    if (await requireEnrolled(deps, ctx)) await showRegenerate(deps, ctx);
  });

  router.post(REGENERATE, async (ctx) => {
    const form = await readForm(ctx);
    assertCsrf(ctx, form);
    if (!(await requireEnrolled(deps, ctx))) return;
    const { user } = consoleState(ctx);
    const t = tr(ctx);
    const now = deps.clock.now();
    const proof = await checkFreshProof(deps.db, deps.dataKey, user, readProof(deps, form, ctx), now);
    if (!proof.ok) {
      await auditChange(deps.db, ctx, {
        action: 'mfa.recovery_codes_regenerate',
        outcome: 'failure',
        targetType: 'user',
        targetId: user.id,
        details: { reason: proof.reason },
      });
      return showRegenerate(deps, ctx, proofError(t, proof, now));
    }
    const previous = await countUnusedRecoveryCodes(deps.db, user.id);
    const codes = await regenerateRecoveryCodes(deps.db, deps.dataKey, user.id, now);
    await auditChange(deps.db, ctx, {
      action: 'mfa.recovery_codes_regenerate',
      outcome: 'success',
      targetType: 'user',
      targetId: user.id,
      details: { count: codes.length, unused_codes_replaced: previous },
    });
    await renderRecoveryCodes(ctx, codes, t('account.regenerate.done'));
  });

  router.get(DISABLE, async (ctx) => {
    if (!(await requireEnrolled(deps, ctx))) return;
    const { user, workspace } = consoleState(ctx);
    const t = tr(ctx);
    const reasons = requiredReasons(t, user, workspace);
    if (reasons.length) return renderRefusal(ctx, t('account.disable.refused'), reasons);
    await showDisable(deps, ctx);
  });

  router.post(DISABLE, async (ctx) => {
    const form = await readForm(ctx);
    assertCsrf(ctx, form);
    if (!(await requireEnrolled(deps, ctx))) return;
    const { user, workspace, session } = consoleState(ctx);
    const t = tr(ctx);
    const reasons = requiredReasons(t, user, workspace);
    // Checked before the code, so a refused attempt does not use it up.
    if (reasons.length) {
      await auditChange(deps.db, ctx, {
        action: 'mfa.disable',
        outcome: 'refused',
        targetType: 'user',
        targetId: user.id,
        details: { reason: 'mfa_required', policy: workspace.mfa_policy, role: user.role },
      });
      return renderRefusal(ctx, t('account.disable.refused'), reasons);
    }
    const now = deps.clock.now();
    const proof = await checkFreshProof(deps.db, deps.dataKey, user, readProof(deps, form, ctx), now);
    if (!proof.ok) {
      await auditChange(deps.db, ctx, { action: 'mfa.disable', outcome: 'failure', targetType: 'user', targetId: user.id, details: { reason: proof.reason } });
      return showDisable(deps, ctx, proofError(t, proof, now));
    }
    const result = await disableMfa(deps.db, user.id, session.id);
    await auditChange(deps.db, ctx, {
      action: 'mfa.disable',
      outcome: 'success',
      targetType: 'user',
      targetId: user.id,
      details: {
        authenticators_removed: result.authenticators,
        passkeys_removed: result.passkeys,
        recovery_codes_removed: result.recoveryCodes,
        ended_oidc_artefacts: result.ended.oidcArtefacts,
        ended_console_sessions: result.ended.consoleSessions,
      },
    });
    ctx.redirect(doneHref('disabled'));
  });

  return router;
}
