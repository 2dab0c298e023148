// The MFA decision as an oidc-provider login-prompt check: an existing session that lacks the
// MFA level, for a request where a rule demands it, is sent back through the interaction (step-up,
// or enrolment), and prompt=none gets login_required instead of a token.
import { interactionPolicy, type KoaContextWithOIDC } from 'oidc-provider';
import type { Db } from '../db/connection.ts';
import { decideMfa } from '../mfa/decision.ts';
import type { MfaReason } from '../mfa/rules.ts';
import { ACR_MFA } from '../mfa/assurance.ts';
import { ADMIN_CLIENT_ID } from './clients.ts';

const { Check, base } = interactionPolicy;

async function reasonsFor(db: Db, ctx: KoaContextWithOIDC): Promise<MfaReason[]> {
  const { oidc } = ctx;
  const accountId = oidc.session?.accountId;
  if (!accountId || oidc.session?.acr === ACR_MFA || !oidc.client) return [];
  const mfa = await decideMfa(
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
    const known = cache.get(ctx);
    if (known) return known;
    const found = reasonsFor(db, ctx);
    cache.set(ctx, found);
    return found;
  };
  const login = policy.get('login')!;
  // Before the library's own ACR checks, so a session lacking MFA gets one answer whichever way
  // the request asked for it. The error for prompt=none is login_required: a second factor is
  // End-User authentication (OpenID Connect Core §3.1.2.6), and RPs answer it with an interactive
  // sign-in.
  const beforeAcrChecks = login.checks.findIndex((check) => check.reason === 'essential_acrs');
  login.checks.add(
    new Check(
      'mfa_required',
      'multi-factor authentication is required',
      'login_required',
      async (ctx) => ((await reasons(ctx)).length ? Check.REQUEST_PROMPT : Check.NO_NEED_TO_PROMPT),
      async (ctx) => ({ mfa_reasons: await reasons(ctx) }),
    ),
    beforeAcrChecks === -1 ? login.checks.length : beforeAcrChecks,
  );
  return policy;
}
