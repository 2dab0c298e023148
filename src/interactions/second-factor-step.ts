// The TOTP prompt (or a recovery code instead), for a user who proved the password in this
// interaction or whose existing session needs stepping up.
import type { Context } from 'koa';
import { readForm, field } from '../http/form-body.ts';
import { renderPage } from '../http/render.ts';
import { HttpError } from '../http/errors.ts';
import { pickLang, translator } from '../i18n/index.ts';
import type { MessageKey } from '../i18n/en.ts';
import { recordAudit, requestOrigin, selfEvent } from '../audit/record.ts';
import { checkRecoveryCode, checkTotp, type FactorResult } from '../mfa/second-factor.ts';
import { countUnusedRecoveryCodes } from '../db/recovery-codes.ts';
import { findUserById, type UserRow } from '../db/users.ts';
import { countPasskeys } from '../db/passkeys.ts';
import { minutesUntil, paths, readProgress, saveProgress, showNextStep, type Deps, type Details, type Progress } from './context.ts';
import { finishSignIn } from './finish.ts';
import { authFailures, locks } from '../metrics.ts';

export async function showCodePrompt(
  ctx: Context,
  details: Details,
  user: UserRow,
  mode: 'totp' | 'recovery',
  error?: { key: MessageKey; vars?: Record<string, string> },
  status = 200,
  hasPasskey = false,
): Promise<void> {
  const t = translator(pickLang(ctx));
  const p = paths(details.uid);
  await renderPage(
    ctx,
    'interaction/totp',
    {
      title: t(mode === 'recovery' ? 'recovery.title' : 'totp.title'),
      mode,
      email: user.email,
      error: error ? t(error.key, error.vars) : undefined,
      totpAction: p.totp,
      recoveryAction: p.recovery,
      recoveryHref: `${p.self}?use=recovery`,
      appHref: `${p.self}?use=totp`,
      passkeyHref: hasPasskey ? p.self : undefined,
      abortHref: p.abort,
    },
    status,
  );
}

export async function showRecovered(ctx: Context, deps: Deps, details: Details, user: UserRow): Promise<void> {
  const t = translator(pickLang(ctx));
  const p = paths(details.uid);
  await renderPage(ctx, 'interaction/recovered', {
    title: t('recovered.title'),
    remaining: await countUnusedRecoveryCodes(deps.db, user.id),
    enrolHref: `${p.self}?use=enrol`,
    action: p.proceed,
  });
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

const MESSAGES: Record<'totp' | 'recovery', Record<'malformed' | 'wrong' | 'replayed', MessageKey>> = {
  totp: { malformed: 'totp.malformed', wrong: 'totp.wrong', replayed: 'totp.wrong' },
  recovery: { malformed: 'recovery.malformed', wrong: 'recovery.wrong', replayed: 'recovery.wrong' },
};

async function refuse(deps: Deps, ctx: Context, details: Details, user: UserRow, mode: 'totp' | 'recovery', result: Exclude<FactorResult, { ok: true }>) {
  const now = deps.clock.now();
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
    return showCodePrompt(ctx, details, user, mode, { key: 'totp.locked', vars: { minutes: minutesUntil(until, now) } }, 429, hasPasskey);
  }
  return showCodePrompt(ctx, details, user, mode, { key: MESSAGES[mode][result.reason] }, result.reason === 'malformed' ? 400 : 401, hasPasskey);
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
  return finishSignIn(deps, ctx, details, user, progress.done, progress);
}
