// Renaming and removing one of the user's own authenticators. Removing one ends the user's other
// sessions and revokes their grants and refresh tokens (S15): whoever held the removed phone may
// have signed in with it.
import type { Context } from 'koa';
import Router from '@koa/router';
import type { AccountDeps } from './spec.ts';
import { assertCsrf, consoleState } from '../console/session.ts';
import { HttpError } from '../http/errors.ts';
import { field, readForm } from '../http/form-body.ts';
import { countAuthenticators, findAuthenticatorOf, type AuthenticatorRow } from '../db/authenticators.ts';
import { MAX_LABEL_LENGTH } from '../mfa/enrolment.ts';
import { checkFreshProof, freshMethod, removeAuthenticator, renameAuthenticator } from '../mfa/self-service.ts';
import { ACCOUNT_HOME, auditChange, isUuid, proofError, readProof, renderConfirm, renderRefusal, tr, type PageError } from './common.ts';
import { doneHref } from './home.ts';

const base = (id: string) => `${ACCOUNT_HOME}/authenticators/${id}`;

/** The user's own authenticator named in the path; anyone else's is as absent as a made-up id. */
async function ownAuthenticator(deps: AccountDeps, ctx: Context): Promise<AuthenticatorRow> {
  const id = String(ctx.params.id ?? '');
  const found = isUuid(id) ? await findAuthenticatorOf(deps.db, consoleState(ctx).user.id, id) : undefined;
  if (!found) throw new HttpError(404, 'error.notFound', 'no such authenticator of this user');
  return found;
}

async function showRename(deps: AccountDeps, ctx: Context, authenticator: AuthenticatorRow, label: string, error?: PageError) {
  const t = tr(ctx);
  await renderConfirm(
    ctx,
    {
      heading: t('account.rename.title'),
      lead: t('account.rename.lead', { label: authenticator.label }),
      action: `${base(authenticator.id)}/rename`,
      submit: t('account.rename.submit'),
      fresh: await freshMethod(deps.db, consoleState(ctx).user.id),
      label,
      error: error?.message,
    },
    error?.status,
  );
}

async function showRemove(_deps: AccountDeps, ctx: Context, authenticator: AuthenticatorRow, error?: PageError) {
  const t = tr(ctx);
  await renderConfirm(
    ctx,
    {
      heading: t('account.remove.title'),
      lead: t('account.remove.lead', { label: authenticator.label }),
      action: `${base(authenticator.id)}/remove`,
      submit: t('account.remove.submit'),
      danger: true,
      fresh: 'otp',
      error: error?.message,
    },
    error?.status,
  );
}

async function refuseLast(ctx: Context): Promise<void> {
  const t = tr(ctx);
  await renderRefusal(ctx, t('account.remove.title'), [t('account.remove.last')], 409);
}

export function authenticatorRoutes(deps: AccountDeps): Router {
  const router = new Router();

  router.get(`${ACCOUNT_HOME}/authenticators/:id/rename`, async (ctx) => {
    const authenticator = await ownAuthenticator(deps, ctx);
    await showRename(deps, ctx, authenticator, authenticator.label);
  });

  router.post(`${ACCOUNT_HOME}/authenticators/:id/rename`, async (ctx) => {
    const form = await readForm(ctx);
    assertCsrf(ctx, form);
    const authenticator = await ownAuthenticator(deps, ctx);
    const { user } = consoleState(ctx);
    const t = tr(ctx);
    const label = field(form, 'label').trim();
    if (!label || label.length > MAX_LABEL_LENGTH) {
      const key = label ? 'account.label.tooLong' : 'account.label.missing';
      return showRename(deps, ctx, authenticator, label, { message: t(key, { max: String(MAX_LABEL_LENGTH) }), status: 400 });
    }
    const now = deps.clock.now();
    const proof = await checkFreshProof(deps.db, deps.dataKey, user, readProof(form, ctx), now);
    if (!proof.ok) {
      await auditChange(deps.db, ctx, {
        action: 'mfa.authenticator_rename',
        outcome: 'failure',
        targetType: 'authenticator',
        targetId: authenticator.id,
        details: { reason: proof.reason, user_id: user.id },
      });
      return showRename(deps, ctx, authenticator, label, proofError(t, proof, now));
    }
    await renameAuthenticator(deps.db, user.id, authenticator.id, label);
    await auditChange(deps.db, ctx, {
      action: 'mfa.authenticator_rename',
      outcome: 'success',
      targetType: 'authenticator',
      targetId: authenticator.id,
      details: { from: authenticator.label, to: label, user_id: user.id },
    });
    ctx.redirect(doneHref('renamed'));
  });

  router.get(`${ACCOUNT_HOME}/authenticators/:id/remove`, async (ctx) => {
    const authenticator = await ownAuthenticator(deps, ctx);
    if ((await countAuthenticators(deps.db, consoleState(ctx).user.id)) < 2) return refuseLast(ctx);
    await showRemove(deps, ctx, authenticator);
  });

  router.post(`${ACCOUNT_HOME}/authenticators/:id/remove`, async (ctx) => {
    const form = await readForm(ctx);
    assertCsrf(ctx, form);
    const authenticator = await ownAuthenticator(deps, ctx);
    const { user, session } = consoleState(ctx);
    const t = tr(ctx);
    // Refused before the code is checked, so the refusal does not use up the user's code.
    if ((await countAuthenticators(deps.db, user.id)) < 2) return refuseLast(ctx);
    const now = deps.clock.now();
    const proof = await checkFreshProof(deps.db, deps.dataKey, user, readProof(form, ctx), now);
    if (!proof.ok) {
      await auditChange(deps.db, ctx, {
        action: 'mfa.authenticator_remove',
        outcome: 'failure',
        targetType: 'authenticator',
        targetId: authenticator.id,
        details: { reason: proof.reason, user_id: user.id },
      });
      return showRemove(deps, ctx, authenticator, proofError(t, proof, now));
    }
    const result = await removeAuthenticator(deps.db, user.id, authenticator.id, session.id);
    if (!result.ok) {
      await auditChange(deps.db, ctx, {
        action: 'mfa.authenticator_remove',
        outcome: 'refused',
        targetType: 'authenticator',
        targetId: authenticator.id,
        details: { reason: result.reason, user_id: user.id },
      });
      if (result.reason === 'last') return refuseLast(ctx);
      throw new HttpError(404, 'error.notFound', 'authenticator already removed');
    }
    await auditChange(deps.db, ctx, {
      action: 'mfa.authenticator_remove',
      outcome: 'success',
      targetType: 'authenticator',
      targetId: authenticator.id,
      details: {
        label: result.label,
        user_id: user.id,
        ended_oidc_artefacts: result.ended.oidcArtefacts,
        ended_console_sessions: result.ended.consoleSessions,
      },
    });
    ctx.redirect(doneHref('removed'));
  });

  return router;
}
