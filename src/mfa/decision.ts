// The one place that answers "is a second factor needed, why, and what does the user see next?".
// The prompt check (src/oidc/mfa-check.ts), the sign-in steps (src/interactions/), the refresh
// gate (src/oidc/accounts.ts) and /account all ask here; the reasons themselves are the named
// rules of ./rules.ts, and the facts they look at come from one query (src/db/account-facts.ts).
import type { Db } from '../db/connection.ts';
import { type AccountFacts, findAccountFacts } from '../db/account-facts.ts';
import type { UserRow } from '../db/users.ts';
import type { WorkspaceRow } from '../db/workspaces.ts';
import { type MfaFacts, type MfaReason, mfaReasons, standingMfaReasons } from './rules.ts';

export type ClientFacts = { requireMfa: boolean; adminConsole?: boolean };

/** The account's facts and every rule that demands a second factor for this request. */
export type MfaDecision = AccountFacts & { reasons: MfaReason[] };

/** What the person meets next in a sign-in. */
export type NextStep = 'password' | 'code' | 'enrol' | 'finish';

function ruleFacts(facts: AccountFacts, client: ClientFacts, request?: MfaFacts['request']): MfaFacts {
  return {
    user: { role: facts.user.role, authenticatorCount: facts.authenticatorCount, requiredByAdmin: Boolean(facts.user.mfa_required_at) },
    workspace: { mfaPolicy: facts.workspace.mfa_policy },
    client,
    request,
  };
}

/** Reads the account once and applies the rules; undefined when the account does not exist. */
export async function decideMfa(db: Db, userId: string, client: ClientFacts, request: MfaFacts['request']): Promise<MfaDecision | undefined> {
  const facts = await findAccountFacts(db, userId);
  if (!facts) return undefined;
  return { ...facts, reasons: mfaReasons(ruleFacts(facts, client, request)) };
}

/**
 * The next step of a sign-in once the reasons are known. Binding a new factor needs the first
 * factor proven recently in this browser (`freshFirstFactor`): a session cookie alone never gets
 * to enrolment, it is asked for the password first. A code, which a cookie cannot produce, is
 * asked on the session alone (step-up).
 */
export function nextStep(decision: Pick<MfaDecision, 'user' | 'authenticatorCount' | 'reasons'> | undefined, freshFirstFactor: boolean): NextStep {
  if (decision?.user.status !== 'active') return 'password';
  if (decision.reasons.length === 0) return 'finish';
  if (decision.authenticatorCount > 0) return 'code';
  return freshFirstFactor ? 'enrol' : 'password';
}

/** The step before binding a factor the user chose to add (after a recovery code). */
export const bindingStep = (freshFirstFactor: boolean): 'enrol' | 'password' => (freshFirstFactor ? 'enrol' : 'password');

/**
 * Rules that still hold long after the sign-in, when a refresh token or an authorization code is
 * used: the workspace policy, an enrolled user, the client's own demand, an admin's requirement.
 */
export function standingReasons(facts: AccountFacts, client: ClientFacts): MfaReason[] {
  return standingMfaReasons(ruleFacts(facts, client));
}

/**
 * The standing rules that make MFA compulsory for this user, leaving out "enrolled" (which would
 * make everyone who enrolled unable ever to leave). Per-request rules (an app's require_mfa, the
 * admin console) apply when that request comes, so they do not hold MFA on here.
 */
export function mfaRequiredBy(user: UserRow, workspace: WorkspaceRow): MfaReason[] {
  return standingReasons({ user, workspace, authenticatorCount: 0, passkeyCount: 0 }, { requireMfa: false }).filter((reason) => reason !== 'enrolled');
}
