// The page after a recovery-code sign-in: recovery codes left, the user's authenticator apps with
// a way to remove the one on the lost phone (src/mfa/lost-factor.ts), "set up a new authenticator"
// and "continue". The removal form is bound to the interaction like every other interaction form
// (signed interaction cookie + uid in the path), and is accepted only while this sign-in stands
// after a recovery code. A user left without a factor while MFA is required of them cannot
// continue before setting up a new one.
import type { Context } from 'koa';
import { readForm } from '../http/form-body.ts';
import { renderPage } from '../http/render.ts';
import { HttpError } from '../http/errors.ts';
import { pickLang, translator } from '../i18n/index.ts';
import { recordAudit, requestOrigin } from '../audit/record.ts';
import { countUnusedRecoveryCodes } from '../db/recovery-codes.ts';
import { findAccountFacts } from '../db/account-facts.ts';
import type { UserRow } from '../db/users.ts';
import { mustEnrolAfterRemoval, removeLostAuthenticators } from '../mfa/lost-factor.ts';
import { paths, readProgress, saveProgress, showNextStep, type Deps, type Details } from './context.ts';
import { secondFactorRows } from './second-factors-view.ts';

async function mustEnrol(deps: Deps, userId: string): Promise<boolean> {
  const facts = await findAccountFacts(deps.db, userId);
  return facts ? mustEnrolAfterRemoval(facts.user, facts.workspace, facts.authenticatorCount) : false;
}

export const removePath = (uid: string) => `${paths(uid).self}/remove-authenticators`;

export async function showRecovered(ctx: Context, deps: Deps, details: Details, user: UserRow, error?: { text: string; status: number }): Promise<void> {
  const lang = pickLang(ctx);
  const t = translator(lang);
  const p = paths(details.uid);
  const removed = readProgress(details)?.removed;
  const facts = await findAccountFacts(deps.db, user.id);
  await renderPage(
    ctx,
    'interaction/recovered',
    {
      title: t('recovered.title'),
      remaining: await countUnusedRecoveryCodes(deps.db, user.id),
      factors: await secondFactorRows(deps.db, user.id, facts?.workspace.time_zone ?? 'UTC'),
      removed: removed?.length && !error ? t('lostPhone.factors.removed', { labels: removed.join(', ') }) : undefined,
      error: error?.text,
      mustEnrol: facts ? mustEnrolAfterRemoval(facts.user, facts.workspace, facts.authenticatorCount) : false,
      removeAction: removePath(details.uid),
      enrolHref: `${p.self}?use=enrol`,
      action: p.proceed,
    },
    error?.status ?? 200,
  );
}

/** The sign-in after a recovery code, and its user, or a 400: removal is offered nowhere else. */
async function afterRecovery(deps: Deps, details: Details) {
  const progress = readProgress(details);
  if (details.prompt.name !== 'login' || progress?.done !== 'recovery' || progress.codesToShow) {
    throw new HttpError(400, 'error.interaction', 'not after a recovery code');
  }
  const facts = await findAccountFacts(deps.db, progress.accountId);
  if (facts?.user.status !== 'active') throw new HttpError(400, 'error.interaction', 'account no longer active');
  return { progress, user: facts.user };
}

export async function submitRemoval(deps: Deps, ctx: Context, details: Details): Promise<void> {
  const { progress, user } = await afterRecovery(deps, details);
  const form = await readForm(ctx);
  const t = translator(pickLang(ctx));
  const origin = { workspaceId: user.workspace_id, actorType: 'user' as const, actorId: user.id, actorLabel: user.email, ...requestOrigin(ctx) };
  // The SSO session this sign-in belongs to stays, so the sign-in can finish; any other is ended.
  const keep = details.session?.accountId === user.id ? details.session.uid : undefined;
  const result = await removeLostAuthenticators(
    deps.db,
    user,
    { authenticators: form.getAll('authenticator'), passkeys: form.getAll('passkey') },
    keep,
    origin,
  );
  if (!result.ok) {
    if (result.reason === 'none_selected') return showRecovered(ctx, deps, details, user, { text: t('lostPhone.factors.selectOne'), status: 400 });
    await recordAudit(deps.db, {
      ...origin,
      action: 'mfa.authenticator_remove',
      outcome: 'refused',
      targetType: 'user',
      targetId: user.id,
      details: { reason: result.reason, after: 'recovery_code' },
    });
    return showRecovered(ctx, deps, details, user, { text: t('lostPhone.factors.gone'), status: 409 });
  }
  await saveProgress(deps, ctx, { ...progress, removed: result.labels });
  showNextStep(ctx, details.uid);
}

/** Before "continue" after a recovery code: refuses (with the page) a user who must enrol first. */
export async function refuseContinueWithoutFactor(deps: Deps, ctx: Context, details: Details, user: UserRow): Promise<boolean> {
  if (!(await mustEnrol(deps, user.id))) return false;
  const t = translator(pickLang(ctx));
  await showRecovered(ctx, deps, details, user, { text: t('lostPhone.mustEnrol'), status: 409 });
  return true;
}
