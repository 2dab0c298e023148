// Every reason Tobira can demand a TOTP step, in one place. Each rule is a pure function of the
// user, their workspace, the client and the request; `mfaReasons` lists the ones that hold, and
// the list travels into the interaction details and the audit log.
import type { MfaPolicy } from '../db/workspaces.ts';
import { isAdminRole, type Role } from '../db/users.ts';
import { ACR_MFA } from './assurance.ts';

export type MfaReason = 'workspace_policy' | 'enrolled' | 'client_requires_mfa' | 'request_acr' | 'admin_console' | 'admin_required';

export type MfaFacts = {
  user: { role: Role; authenticatorCount: number; requiredByAdmin: boolean };
  workspace: { mfaPolicy: MfaPolicy };
  client: { requireMfa: boolean; adminConsole?: boolean };
  /** The authorization request; absent for token-endpoint decisions (refresh). */
  request?: { acrValues?: string | undefined; claims?: unknown };
};

/** Rule 1: `required` for everybody, `required_for_admins` for user and workspace admins. */
export function workspacePolicyRequires({ user, workspace }: MfaFacts): boolean {
  return workspace.mfaPolicy === 'required' || (workspace.mfaPolicy === 'required_for_admins' && isAdminRole(user.role));
}

/** Rule 2: a user who enrolled is always asked. */
export function userIsEnrolled({ user }: MfaFacts): boolean {
  return user.authenticatorCount > 0;
}

/** Rule 3: the client is registered with require_mfa. */
export function clientRequires({ client }: MfaFacts): boolean {
  return client.requireMfa && !client.adminConsole;
}

/** Rule 4: acr_values names the MFA level (a demand, as in RFC 9470), or `claims` asks for it as essential. */
export function requestAsks({ request }: MfaFacts): boolean {
  if (!request) return false;
  if ((request.acrValues ?? '').split(' ').includes(ACR_MFA)) return true;
  const acr = (request.claims as { id_token?: { acr?: { essential?: boolean; value?: unknown; values?: unknown } } } | undefined)?.id_token?.acr;
  if (!acr?.essential) return false;
  return acr.value === ACR_MFA || (Array.isArray(acr.values) && acr.values.includes(ACR_MFA) && acr.values.length === 1);
}

/**
 * Rule 5: the admin console always demands MFA of an admin (as Microsoft mandates for its admin
 * portals). A member who opens it is refused by the console; making them enrol first would be pointless.
 */
export function adminConsole({ client, user }: MfaFacts): boolean {
  return client.adminConsole === true && isAdminRole(user.role);
}

/**
 * Rule 6: an admin or the operator required MFA of this one user (Keycloak's "configure OTP"
 * required action). A standing requirement: it holds after the user has enrolled, so the user
 * cannot turn MFA off at /account, until an admin lifts it.
 */
export function adminRequires({ user }: MfaFacts): boolean {
  return user.requiredByAdmin;
}

const RULES: [MfaReason, (facts: MfaFacts) => boolean][] = [
  ['workspace_policy', workspacePolicyRequires],
  ['enrolled', userIsEnrolled],
  ['client_requires_mfa', clientRequires],
  ['request_acr', requestAsks],
  ['admin_console', adminConsole],
  ['admin_required', adminRequires],
];

export function mfaReasons(facts: MfaFacts): MfaReason[] {
  return RULES.filter(([, rule]) => rule(facts)).map(([reason]) => reason);
}

/** Rules that must still hold when a refresh token is used, long after the sign-in. */
export function standingMfaReasons(facts: MfaFacts): MfaReason[] {
  return mfaReasons({ ...facts, request: undefined });
}
