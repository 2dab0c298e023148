// The TOTP prompt (or a recovery code instead), for a user who proved the password in this
// interaction or whose existing session needs stepping up. The prompt also says what to do
// without the phone: a recovery code, or the workspace's administrator (and how to reach them).
import type { Context } from 'koa';
import { readForm, field } from '../http/form-body.ts';
import { renderPage } from '../http/render.ts';
import { HttpError } from '../http/errors.ts';
import { pickLang, translator } from '../i18n/index.ts';
import { recordAudit, requestOrigin, selfEvent } from '../audit/record.ts';
import { checkRecoveryCode, checkTotp, type FactorResult } from '../mfa/second-factor.ts';
import { countUnusedRecoveryCodes } from '../db/recovery-codes.ts';
import { findUserById, type UserRow } from '../db/users.ts';
import { contactSegments, helpContactOf } from '../directory/help-contact.ts';
import { countPasskeys } from '../db/passkeys.ts';
import { countAuthenticators } from '../db/authenticators.ts';
import { minutesUntil, paths, readProgress, saveProgress, showNextStep, type Deps, type Details, type Progress } from './context.ts';
import { finishSignIn } from './finish.ts';
import { refusalText, type CodeMode } from './attempts.ts';
import { refuseContinueWithoutFactor } from './recovered-step.ts';
import { authFailures, locks } from '../metrics.ts';

export async function showCodePrompt(
  deps: Deps,
  ctx: Context,
  details: Details,
  user: UserRow,
  mode: CodeMode,
  error?: string,
  status = 200,
  hasPasskey = false,
): Promise<void> {
  const t = translator(pickLang(ctx));
  const p = paths(details.uid);
  const contact = await helpContactOf(deps.db, user.workspace_id);
  // On the recovery-code page, "use the app's code instead" only for a user who has an app.
  const hasApp = mode === 'totp' || (await countAuthenticators(deps.db, user.id)) > 0;
  await renderPage(
    ctx,
    'interaction/totp',
    {
      title: t(mode === 'recovery' ? 'recovery.title' : 'totp.title'),
      mode,
      email: user.email,
      error,
      totpAction: p.totp,
      recoveryAction: p.recovery,
      recoveryHref: `${p.self}?use=recovery`,
      appHref: hasApp ? `${p.self}?use=totp` : undefined,
      passkeyHref: hasPasskey ? p.self : undefined,
      abortHref: p.abort,
      helpContact: contact ? contactSegments(contact) : undefined,
    },
    status,
  );
}

/** The progress and user of a sign-in that is at the second-factor step, or a 400. */
export async function atSecondFactor(deps: Deps, details: Details): Promise<{ progress: Progress; user: UserRow }> {
  const progress = readProgress(details);
  if (details.prompt.name !== 'login' || !progress || progress.done) {
    throw new HttpError(400, 'error.interaction', 'not at the second-factor step');
  }
  const user = await findUserById(deps.db, progress.accountId);
  if (user?.status !== 'active') throw new HttpError(400, 'error.interaction', 'account no longer active');
  return { progress, user };
}

async function refuse(deps: Deps, ctx: Context, details: Details, user: UserRow, mode: CodeMode, result: Exclude<FactorResult, { ok: true }>) {
  const now = deps.clock.now();
  const t = translator(pickLang(ctx));
  const audit = {
    workspaceId: user.workspace_id,
    actorType: 'user' as const,
    actorId: user.id,
    actorLabel: user.email,
    targetType: 'user',
    targetId: user.id,
    ...requestOrigin(ctx),
  };
  authFailures.inc({ factor: mode, reason: result.reason });
  const hasPasskey = (await countPasskeys(deps.db, user.id)) > 0;
  if (result.reason !== 'malformed') {
    await recordAudit(deps.db, {
      ...audit,
      action: mode === 'totp' ? 'mfa.totp' : 'mfa.recovery_code',
      outcome: result.reason === 'locked' ? 'refused' : 'failure',
      details: { reason: result.reason, client_id: details.params.client_id },
    });
  }
  if (result.reason === 'locked' || ((result.reason === 'wrong' || result.reason === 'replayed') && result.lock.locked)) {
    const until = result.lock.locked ? result.lock.until : now;
    if (result.reason !== 'locked') {
      locks.inc({ factor: 'second_factor' });
      await recordAudit(deps.db, { ...audit, action: 'lock', outcome: 'success', details: { factor: 'second_factor', until: until.toISOString() } });
    }
    return showCodePrompt(deps, ctx, details, user, mode, t('totp.locked', { minutes: minutesUntil(until, now) }), 429, hasPasskey);
  }
  const text = refusalText(t, mode, result.reason, result.reason === 'malformed' ? undefined : result.lock);
  return showCodePrompt(deps, ctx, details, user, mode, text, result.reason === 'malformed' ? 400 : 401, hasPasskey);
}

export async function submitTotp(deps: Deps, ctx: Context, details: Details): Promise<void> {
  const { progress, user } = await atSecondFactor(deps, details);
  const code = field(await readForm(ctx), 'code');
  const result = await checkTotp(deps.db, deps.dataKey, user.id, code, deps.clock.now());
  if (!result.ok) return refuse(deps, ctx, details, user, 'totp', result);
  return finishSignIn(deps, ctx, details, user, 'otp', progress);
}

export async function submitRecoveryCode(deps: Deps, ctx: Context, details: Details): Promise<void> {
  const { progress, user } = await atSecondFactor(deps, details);
  const code = field(await readForm(ctx), 'code');
  const result = await checkRecoveryCode(deps.db, deps.dataKey, user.id, code, deps.clock.now());
  if (!result.ok) return refuse(deps, ctx, details, user, 'recovery', result);
  await recordAudit(deps.db, {
    action: 'mfa.recovery_code',
    outcome: 'success',
    ...selfEvent(user),
    details: { remaining: await countUnusedRecoveryCodes(deps.db, user.id) },
    ...requestOrigin(ctx),
  });
  // Signed in; before going back, suggest replacing the authenticator the user probably lost.
  await saveProgress(deps, ctx, { ...progress, done: 'recovery' });
  showNextStep(ctx, details.uid);
}

/** "Continue" on the recovery-codes or recovered page: the factor is done, go back to the app. */
export async function submitContinue(deps: Deps, ctx: Context, details: Details): Promise<void> {
  const progress = readProgress(details);
  if (details.prompt.name !== 'login' || !progress?.done) throw new HttpError(400, 'error.interaction', 'nothing to continue');
  await readForm(ctx);
  const user = await findUserById(deps.db, progress.accountId);
  if (user?.status !== 'active') throw new HttpError(400, 'error.interaction', 'account no longer active');
  if (progress.done === 'recovery' && (await refuseContinueWithoutFactor(deps, ctx, details, user))) return;
  return finishSignIn(deps, ctx, details, user, progress.done, progress);
}
