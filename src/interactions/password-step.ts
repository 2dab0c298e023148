// The password step. The typed e-mail is canonicalised first (src/identity/email.ts). Throttled
// before any hash is computed: a browser with a device cookie for the account against that
// cookie's own budget, any other browser against the account's untrusted-browser lock and its
// address (src/mfa/password-throttle.ts); on success either finishes the sign-in or, when a rule
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
import { decideMfa, nextStep } from '../mfa/decision.ts';
import { beginPasswordAttempt, chargedTo, longest, passwordAttemptFailed, passwordAttemptSucceeded, passwordBudgets } from '../mfa/password-throttle.ts';
import { deviceCookieOf, deviceNonceFor } from '../mfa/device-cookie.ts';
import { appName } from '../oidc/app-name.ts';
import { clientInfo, minutesUntil, paths, readProgress, requestFacts, saveProgress, showNextStep, type Deps, type Details } from './context.ts';
import { finishSignIn } from './finish.ts';
import { authFailures, locks } from '../metrics.ts';

export async function showPasswordForm(
  deps: Deps,
  ctx: Context,
  details: Details,
  error?: { key: MessageKey; vars?: Record<string, string>; status?: number },
  email = '',
  why?: MessageKey,
): Promise<void> {
  const t = translator(pickLang(ctx));
  const p = paths(details.uid);
  await renderPage(
    ctx,
    'interaction/login',
    {
      title: t('login.title'),
      why: why ? t(why) : undefined,
      clientName: appName(await clientInfo(deps.provider, details), t),
      action: p.login,
      abortHref: p.abort,
      error: error ? t(error.key, error.vars) : undefined,
      email: email || (typeof details.params.login_hint === 'string' ? details.params.login_hint : ''),
    },
    error ? (error.status ?? (error.key === 'login.locked' ? 429 : 401)) : 200,
  );
}

/** Input with no safe canonical form: a 400 that says how to type it, the same whether or not an account exists. */
async function refuseEmail(deps: Deps, ctx: Context, details: Details, typed: string, reason: EmailRefusal): Promise<void> {
  await recordAudit(deps.db, {
    action: 'sign_in',
    outcome: 'refused',
    actorType: 'anonymous',
    details: { reason: 'email_not_canonical', email_refusal: reason, step: 'password' },
    ...requestOrigin(ctx),
  });
  const key = NOT_PLAIN_LETTERS.has(reason) ? 'login.emailNotPlain' : 'login.emailInvalid';
  return showPasswordForm(deps, ctx, details, { key, status: 400 }, typed);
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
  const deviceNonce = deviceNonceFor(deviceCookieOf(ctx), deps.dataKey, email, now);
  const budgets = passwordBudgets(email, { address: ctx.ip, deviceNonce });
  const lock = await beginPasswordAttempt(deps.db, budgets, now);
  if (lock) {
    await recordAudit(deps.db, {
      action: 'sign_in',
      outcome: 'refused',
      actorType: 'anonymous',
      details: { reason: 'locked', step: 'password', scope: lock.scope },
      ...origin,
    });
    return showPasswordForm(deps, ctx, details, { key: 'login.locked', vars: { minutes: minutesUntil(lock.until, now) } }, email);
  }

  const result = await checkPassword(deps.db, email, password);
  if (!result.ok) {
    const lockedNow = await passwordAttemptFailed(deps.db, budgets, now);
    const audit = {
      workspaceId: result.user?.workspace_id,
      actorType: result.user ? ('user' as const) : ('anonymous' as const),
      actorId: result.user?.id,
      targetType: result.user ? 'user' : null,
      targetId: result.user?.id,
      ...origin,
    };
    authFailures.inc({ factor: 'password', reason: result.reason === 'unknown_account' ? 'wrong_password' : result.reason });
    await recordAudit(deps.db, {
      ...audit,
      action: 'sign_in',
      outcome: 'failure',
      details: { reason: result.reason, client_id: details.params.client_id, step: 'password', scope: chargedTo(budgets) },
    });
    for (const { scope, until } of lockedNow) {
      locks.inc({ factor: `password_${scope}` });
      await recordAudit(deps.db, { ...audit, action: 'lock', outcome: 'success', details: { factor: 'password', scope, until: until.toISOString() } });
    }
    const locked = longest(lockedNow);
    if (locked) return showPasswordForm(deps, ctx, details, { key: 'login.locked', vars: { minutes: minutesUntil(locked.until, now) } }, email);
    return showPasswordForm(deps, ctx, details, { key: 'login.failed' }, email);
  }
  await passwordAttemptSucceeded(deps.db, budgets);

  const client = await clientInfo(deps.provider, details);
  const mfa = await decideMfa(deps.db, result.user.id, client, requestFacts(details));
  if (!mfa || nextStep(mfa, true) === 'finish') return finishSignIn(deps, ctx, details, result.user, 'password');
  // The same account confirming its password mid-interaction (before enrolment) keeps where it
  // stood: the QR code already shown, a recovery code already used.
  const previous = readProgress(details);
  const kept = previous?.accountId === result.user.id ? { enrolSecret: previous.enrolSecret, done: previous.done } : {};
  await saveProgress(deps, ctx, { ...kept, accountId: result.user.id, passwordAt: Math.floor(now.getTime() / 1000), reasons: mfa.reasons });
  showNextStep(ctx, details.uid, kept.done === 'recovery' ? 'enrol' : undefined);
}
