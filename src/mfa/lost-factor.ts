// After a recovery-code sign-in: removing the authenticator on the phone the user lost, in the same
// step. It ends what /account's removal ends (src/mfa/self-service.ts): every SSO session, grant,
// code and refresh token of the user, every console session, and tells the apps registered for
// back-channel logout; whoever holds the lost phone may have signed in with it. The one exception
// is the SSO session of the sign-in under way: it stays, signed in to no app, so this sign-in
// finishes. Unlike /account, the last authenticator may go: the lost phone is exactly the one the
// user must be able to remove; whether the user may then continue without a factor is the
// caller's question (mustEnrolAfterRemoval).
import type { Db } from '../db/connection.ts';
import type { UserRow } from '../db/users.ts';
import type { WorkspaceRow } from '../db/workspaces.ts';
import type { AuditEvent } from '../db/audit-events.ts';
import { deleteAuthenticator, lockAuthenticatorsOf } from '../db/authenticators.ts';
import { deletePasskey, lockPasskeysOf } from '../db/passkeys.ts';
import { deleteModelsOfAccount, deleteModelsOfAccountExceptSession } from '../db/oidc-models.ts';
import { deleteConsoleSessionsOf } from '../db/console-sessions.ts';
import { noticeEveryHolder } from '../directory/revocation.ts';
import { recordWithChange } from '../audit/record.ts';
import { mfaRequiredBy } from './decision.ts';

export type LostRemoval =
  | { ok: true; labels: string[]; remaining: number; ended: { oidcArtefacts: number; consoleSessions: number; logoutNotices: number } }
  | { ok: false; reason: 'none_selected' | 'not_found' };

/** What the user ticked: authenticator apps and passkeys, by id. */
export type LostFactorIds = { authenticators: string[]; passkeys: string[] };

/**
 * Removes the user's authenticator apps and passkeys `ids` (all of them the user's own, or nothing
 * is removed) and ends the user's other sessions, with one audit event per factor, in one transaction.
 */
export async function removeLostAuthenticators(
  db: Db,
  user: UserRow,
  ids: LostFactorIds,
  keepSessionUid: string | undefined,
  audit: Omit<AuditEvent, 'action' | 'outcome' | 'targetType' | 'targetId' | 'details'>,
): Promise<LostRemoval> {
  const wantedApps = [...new Set(ids.authenticators)];
  const wantedPasskeys = [...new Set(ids.passkeys)];
  if (!wantedApps.length && !wantedPasskeys.length) return { ok: false, reason: 'none_selected' };
  return db.transaction(async (trx) => {
    // Apps before passkeys, as /account takes them, so two removals never wait on each other in a cycle.
    const apps = await lockAuthenticatorsOf(trx, user.id);
    const passkeys = await lockPasskeysOf(trx, user.id);
    const appTargets = wantedApps.map((id) => apps.find((a) => a.id === id));
    const passkeyTargets = wantedPasskeys.map((id) => passkeys.find((p) => p.id === id));
    if (appTargets.some((a) => !a) || passkeyTargets.some((p) => !p)) return { ok: false as const, reason: 'not_found' as const };
    const targets = [
      ...appTargets.map((a) => ({ kind: 'authenticator' as const, id: a!.id, label: a!.label })),
      ...passkeyTargets.map((p) => ({ kind: 'passkey' as const, id: p!.id, label: p!.label })),
    ];
    for (const target of targets) {
      if (target.kind === 'authenticator') await deleteAuthenticator(trx, user.id, target.id);
      else await deletePasskey(trx, user.id, target.id);
    }
    const logoutNotices = await noticeEveryHolder(trx, user.id);
    const oidcArtefacts = keepSessionUid ? await deleteModelsOfAccountExceptSession(trx, user.id, keepSessionUid) : await deleteModelsOfAccount(trx, user.id);
    const consoleSessions = await deleteConsoleSessionsOf(trx, user.id);
    for (const target of targets) {
      await recordWithChange(trx, {
        ...audit,
        action: target.kind === 'authenticator' ? 'mfa.authenticator_remove' : 'mfa.passkey_remove',
        outcome: 'success',
        targetType: target.kind,
        targetId: target.id,
        details: {
          label: target.label,
          user_id: user.id,
          after: 'recovery_code',
          ended_oidc_artefacts: oidcArtefacts,
          ended_console_sessions: consoleSessions,
        },
      });
    }
    return {
      ok: true as const,
      labels: targets.map((target) => target.label),
      remaining: apps.length + passkeys.length - targets.length,
      ended: { oidcArtefacts, consoleSessions, logoutNotices },
    };
  });
}

/**
 * A user left with no authenticator must set up a new one before the sign-in continues when MFA
 * is required of them whatever the request (the workspace policy, an admin's requirement): the
 * next sign-in would enrol them anyway, and a session must not carry on with no factor behind it.
 */
export function mustEnrolAfterRemoval(user: UserRow, workspace: WorkspaceRow, authenticatorCount: number): boolean {
  return authenticatorCount === 0 && mfaRequiredBy(user, workspace).length > 0;
}
