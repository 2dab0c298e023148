// Every lock that can hold a user back, as the admin pages show and clear them: the second-factor
// lock, the password lock of browsers the user never signed in with (keyed by the e-mail, like
// the sign-in form), and the locks of single device cookies — the user's own browsers where
// someone typed too many wrong passwords.
import type { CanonicalEmail } from '../identity/email.ts';
import type { Db } from '../db/connection.ts';
import { deleteThrottles, listLockedThrottles } from '../db/throttles.ts';
import { deviceKeysOf, throttleKeySql, throttleKeys } from './throttle.ts';

export type UserLocks = { totp?: Date; password?: Date; devices: number };

type LockedUser = { id: string; email: CanonicalEmail };

function keysOf(user: LockedUser) {
  const password = throttleKeys.passwordAccount(user.email);
  return { totp: throttleKeys.totp(user.id), password, devices: deviceKeysOf(password) };
}

export async function locksOfUsers(db: Db, users: LockedUser[], now: Date): Promise<Map<string, UserLocks>> {
  const all = users.map((u) => ({ id: u.id, keys: keysOf(u) }));
  const rows = await listLockedThrottles(
    db,
    all.flatMap((u) => [u.keys.totp, u.keys.password]),
    all.map((u) => u.keys.devices),
    now,
  );
  const until = new Map(rows.map((r) => [r.key, new Date(r.locked_until!)]));
  return new Map(
    all.map(({ id, keys }) => {
      const totp = until.get(keys.totp);
      const password = until.get(keys.password);
      const devices = rows.filter((r) => r.key.startsWith(keys.devices)).length;
      return [id, { ...(totp ? { totp } : {}), ...(password ? { password } : {}), devices }];
    }),
  );
}

/** Clears every lock and pending count of the user, in one statement; returns which kinds were set. */
export async function clearUserLocks(db: Db, user: LockedUser): Promise<string[]> {
  const keys = keysOf(user);
  const deleted = await deleteThrottles(db, [keys.totp, keys.password], [keys.devices]);
  return [
    ...(deleted.includes(keys.totp) ? ['totp'] : []),
    ...(deleted.includes(keys.password) ? ['password'] : []),
    ...(deleted.some((k) => k.startsWith(keys.devices)) ? ['devices'] : []),
  ];
}

const accountKeySql = throttleKeySql.passwordAccount('u.email');

/**
 * SQL condition over `users as u` and a relation `locked_keys(key)` of the throttle keys locked now
 * (src/db/user-list.ts provides it): the user has any lock the users list shows — second factor,
 * password, or one of their own browsers. The same locks as `locksOfUsers`.
 */
export const USER_LOCKED_SQL = `exists (select 1 from locked_keys l where l.key = ${throttleKeySql.totp('u.id')} or l.key = ${accountKeySql} or starts_with(l.key, ${accountKeySql} || '${throttleKeySql.deviceInfix}'))`;
