// What a change at /account shows for its fresh proof, and reading that proof back from the form:
// a code field when the user has an authenticator app, a passkey button (with a challenge stored
// for this page) when they have a passkey, the password field when they have neither.
import type { Context } from 'koa';
import { field } from '../http/form-body.ts';
import { deviceCookieOf } from '../mfa/device-cookie.ts';
import { authenticationOptions, passkeyRp, type PasskeyRp } from '../mfa/passkey.ts';
import { freshFactors, type FreshProof } from '../mfa/self-service.ts';
import type { AccountDeps } from './spec.ts';

export type FreshView = { method: 'otp' | 'pwd'; app: boolean; passkeyOptions: string | undefined };

export const rpOf = (deps: Pick<AccountDeps, 'provider'>): PasskeyRp => passkeyRp(deps.provider.issuer);

/**
 * JSON for a `<script type="application/json">` element: `<` escaped so that no value (a user's
 * name, say) can close the element and start markup of its own.
 */
export const scriptJson = (value: unknown) => JSON.stringify(value).replace(/</g, '\\u003c');

export async function freshView(deps: AccountDeps, userId: string): Promise<FreshView> {
  const factors = await freshFactors(deps.db, userId);
  if (!factors.app && !factors.passkey) return { method: 'pwd', app: false, passkeyOptions: undefined };
  const options = factors.passkey ? await authenticationOptions(deps.db, rpOf(deps), userId, deps.clock.now()) : undefined;
  return { method: 'otp', app: factors.app, passkeyOptions: options ? scriptJson(options) : undefined };
}

export function readProof(deps: AccountDeps, form: URLSearchParams, ctx: Context): FreshProof {
  return {
    code: field(form, 'code'),
    password: field(form, 'password'),
    passkey: field(form, 'response'),
    rp: rpOf(deps),
    deviceCookie: deviceCookieOf(ctx),
  };
}
