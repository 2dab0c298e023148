// What every interaction step shares: loading the interaction bound to this browser, the
// sign-in progress kept server-side in it, and the facts about the client and the request.
import type { Context } from 'koa';
import type Provider from 'oidc-provider';
import type { Db } from '../db/connection.ts';
import type { Clock } from '../clock.ts';
import type { MfaReason } from '../mfa/rules.ts';
import type { MfaFacts } from '../mfa/rules.ts';
import { HttpError } from '../http/errors.ts';
import { ADMIN_CLIENT_ID } from '../oidc/clients.ts';
import { isDatabaseUnavailable } from '../db/unavailable.ts';

export type Deps = { provider: Provider; db: Db; dataKey: Buffer; clock: Clock; instanceName: string };

export type Details = Awaited<ReturnType<Provider['interactionDetails']>>;

/**
 * Where a sign-in stands between requests. It lives in the interaction (in the database), never
 * in the browser: the browser only holds the signed interaction cookie.
 */
export type Progress = {
  accountId: string;
  /** Epoch seconds of the password check in this interaction; absent in a step-up. */
  passwordAt?: number;
  reasons: MfaReason[];
  /** Sealed secret offered for enrolment, kept so a reload shows the same QR code. */
  enrolSecret?: string;
  /** Sealed recovery codes waiting to be shown once. */
  codesToShow?: string;
  /** The second factor is done; the user is reading a page before going back to the app. */
  done?: SecondFactorMethod;
  /** Labels of the authenticators removed after a recovery code, to say so on the next page. */
  removed?: string[];
};

/**
 * How the second step was passed: an app's code, a recovery code, a passkey or security key
 * (`passkey_verified` when the authenticator also verified the person, by PIN or biometric).
 */
export type SecondFactorMethod = 'otp' | 'recovery' | 'passkey' | 'passkey_verified';

export async function loadInteraction(provider: Provider, ctx: Context): Promise<Details> {
  let details: Details;
  try {
    details = await provider.interactionDetails(ctx.req, ctx.res);
  } catch (err) {
    // The interaction is still there when the database comes back: say so, not "expired".
    if (isDatabaseUnavailable(err)) throw err;
    throw new HttpError(400, 'error.interaction', 'interaction cookie missing, invalid or expired');
  }
  if (details.uid !== ctx.params.uid) throw new HttpError(400, 'error.interaction', 'interaction uid mismatch');
  ctx.set('Cache-Control', 'no-store');
  return details;
}

export function readProgress(details: Details): Progress | undefined {
  return (details.result as { tobira?: Progress } | undefined)?.tobira;
}

export async function saveProgress(deps: Deps, ctx: Context, progress: Progress): Promise<void> {
  await deps.provider.interactionResult(ctx.req, ctx.res, { tobira: progress }, { mergeWithLastSubmission: false });
}

export async function clientInfo(
  provider: Provider,
  details: Details,
): Promise<{ clientId: string; name: string; requireMfa: boolean; adminConsole: boolean }> {
  const client = await provider.Client.find(String(details.params.client_id));
  return {
    clientId: client?.clientId ?? '',
    name: client?.clientName ?? client?.clientId ?? '',
    requireMfa: client?.metadata().require_mfa === true,
    adminConsole: client?.clientId === ADMIN_CLIENT_ID,
  };
}

export function requestFacts(details: Details): NonNullable<MfaFacts['request']> {
  const { acr_values: acrValues, claims } = details.params as { acr_values?: unknown; claims?: unknown };
  let parsed: unknown;
  try {
    parsed = typeof claims === 'string' ? JSON.parse(claims) : claims;
  } catch {
    parsed = undefined; // oidc-provider already refused malformed claims before the interaction began
  }
  return { acrValues: typeof acrValues === 'string' ? acrValues : undefined, claims: parsed };
}

export const paths = (uid: string) => ({
  self: `/interaction/${uid}`,
  login: `/interaction/${uid}/login`,
  totp: `/interaction/${uid}/totp`,
  recovery: `/interaction/${uid}/recovery`,
  enrol: `/interaction/${uid}/enrol`,
  passkey: `/interaction/${uid}/passkey`,
  enrolPasskey: `/interaction/${uid}/enrol-passkey`,
  proceed: `/interaction/${uid}/continue`,
  consent: `/interaction/${uid}/consent`,
  abort: `/interaction/${uid}/abort`,
});

// Binding a new factor needs the first factor proven this recently in this browser (this
// interaction): a stolen session cookie alone must never be enough to bind an attacker's app.
export const FRESH_FIRST_FACTOR_SECONDS = 5 * 60;

export function firstFactorIsFresh(progress: Progress, now: Date): boolean {
  return progress.passwordAt !== undefined && now.getTime() / 1000 - progress.passwordAt <= FRESH_FIRST_FACTOR_SECONDS;
}

export function minutesUntil(until: Date, now: Date): string {
  return String(Math.max(1, Math.ceil((until.getTime() - now.getTime()) / 60000)));
}

/** After a POST that moved the sign-in forward, show the next step with a fresh GET. */
export function showNextStep(ctx: Context, uid: string, use?: 'enrol' | 'totp'): void {
  ctx.status = 303;
  ctx.redirect(use ? `${paths(uid).self}?use=${use}` : paths(uid).self);
}
