// The passkey step of a sign-in: for a user with at least one passkey or security key, offered
// before the authenticator app's code and the recovery code (which stay one link away). A failure
// counts toward the same second-factor lock as a wrong code (src/mfa/passkey.ts), is audited as
// `mfa.passkey` and counted in the metrics, and shows the page again with what went wrong.
import type { Context } from 'koa';
import { readForm, field } from '../http/form-body.ts';
import { renderPage } from '../http/render.ts';
import { jsonForScript } from '../http/json-in-html.ts';
import { pickLang, translator } from '../i18n/index.ts';
import type { MessageKey } from '../i18n/en.ts';
import { recordAudit, requestOrigin, selfEvent } from '../audit/record.ts';
import { authenticationOptions, checkPasskey, passkeyRp, type PasskeyResult } from '../mfa/passkey.ts';
import type { UserRow } from '../db/users.ts';
import { countAuthenticators } from '../db/authenticators.ts';
import { minutesUntil, paths, type Deps, type Details } from './context.ts';
import { atSecondFactor, showCodePrompt } from './second-factor-step.ts';
import { finishSignIn } from './finish.ts';
import { attemptsWarning } from './attempts.ts';
import { authFailures, locks } from '../metrics.ts';

/**
 * The page with a fresh challenge. `hasApp`: the user also has an authenticator app, so the page
 * links to its code; a recovery code is always one link away.
 */
export async function showPasskeyPrompt(
  deps: Deps,
  ctx: Context,
  details: Details,
  user: UserRow,
  hasApp: boolean,
  error?: string,
  status = 200,
): Promise<void> {
  const options = await authenticationOptions(deps.db, passkeyRp(deps.provider.issuer), user.id, deps.clock.now());
  // The last passkey was removed in another tab since the step was chosen: the code it is.
  if (!options) return showCodePrompt(deps, ctx, details, user, hasApp ? 'totp' : 'recovery', error, status);
  const t = translator(pickLang(ctx));
  const p = paths(details.uid);
  await renderPage(
    ctx,
    'interaction/passkey',
    {
      title: t('passkey.title'),
      email: user.email,
      error,
      optionsJson: jsonForScript(options),
      action: p.passkey,
      appHref: hasApp ? `${p.self}?use=totp` : undefined,
      recoveryHref: `${p.self}?use=recovery`,
      abortHref: p.abort,
    },
    status,
  );
}

const MESSAGES: Record<'malformed' | 'wrong' | 'replayed', MessageKey> = {
  malformed: 'passkey.malformed',
  wrong: 'passkey.wrong',
  replayed: 'passkey.replayed',
};

async function refuse(deps: Deps, ctx: Context, details: Details, user: UserRow, result: Exclude<PasskeyResult, { ok: true }>, hasApp: boolean) {
  const now = deps.clock.now();
  const t = translator(pickLang(ctx));
  const audit = { ...selfEvent(user), ...requestOrigin(ctx) };
  authFailures.inc({ factor: 'passkey', reason: result.reason });
  await recordAudit(deps.db, {
    ...audit,
    action: 'mfa.passkey',
    outcome: result.reason === 'locked' ? 'refused' : 'failure',
    details: { reason: result.reason, client_id: details.params.client_id },
  });
  if (result.reason === 'malformed') return showPasskeyPrompt(deps, ctx, details, user, hasApp, t(MESSAGES.malformed), 400);
  if (result.reason === 'locked' || result.lock.locked) {
    const until = result.lock.locked ? result.lock.until : now;
    if (result.reason !== 'locked') {
      locks.inc({ factor: 'second_factor' });
      await recordAudit(deps.db, { ...audit, action: 'lock', outcome: 'success', details: { factor: 'second_factor', until: until.toISOString() } });
    }
    return showPasskeyPrompt(deps, ctx, details, user, hasApp, t('totp.locked', { minutes: minutesUntil(until, now) }), 429);
  }
  // From the second failure on, the tries left before the pause, as on the code prompt.
  const warning = attemptsWarning(t, result.lock);
  const message = t(MESSAGES[result.reason]);
  return showPasskeyPrompt(deps, ctx, details, user, hasApp, warning ? t('lostPhone.withAttempts', { message, attempts: warning }) : message, 401);
}

export async function submitPasskey(deps: Deps, ctx: Context, details: Details): Promise<void> {
  const { progress, user } = await atSecondFactor(deps, details);
  const response = field(await readForm(ctx), 'response');
  const result = await checkPasskey(deps.db, passkeyRp(deps.provider.issuer), user.id, response, deps.clock.now());
  if (!result.ok) {
    return refuse(deps, ctx, details, user, result, (await countAuthenticators(deps.db, user.id)) > 0);
  }
  await recordAudit(deps.db, {
    ...selfEvent(user),
    ...requestOrigin(ctx),
    action: 'mfa.passkey',
    outcome: 'success',
    details: { passkey_id: result.passkeyId, user_verified: result.userVerified, client_id: details.params.client_id },
  });
  return finishSignIn(deps, ctx, details, user, result.userVerified ? 'passkey_verified' : 'passkey', progress);
}
