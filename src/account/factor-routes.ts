// Renaming and removing one of the user's own second factors (an authenticator app or a passkey).
// Removing one ends the user's other sessions and revokes their grants and refresh tokens (S15):
// whoever held the removed phone or key may have signed in with it.
import type { Context } from 'koa';
import Router from '@koa/router';
import type { AccountDeps } from './spec.ts';
import { assertCsrf, consoleState } from '../console/session.ts';
import { HttpError } from '../http/errors.ts';
import { field, readForm } from '../http/form-body.ts';
import { countSecondFactors } from '../db/second-factors.ts';
import { MAX_LABEL_LENGTH } from '../mfa/enrolment.ts';
import { checkFreshProof } from '../mfa/self-service.ts';
import { ACCOUNT_HOME, auditChange, isUuid, proofError, renderConfirm, renderRefusal, tr, type PageError } from './common.ts';
import { freshView, readProof } from './fresh-proof.ts';
import type { FactorKind } from './factor-kinds.ts';
import { doneHref } from './home.ts';

type Factor = { id: string; label: string };

export function factorRoutes(deps: AccountDeps, kind: FactorKind): Router {
  const router = new Router();
  const base = (id: string) => `${ACCOUNT_HOME}/${kind.segment}/${id}`;

  /** The user's own factor named in the path; anyone else's is as absent as a made-up id. */
  async function ownFactor(ctx: Context): Promise<Factor> {
    const id = String(ctx.params.id ?? '');
    const found = isUuid(id) ? await kind.find(deps.db, consoleState(ctx).user.id, id) : undefined;
    if (!found) throw new HttpError(404, 'error.notFound', `no such ${kind.targetType} of this user`);
    return found;
  }

  async function showRename(ctx: Context, factor: Factor, label: string, error?: PageError) {
    const t = tr(ctx);
    await renderConfirm(
      ctx,
      {
        heading: t(kind.words.renameTitle),
        lead: t('account.rename.lead', { label: factor.label }),
        action: `${base(factor.id)}/rename`,
        submit: t('account.rename.submit'),
        fresh: await freshView(deps, consoleState(ctx).user.id),
        label,
        labelName: t(kind.words.labelName),
        error: error?.message,
      },
      error?.status,
    );
  }

  async function showRemove(ctx: Context, factor: Factor, error?: PageError) {
    const t = tr(ctx);
    await renderConfirm(
      ctx,
      {
        heading: t(kind.words.removeTitle),
        lead: t(kind.words.removeLead, { label: factor.label }),
        action: `${base(factor.id)}/remove`,
        submit: t('account.remove.submit'),
        danger: true,
        fresh: await freshView(deps, consoleState(ctx).user.id),
        error: error?.message,
      },
      error?.status,
    );
  }

  async function refuseLast(ctx: Context): Promise<void> {
    const t = tr(ctx);
    await renderRefusal(ctx, t(kind.words.removeTitle), [t(kind.words.last)], 409);
  }

  router.get(`${ACCOUNT_HOME}/${kind.segment}/:id/rename`, async (ctx) => {
    const factor = await ownFactor(ctx);
    await showRename(ctx, factor, factor.label);
  });

  router.post(`${ACCOUNT_HOME}/${kind.segment}/:id/rename`, async (ctx) => {
    const form = await readForm(ctx);
    assertCsrf(ctx, form);
    const factor = await ownFactor(ctx);
    const { user } = consoleState(ctx);
    const t = tr(ctx);
    const label = field(form, 'label').trim();
    if (!label || label.length > MAX_LABEL_LENGTH) {
      const key = label ? 'account.label.tooLong' : 'account.label.missing';
      return showRename(ctx, factor, label, { message: t(key, { max: String(MAX_LABEL_LENGTH) }), status: 400 });
    }
    const now = deps.clock.now();
    const proof = await checkFreshProof(deps.db, deps.dataKey, user, readProof(deps, form, ctx), now);
    if (!proof.ok) {
      await auditChange(deps.db, ctx, {
        action: kind.audit.rename,
        outcome: 'failure',
        targetType: kind.targetType,
        targetId: factor.id,
        details: { reason: proof.reason, proof: proof.method, user_id: user.id },
      });
      return showRename(ctx, factor, label, proofError(t, proof, now));
    }
    await kind.rename(deps.db, user.id, factor.id, label);
    await auditChange(deps.db, ctx, {
      action: kind.audit.rename,
      outcome: 'success',
      targetType: kind.targetType,
      targetId: factor.id,
      details: { from: factor.label, to: label, proof: proof.method, user_id: user.id },
    });
    ctx.redirect(doneHref(kind.words.renamed));
  });

  router.get(`${ACCOUNT_HOME}/${kind.segment}/:id/remove`, async (ctx) => {
    const factor = await ownFactor(ctx);
    if ((await countSecondFactors(deps.db, consoleState(ctx).user.id)) < 2) return refuseLast(ctx);
    await showRemove(ctx, factor);
  });

  router.post(`${ACCOUNT_HOME}/${kind.segment}/:id/remove`, async (ctx) => {
    const form = await readForm(ctx);
    assertCsrf(ctx, form);
    const factor = await ownFactor(ctx);
    const { user, session } = consoleState(ctx);
    const t = tr(ctx);
    // Refused before the proof is checked, so the refusal does not use up the user's code.
    if ((await countSecondFactors(deps.db, user.id)) < 2) return refuseLast(ctx);
    const now = deps.clock.now();
    const proof = await checkFreshProof(deps.db, deps.dataKey, user, readProof(deps, form, ctx), now);
    if (!proof.ok) {
      await auditChange(deps.db, ctx, {
        action: kind.audit.remove,
        outcome: 'failure',
        targetType: kind.targetType,
        targetId: factor.id,
        details: { reason: proof.reason, proof: proof.method, user_id: user.id },
      });
      return showRemove(ctx, factor, proofError(t, proof, now));
    }
    const result = await kind.remove(deps.db, user.id, factor.id, session.id);
    if (!result.ok) {
      await auditChange(deps.db, ctx, {
        action: kind.audit.remove,
        outcome: 'refused',
        targetType: kind.targetType,
        targetId: factor.id,
        details: { reason: result.reason, user_id: user.id },
      });
      if (result.reason === 'last') return refuseLast(ctx);
      throw new HttpError(404, 'error.notFound', `${kind.targetType} already removed`);
    }
    await auditChange(deps.db, ctx, {
      action: kind.audit.remove,
      outcome: 'success',
      targetType: kind.targetType,
      targetId: factor.id,
      details: {
        label: result.label,
        proof: proof.method,
        user_id: user.id,
        ended_oidc_artefacts: result.ended.oidcArtefacts,
        ended_console_sessions: result.ended.consoleSessions,
      },
    });
    ctx.redirect(doneHref(kind.words.removed));
  });

  return router;
}
