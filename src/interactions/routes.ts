// The interactive steps of an authorization request, top to bottom: password, then (when a rule
// demands MFA) the passkey or TOTP prompt or enrolment, then consent. Every POST is bound to the
// interaction by oidc-provider's signed, SameSite=Lax interaction cookie and the uid in the URL,
// so a form posted from another site or for another interaction is refused.
import Router from '@koa/router';
import type { Context } from 'koa';
import { HttpError } from '../http/errors.ts';
import type { UserRow } from '../db/users.ts';
import { findAccountFacts, type AccountFacts } from '../db/account-facts.ts';
import { bindingStep, decideMfa, nextStep } from '../mfa/decision.ts';
import {
  clientInfo,
  firstFactorIsFresh,
  loadInteraction,
  readProgress,
  requestFacts,
  saveProgress,
  type Deps,
  type Details,
  type Progress,
} from './context.ts';
import { showPasswordForm, submitPassword } from './password-step.ts';
import { showCodePrompt, submitContinue, submitRecoveryCode, submitTotp } from './second-factor-step.ts';
import { showRecovered, submitRemoval } from './recovered-step.ts';
import { showEnrolment, showRecoveryCodes, submitEnrolment } from './enrolment-step.ts';
import { showPasskeyPrompt, submitPasskey } from './passkey-step.ts';
import { submitPasskeyEnrolment } from './passkey-enrolment-step.ts';
import { showConsent, submitConsent } from './consent-step.ts';

// Login-prompt reasons that an existing session satisfies with a second factor alone (step-up);
// any other reason (no session, prompt=login, max_age …) means the whole sign-in again.
const STEP_UP_REASONS = new Set(['mfa_required', 'essential_acr', 'essential_acrs']);

async function stepUpProgress(deps: Deps, ctx: Context, details: Details): Promise<Progress | undefined> {
  const accountId = details.session?.accountId;
  if (!accountId || !details.prompt.reasons.every((r) => STEP_UP_REASONS.has(r))) return undefined;
  const mfa = await decideMfa(deps.db, accountId, await clientInfo(deps.provider, details), requestFacts(details));
  if (!mfa) return undefined;
  const progress: Progress = { accountId, reasons: mfa.reasons.length ? mfa.reasons : ['request_acr'] };
  await saveProgress(deps, ctx, progress);
  return progress;
}

async function showLoginStep(deps: Deps, ctx: Context, details: Details): Promise<void> {
  const progress = readProgress(details) ?? (await stepUpProgress(deps, ctx, details));
  if (!progress) return showPasswordForm(deps, ctx, details);
  const facts = await findAccountFacts(deps.db, progress.accountId);
  if (facts?.user.status !== 'active') return showPasswordForm(deps, ctx, details);
  const { user } = facts;
  const fresh = firstFactorIsFresh(progress, deps.clock.now());
  const use = ctx.query.use;
  // Pages between the second factor and the app: the codes to save, the choice after a recovery code.
  if (progress.codesToShow) return showRecoveryCodes(deps, ctx, details, progress, user);
  if (progress.done === 'recovery') {
    if (use !== 'enrol') return showRecovered(ctx, deps, details, user);
    return bindingStep(fresh) === 'enrol' ? showEnrolment(deps, ctx, details, progress, user) : askPasswordBeforeBinding(deps, ctx, details, progress, user);
  }
  if (progress.done) throw new HttpError(400, 'error.interaction', 'sign-in already complete');
  switch (nextStep({ ...facts, reasons: progress.reasons }, fresh)) {
    case 'enrol':
      return showEnrolment(deps, ctx, details, progress, user);
    case 'code':
      return showSecondFactor(deps, ctx, details, user, facts, use);
    case 'password':
      return askPasswordBeforeBinding(deps, ctx, details, progress, user);
    case 'finish':
      // A saved progress always carries a reason (a step-up without one records request_acr).
      throw new HttpError(400, 'error.interaction', 'no second factor is needed here');
  }
}

/**
 * A user with a passkey is offered it first, with the app's code (when they have an app) and a
 * recovery code one link away; a user with only an app gets the code prompt as before.
 */
async function showSecondFactor(deps: Deps, ctx: Context, details: Details, user: UserRow, facts: AccountFacts, use: unknown): Promise<void> {
  const hasPasskey = facts.passkeyCount > 0;
  const hasApp = facts.authenticatorCount > facts.passkeyCount;
  if (use === 'recovery') return showCodePrompt(deps, ctx, details, user, 'recovery', undefined, 200, hasPasskey);
  if (hasPasskey && (use !== 'totp' || !hasApp)) return showPasskeyPrompt(deps, ctx, details, user, hasApp);
  return showCodePrompt(deps, ctx, details, user, 'totp', undefined, 200, hasPasskey);
}

/** The password page with the reason: binding a factor needs a fresh password (src/mfa/decision.ts). */
async function askPasswordBeforeBinding(deps: Deps, ctx: Context, details: Details, progress: Progress, user: UserRow): Promise<void> {
  const why = progress.passwordAt === undefined ? 'login.why.enrol' : 'login.why.enrolExpired';
  return showPasswordForm(deps, ctx, details, undefined, user.email, why);
}

type Step = (deps: Deps, ctx: Context, details: Details) => Promise<void>;

export function interactionRoutes(deps: Deps): Router {
  const router = new Router();
  const route = (step: Step) => async (ctx: Context) => step(deps, ctx, await loadInteraction(deps.provider, ctx));

  router.get(
    '/interaction/:uid',
    route(async (d, ctx, details) => {
      if (details.prompt.name === 'consent') return showConsent(d, ctx, details);
      if (details.prompt.name === 'login') return showLoginStep(d, ctx, details);
      throw new HttpError(400, 'error.interaction', `unknown prompt ${details.prompt.name}`);
    }),
  );
  router.post('/interaction/:uid/login', route(submitPassword));
  router.post('/interaction/:uid/totp', route(submitTotp));
  router.post('/interaction/:uid/passkey', route(submitPasskey));
  router.post('/interaction/:uid/recovery', route(submitRecoveryCode));
  router.post('/interaction/:uid/enrol', route(submitEnrolment));
  router.post('/interaction/:uid/enrol-passkey', route(submitPasskeyEnrolment));
  router.post('/interaction/:uid/continue', route(submitContinue));
  router.post('/interaction/:uid/remove-authenticators', route(submitRemoval));
  router.post('/interaction/:uid/consent', route(submitConsent));
  router.get(
    '/interaction/:uid/abort',
    route(async (d, ctx) => {
      await d.provider.interactionFinished(
        ctx.req,
        ctx.res,
        { error: 'access_denied', error_description: 'The user cancelled the sign-in.' },
        { mergeWithLastSubmission: false },
      );
      ctx.respond = false;
    }),
  );
  return router;
}
