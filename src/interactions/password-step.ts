// The password step. Throttled per canonical e-mail (src/identity/email.ts) and per client
// address before any hash is computed; on success either finishes the sign-in or, when a rule
// demands MFA, moves on to the TOTP prompt or enrolment within the same interaction.
import type { Context } from 'koa';
import { readForm, field } from '../http/form-body.ts';
import { renderPage } from '../http/render.ts';
import { HttpError } from '../http/errors.ts';
import { pickLang, translator } from '../i18n/index.ts';
import type { MessageKey } from '../i18n/en.ts';
import { checkPassword } from './password-sign-in.ts';
import { canonicalEmail, NOT_PLAIN_LETTERS, type EmailRefusal } from '../identity/email.ts';
import { recordAudit, requestOrigin } from '../audit/record.ts';
import { mfaContext } from '../mfa/facts.ts';
import { ADDRESS_FAILURES_BEFORE_LOCK, attemptFailed, attemptSucceeded, attemptSucceededShared, beginAttempt, throttleKeys, type LockState } from '../mfa/throttle.ts';
import { clientInfo, minutesUntil, paths, requestFacts, saveProgress, showNextStep, type Deps, type Details } from './context.ts';
import { finishSignIn } from './finish.ts';
import { authFailures, locks } from '../metrics.ts';

export async function showPasswordForm(
  deps: Deps,
  ctx: Context,
  details: Details,
  error?: { key: MessageKey; vars?: Record<string, string>; status?: number },
  email = '',
): Promise<void> {
  const t = translator(pickLang(ctx));
  const p = paths(details.uid);
  await renderPage(ctx, 'interaction/login', {
    title: t('login.title'),
    clientName: (await clientInfo(deps.provider, details)).name,
    action: p.login,
    abortHref: p.abort,
    error: error ? t(error.key, error.vars) : undefined,
    email: email || (typeof details.params.login_hint === 'string' ? details.params.login_hint : ''),
  }, error ? (error.status ?? (error.key === 'login.locked' ? 429 : 401)) : 200);
}

/** Input with no safe canonical form: a 400 that says how to type it, the same whether or not an account exists. */
async function refuseEmail(deps: Deps, ctx: Context, details: Details, typed: string, reason: EmailRefusal): Promise<void> {
  await recordAudit(deps.db, { action: 'sign_in', outcome: 'refused', actorType: 'anonymous', details: { reason: 'email_not_canonical', email_refusal: reason, step: 'password' }, ...requestOrigin(ctx) });
  const key = NOT_PLAIN_LETTERS.has(reason) ? 'login.emailNotPlain' : 'login.emailInvalid';
  return showPasswordForm(deps, ctx, details, { key, status: 400 }, typed);
}

/** The lock that lasts longest, if any. */
function latest(...states: LockState[]): LockState {
  return states.reduce<LockState>((a, b) => (b.locked && (!a.locked || b.until > a.until) ? b : a), { locked: false });
}

export async function submitPassword(deps: Deps, ctx: Context, details: Details): Promise<void> {
  if (details.prompt.name !== 'login') throw new HttpError(400, 'error.interaction', 'not at the login step');
  const form = await readForm(ctx);
  const typed = field(form, 'email').trim();
  const password = field(form, 'password');
  if (!typed || !password) return showPasswordForm(deps, ctx, details, { key: 'login.missing' }, typed);
  // Refused before any counter or hash: the text names no account, whoever typed it.
  const canonical = canonicalEmail(typed);
  if (!canonical.ok) return refuseEmail(deps, ctx, details, typed, canonical.reason);
  const email = canonical.email;

  const now = deps.clock.now();
  const origin = requestOrigin(ctx);
  const accountKey = throttleKeys.passwordAccount(email);
  const addressKey = throttleKeys.passwordAddress(ctx.ip);
  const lock = latest(
    await beginAttempt(deps.db, accountKey, now),
    await beginAttempt(deps.db, addressKey, now, ADDRESS_FAILURES_BEFORE_LOCK),
  );
  if (lock.locked) {
    await recordAudit(deps.db, { action: 'sign_in', outcome: 'refused', actorType: 'anonymous', details: { reason: 'locked', step: 'password' }, ...origin });
    return showPasswordForm(deps, ctx, details, { key: 'login.locked', vars: { minutes: minutesUntil(lock.until, now) } }, email);
  }

  const result = await checkPassword(deps.db, email, password);
  if (!result.ok) {
    const accountLock = await attemptFailed(deps.db, accountKey, now);
    const addressLock = await attemptFailed(deps.db, addressKey, now, ADDRESS_FAILURES_BEFORE_LOCK);
    const audit = {
      workspaceId: result.user?.workspace_id,
      actorType: result.user ? ('user' as const) : ('anonymous' as const),
      actorId: result.user?.id,
      targetType: result.user ? 'user' : null,
      targetId: result.user?.id,
      ...origin,
    };
    authFailures.inc({ factor: 'password', reason: result.reason === 'unknown_account' ? 'wrong_password' : result.reason });
    await recordAudit(deps.db, { ...audit, action: 'sign_in', outcome: 'failure', details: { reason: result.reason, client_id: details.params.client_id, step: 'password' } });
    for (const [scope, state] of [['account', accountLock], ['address', addressLock]] as const) {
      if (state.locked) locks.inc({ factor: `password_${scope}` });
      if (state.locked) await recordAudit(deps.db, { ...audit, action: 'lock', outcome: 'success', details: { factor: 'password', scope, until: state.until.toISOString() } });
    }
    const locked = latest(accountLock, addressLock);
    if (locked.locked) return showPasswordForm(deps, ctx, details, { key: 'login.locked', vars: { minutes: minutesUntil(locked.until, now) } }, email);
    return showPasswordForm(deps, ctx, details, { key: 'login.failed' }, email);
  }
  // The address counter is only given this attempt back: one good password must not wipe the
  // failures others made from the same address.
  await attemptSucceeded(deps.db, accountKey);
  await attemptSucceededShared(deps.db, addressKey);

  const client = await clientInfo(deps.provider, details);
  const mfa = await mfaContext(deps.db, result.user.id, client, requestFacts(details));
  if (!mfa || mfa.reasons.length === 0) return finishSignIn(deps, ctx, details, result.user, 'password');
  await saveProgress(deps, ctx, { accountId: result.user.id, passwordAt: Math.floor(now.getTime() / 1000), reasons: mfa.reasons });
  showNextStep(ctx, details.uid);
}
