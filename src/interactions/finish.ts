// Ends a sign-in: records it and hands the result to oidc-provider, which redirects to the RP.
// The assurance (amr, acr) is decided here and nowhere else. A sign-in that proved the password in
// this interaction, and every further factor it asked for, leaves a device cookie for the account.
import type { Context } from 'koa';
import type { Deps, Details, Progress, SecondFactorMethod } from './context.ts';
import { recordAudit, requestOrigin, selfEvent } from '../audit/record.ts';
import { ACR_MFA, PASSWORD_ONLY, type Assurance } from '../mfa/assurance.ts';
import type { UserRow } from '../db/users.ts';
import { signIns } from '../metrics.ts';
import { rememberDevice } from '../mfa/device-cookie.ts';

export type SignInMethod = 'password' | SecondFactorMethod;

export function assuranceFor(method: SignInMethod): Assurance {
  if (method === 'otp') return { acr: ACR_MFA, amr: ['pwd', 'otp', 'mfa'] };
  // RFC 8176 orders nothing; ours is fixed so relying parties can compare: factors, then `mfa`.
  if (method === 'passkey') return { acr: ACR_MFA, amr: ['pwd', 'hwk', 'mfa'] };
  if (method === 'passkey_verified') return { acr: ACR_MFA, amr: ['pwd', 'hwk', 'user', 'mfa'] };
  // RFC 8176 has no value for a recovery code; it is a second factor, so `mfa` without `otp`.
  if (method === 'recovery') return { acr: ACR_MFA, amr: ['pwd', 'mfa'] };
  return PASSWORD_ONLY;
}

export async function finishSignIn(deps: Deps, ctx: Context, details: Details, user: UserRow, method: SignInMethod, progress?: Progress): Promise<void> {
  const assurance = assuranceFor(method);
  const now = deps.clock.now();
  signIns.inc({ acr: assurance.acr });
  await recordAudit(deps.db, {
    action: 'sign_in',
    outcome: 'success',
    ...selfEvent(user),
    details: {
      client_id: details.params.client_id,
      amr: assurance.amr,
      acr: assurance.acr,
      mfa_reasons: progress?.reasons ?? [],
      step_up: progress !== undefined && progress.passwordAt === undefined,
    },
    ...requestOrigin(ctx),
  });
  // Only once the whole sign-in is done, not after the password alone: the cookie exempts this
  // browser from the lock strangers share, and a phished password without the second factor must
  // not buy that. A step-up on an existing session (no password here) proves no more than the
  // session cookie does, so it earns nothing either.
  if (method === 'password' || progress?.passwordAt !== undefined) rememberDevice(ctx, deps.dataKey, user.email, now);
  await deps.provider.interactionFinished(
    ctx.req,
    ctx.res,
    { login: { accountId: user.id, ...assurance, ts: Math.floor(now.getTime() / 1000) } },
    { mergeWithLastSubmission: false },
  );
  ctx.respond = false;
}
