// View models of the users pages: plain objects for the templates, never rows. The list is in
// ./list.ts; the detail shows authenticators, sessions, and which actions
// the signed-in admin may take (the same rules the server enforces, src/admin/access.ts).
import type { Db } from '../../db/connection.ts';
import type { UserRow } from '../../db/users.ts';
import { listAuthenticators } from '../../db/authenticators.ts';
import { listPasskeys } from '../../db/passkeys.ts';
import { countUnusedRecoveryCodes } from '../../db/recovery-codes.ts';
import { appNames, listSessions } from '../../directory/sessions.ts';
import { locksOfUsers } from '../../mfa/user-locks.ts';
import type { CanonicalEmail } from '../../identity/email.ts';
import { refusalFor, type UserAction } from '../access.ts';
import { displayName } from '../../identity/display-name.ts';
import type { Translate } from '../../i18n/index.ts';
import { formatTime } from '../../i18n/time.ts';

// Times are shown in the workspace's zone (`2026-11-25 09:01 JST`); the one formatter lives in
// src/i18n/time.ts and is re-exported here for the pages that imported it from this module.
export { formatTime };

/** Lock ends as shown to the admin; `devices`: how many of the user's own browsers are locked. */
export type Locks = { totp?: string; password?: string; devices?: number };

export async function locksOf(db: Db, users: { id: string; email: CanonicalEmail }[], now: Date, timeZone: string): Promise<Map<string, Locks>> {
  const found = await locksOfUsers(db, users, now);
  return new Map(
    users.map((u) => {
      const { totp, password, devices } = found.get(u.id) ?? { devices: 0 };
      return [
        u.id,
        {
          ...(totp ? { totp: formatTime(totp, timeZone) } : {}),
          ...(password ? { password: formatTime(password, timeZone) } : {}),
          ...(devices ? { devices } : {}),
        },
      ];
    }),
  );
}

const ACTIONS: UserAction[] = ['reset', 'require_mfa', 'lift_mfa', 'clear_lock', 'role', 'disable', 'enable', 'delete', 'end_session'];

/**
 * Which action headings the page shows: a heading with nothing under it (a user admin on a
 * workspace admin's page) reads as a broken page. The page's notice says why nothing can be done;
 * on the admin's own page each section keeps its pointer to /account or to another admin.
 */
function actionSections(target: UserRow, actor: UserRow, allowed: Record<UserAction, boolean>) {
  const isMe = target.id === actor.id;
  return {
    reset: isMe || allowed.reset,
    role: allowed.role,
    disable: isMe || allowed.delete || (target.status === 'active' ? allowed.disable : allowed.enable),
  };
}

export async function userDetail(db: Db, actor: UserRow, target: UserRow, now: Date, t: Translate, timeZone: string) {
  const authenticators = await listAuthenticators(db, target.id);
  const passkeys = await listPasskeys(db, target.id);
  const sessions = await listSessions(db, target.id);
  const locks = (await locksOf(db, [target], now, timeZone)).get(target.id) ?? {};
  const allowed = Object.fromEntries(ACTIONS.map((a) => [a, refusalFor(actor, target, a) === undefined])) as Record<UserAction, boolean>;
  return {
    user: {
      id: target.id,
      name: displayName(target),
      email: target.email,
      role: target.role,
      status: target.status,
      created: formatTime(target.created_at, timeZone),
      hasPassword: target.password_hash !== null,
      mfaRequiredSince: formatTime(target.mfa_required_at, timeZone),
      isMe: target.id === actor.id,
    },
    // Both kinds of second factor, oldest first; `kind` picks the words for the type column.
    factors: [...authenticators.map((a) => ({ kind: 'app' as const, row: a })), ...passkeys.map((p) => ({ kind: 'passkey' as const, row: p }))]
      .sort((a, b) => new Date(a.row.created_at).getTime() - new Date(b.row.created_at).getTime())
      .map(({ kind, row }) => ({ kind, label: row.label, created: formatTime(row.created_at, timeZone), lastUsed: formatTime(row.last_used_at, timeZone) })),
    recoveryCodes: await countUnusedRecoveryCodes(db, target.id),
    sessions: sessions.map((s) => ({
      id: s.id,
      signedIn: formatTime(s.signedInAt, timeZone),
      expires: formatTime(s.expiresAt, timeZone),
      amr: s.amr.join(', '),
      browser: s.browser,
      apps: appNames(s.apps, t),
    })),
    locks,
    locked: Boolean(locks.totp || locks.password || locks.devices),
    allowed,
    sections: actionSections(target, actor, allowed),
  };
}
