// The MFA decision as an oidc-provider login-prompt check: an existing session that lacks the
// MFA level, for a request where a rule demands it, is sent back through the interaction (step-up,
// or enrolment), and prompt=none gets login_required instead of a token.
import { interactionPolicy, type KoaContextWithOIDC } from 'oidc-provider';
import type { Db } from '../db/connection.ts';
import { mfaContext } from '../mfa/facts.ts';
import type { MfaReason } from '../mfa/rules.ts';
import { ACR_MFA } from './assurance.ts';
import { ADMIN_CLIENT_ID } from './clients.ts';

const { Check, base } = interactionPolicy;

async function reasonsFor(db: Db, ctx: KoaContextWithOIDC): Promise<MfaReason[]> {
  const { oidc } = ctx;
  const accountId = oidc.session?.accountId;
  if (!accountId || oidc.session?.acr === ACR_MFA || !oidc.client) return [];
  const mfa = await mfaContext(
    db,
    accountId,
    { requireMfa: oidc.client.metadata().require_mfa === true, adminConsole: oidc.client.clientId === ADMIN_CLIENT_ID },
    { acrValues: oidc.params?.acr_values as string | undefined, claims: oidc.claims },
  );
  return mfa?.reasons ?? [];
}

export function interactionsPolicy(db: Db) {
  const policy = base();
  const cache = new WeakMap<KoaContextWithOIDC, Promise<MfaReason[]>>();
  const reasons = (ctx: KoaContextWithOIDC) => {
    let found = cache.get(ctx);
    if (!found) cache.set(ctx, (found = reasonsFor(db, ctx)));
    return found;
  };
  policy.get('login')!.checks.add(
    new Check(
      'mfa_required',
      'multi-factor authentication is required',
      async (ctx) => ((await reasons(ctx)).length ? Check.REQUEST_PROMPT : Check.NO_NEED_TO_PROMPT),
      async (ctx) => ({ mfa_reasons: await reasons(ctx) }),
    ),
  );
  return policy;
}
