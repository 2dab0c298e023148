// findAccount for oidc-provider: the claims a relying party may learn about a user. A disabled or
// deleted user has no account, so their sessions and refresh tokens stop producing tokens.
import type { Account, FindAccount } from 'oidc-provider';
import type { Db } from '../db/connection.ts';
import { findAccountFacts } from '../db/account-facts.ts';
import { standingReasons } from '../mfa/decision.ts';
import { ACR_MFA } from '../mfa/assurance.ts';

export const CLAIMS = {
  openid: ['sub', 'auth_time', 'acr', 'amr', 'sid', 'workspace'],
  email: ['email', 'email_verified'],
  profile: ['name'],
};

export function accountFinder(db: Db): FindAccount {
  return async (ctx, sub, token): Promise<Account | undefined> => {
    const facts = await findAccountFacts(db, sub);
    if (facts?.user.status !== 'active') return undefined;
    const { user, workspace } = facts;
    // A refresh token or authorization code from a password-only sign-in stops working once a
    // standing rule demands MFA (e.g. the workspace switched to `required`): no token with
    // amr ["pwd"] is issued after that.
    if ((token?.kind === 'RefreshToken' || token?.kind === 'AuthorizationCode') && (token as { acr?: string }).acr !== ACR_MFA) {
      const reasons = standingReasons(facts, { requireMfa: ctx.oidc.client?.metadata().require_mfa === true });
      if (reasons.length) return undefined;
    }
    return {
      accountId: user.id,
      claims: async () => ({
        sub: user.id,
        email: user.email,
        email_verified: user.email_verified,
        name: user.name || undefined,
        workspace: { id: workspace.id, slug: workspace.slug },
      }),
    };
  };
}
