// Adding a passkey or security key as the second factor inside a sign-in (the enrolment page's
// second choice). The same rule as the authenticator app: binding needs the password proven in
// this interaction within the last 5 minutes, checked again at the moment of binding.
import type { Context } from 'koa';
import { readForm, field } from '../http/form-body.ts';
import { HttpError } from '../http/errors.ts';
import type { MessageKey } from '../i18n/en.ts';
import { confirmPasskeyEnrolment } from '../mfa/passkey-enrolment.ts';
import { passkeyRp } from '../mfa/passkey.ts';
import { findAccountFacts } from '../db/account-facts.ts';
import { recordAudit, requestOrigin, selfEvent } from '../audit/record.ts';
import { firstFactorIsFresh, readProgress, saveProgress, showNextStep, type Deps, type Details, type Progress } from './context.ts';
import { sealCodesToShow, showEnrolment } from './enrolment-step.ts';
import { finishSignIn } from './finish.ts';

const REFUSALS: Record<'malformed' | 'rejected' | 'already', { key: MessageKey; status: number }> = {
  malformed: { key: 'enrol.passkey.malformed', status: 400 },
  rejected: { key: 'enrol.passkey.rejected', status: 400 },
  // Registered already (by this user or anyone): nothing was stored.
  already: { key: 'enrol.passkey.already', status: 409 },
};

export async function submitPasskeyEnrolment(deps: Deps, ctx: Context, details: Details): Promise<void> {
  const progress = readProgress(details);
  // A repeated submission after this enrolment succeeded: show what the first one produced.
  if (progress?.codesToShow || (progress?.done && progress.done !== 'recovery')) return showNextStep(ctx, details.uid);
  if (details.prompt.name !== 'login' || !progress) throw new HttpError(400, 'error.interaction', 'not at the enrolment step');
  const facts = await findAccountFacts(deps.db, progress.accountId);
  if (facts?.user.status !== 'active') throw new HttpError(400, 'error.interaction', 'account no longer active');
  const { user } = facts;
  // Only where the sign-in offers enrolment: a user with a second factor must pass it first (or
  // a recovery code), or a password alone would bind an attacker's passkey.
  if (facts.authenticatorCount > 0 && progress.done !== 'recovery') throw new HttpError(400, 'error.interaction', 'not at the enrolment step');
  const form = await readForm(ctx);
  const label = field(form, 'label');
  const now = deps.clock.now();
  // The page may have been open longer than allowed, or this is a step-up on a session alone.
  if (!firstFactorIsFresh(progress, now)) return showNextStep(ctx, details.uid, 'enrol');
  const result = await confirmPasskeyEnrolment(deps.db, deps.dataKey, passkeyRp(deps.provider.issuer), {
    userId: user.id,
    label,
    response: field(form, 'response'),
    now,
    audit: ({ passkey, recoveryCodesIssued }) => ({
      action: 'mfa.passkey_enrol',
      outcome: 'success',
      workspaceId: user.workspace_id,
      actorType: 'user',
      actorId: user.id,
      actorLabel: user.email,
      targetType: 'passkey',
      targetId: passkey.id,
      details: { label: passkey.label, where: 'sign-in', recovery_codes_issued: recoveryCodesIssued, mfa_reasons: progress.reasons },
      ...requestOrigin(ctx),
    }),
  });
  if (!result.ok) {
    await recordAudit(deps.db, {
      ...selfEvent(user),
      ...requestOrigin(ctx),
      action: 'mfa.passkey_enrol',
      outcome: 'failure',
      details: { reason: result.reason, where: 'sign-in' },
    });
    const refusal = REFUSALS[result.reason];
    return showEnrolment(deps, ctx, details, progress, user, { key: refusal.key, status: refusal.status }, '', label);
  }
  const next: Progress = { ...progress, enrolSecret: undefined, done: result.userVerified ? 'passkey_verified' : 'passkey' };
  if (!result.recoveryCodes) return finishSignIn(deps, ctx, details, user, next.done!, next);
  await saveProgress(deps, ctx, { ...next, codesToShow: sealCodesToShow(deps.dataKey, result.recoveryCodes) });
  showNextStep(ctx, details.uid);
}
