// What an admin does to a user of their workspace: create, change role, disable, enable, delete,
// and the one-time set-password link (clearing locks: src/mfa/user-locks.ts). Who may do it is
// decided in src/admin/access.ts; the one rule that needs the database — a workspace keeps at
// least one active workspace admin — is checked here, inside the change's transaction, with the
// workspace row locked so concurrent changes in one workspace run one after the other.
import { createHash, randomBytes } from 'node:crypto';
import type { Db } from '../db/connection.ts';
import { findUserByEmail, findUserById, ROLES, type Role, type UserRow } from '../db/users.ts';
import type { WorkspaceRow } from '../db/workspaces.ts';
import { claimSetPasswordToken, findUsableSetPasswordToken, insertSetPasswordToken } from '../db/set-password-tokens.ts';
import { hashPassword, passwordProblem, MIN_PASSWORD_LENGTH, MAX_PASSWORD_LENGTH } from '../crypto/passwords.ts';
import { tokenDigest } from '../crypto/token-digest.ts';
import { clearUserLocks } from '../mfa/user-locks.ts';
import { endSessionsAndGrants } from './revocation.ts';
import { createUser, newUserEmail } from './users.ts';
import type { MessageKey } from '../i18n/en.ts';
import type { AuditEvent } from '../db/audit-events.ts';
import { recordWithChange } from '../audit/record.ts';

export const SET_PASSWORD_LINK_DAYS = 7;

/** Input a person can correct; the key is the message shown next to the form. */
export class InvalidUserInput extends Error {
  readonly key: MessageKey;
  readonly vars: Record<string, string>;
  constructor(key: MessageKey, vars: Record<string, string> = {}) {
    super(key);
    this.key = key;
    this.vars = vars;
  }
}

/** A rule that needs the database refused the change (src/admin/access.ts turns it into an audited 403). */
export class Refused extends Error {
  readonly reason: 'last_workspace_admin' | 'not_in_workspace';
  constructor(reason: 'last_workspace_admin' | 'not_in_workspace') {
    super(`refused: ${reason}`);
    this.reason = reason;
  }
}

export const isRole = (value: string): value is Role => (ROLES as readonly string[]).includes(value);
/**
 * Row ids a set-password link's token may have: its HMAC, or — links issued before migration 0005,
 * which kept them valid until they expire (at most 7 days) — its plain SHA-256, marked `sha256:`.
 */
export const setPasswordTokenIds = (tokenKey: Buffer, token: string): string[] => [
  tokenDigest(tokenKey, token),
  `sha256:${createHash('sha256').update(token).digest('base64url')}`,
];

function checkPassword(password: string): void {
  if (passwordProblem(password)) {
    throw new InvalidUserInput('admin.users.input.password', { min: String(MIN_PASSWORD_LENGTH), max: String(MAX_PASSWORD_LENGTH) });
  }
}

/** Refuses when `user` is the last active workspace admin of its workspace. Call after `current`. */
async function keepOneWorkspaceAdmin(trx: Db, user: UserRow): Promise<void> {
  if (user.role !== 'workspace_admin' || user.status !== 'active') return;
  const row = await trx('users')
    .where({ workspace_id: user.workspace_id, role: 'workspace_admin', status: 'active' })
    .whereNot({ id: user.id })
    .count<{ count: string }[]>({ count: '*' })
    .first();
  if (Number(row?.count ?? 0) === 0) throw new Refused('last_workspace_admin');
}

/**
 * Locks the target's workspace row, then reads the target again: changes in one workspace run one
 * after the other, and each sees what the one before it committed (two admins demoting each other
 * at once cannot both succeed).
 */
async function current(trx: Db, target: UserRow): Promise<UserRow> {
  await trx('workspaces').where({ id: target.workspace_id }).forUpdate().first();
  const row = await findUserById(trx, target.id);
  if (!row || row.workspace_id !== target.workspace_id) throw new Refused('not_in_workspace');
  return row;
}

export async function changeRole(db: Db, target: UserRow, role: string, now: Date): Promise<{ from: Role; to: Role }> {
  if (!isRole(role)) throw new InvalidUserInput('admin.users.input.role');
  return db.transaction(async (trx) => {
    const user = await current(trx, target);
    if (role !== 'workspace_admin') await keepOneWorkspaceAdmin(trx, user);
    await trx('users').where({ id: user.id }).update({ role, updated_at: now });
    return { from: user.role, to: role };
  });
}

/** Disabling ends every session and revokes every grant and refresh token of the user (S15). */
export async function disableUser(db: Db, target: UserRow, now: Date): Promise<{ oidcArtefacts: number }> {
  return db.transaction(async (trx) => {
    const user = await current(trx, target);
    await keepOneWorkspaceAdmin(trx, user);
    await trx('users').where({ id: user.id }).update({ status: 'disabled', updated_at: now });
    const ended = await endSessionsAndGrants(trx, user.id);
    return { oidcArtefacts: ended.oidcArtefacts };
  });
}

export async function enableUser(db: Db, target: UserRow, now: Date): Promise<void> {
  await db('users').where({ id: target.id }).update({ status: 'active', updated_at: now });
}

/** Deletes the user with everything they own; their audit events stay (the log is append-only). */
export async function deleteUser(db: Db, target: UserRow): Promise<void> {
  await db.transaction(async (trx) => {
    const user = await current(trx, target);
    await keepOneWorkspaceAdmin(trx, user);
    await endSessionsAndGrants(trx, user.id);
    await clearUserLocks(trx, user);
    // Authenticators, recovery codes, console sessions and set-password links go by ON DELETE CASCADE.
    await trx('users').where({ id: user.id }).delete();
  });
}

export type NewUser = { email: string; name: string; role: string; method: string; password: string };
export type CreatedUser = { user: UserRow; link?: { token: string; expiresAt: Date } };

/**
 * Creates a user in `workspace` with either an initial password or a one-time set-password link
 * (the token is returned once; only its HMAC is stored). The role must already be allowed for
 * the actor (src/admin/access.ts). The user, the link and the `user.create` event commit together.
 */
export async function createWorkspaceUser(
  db: Db,
  tokenKey: Buffer,
  workspace: WorkspaceRow,
  input: NewUser,
  now: Date,
  audit: (user: UserRow) => AuditEvent,
): Promise<CreatedUser> {
  const parsed = newUserEmail(input.email);
  if (!parsed.ok) throw new InvalidUserInput(parsed.problem === 'not_plain' ? 'admin.users.input.emailNotPlain' : 'admin.users.input.email');
  const email = parsed.email;
  if (input.name.trim().length > 200) throw new InvalidUserInput('admin.users.input.name');
  if (!isRole(input.role)) throw new InvalidUserInput('admin.users.input.role');
  if (input.method !== 'password' && input.method !== 'link') throw new InvalidUserInput('admin.users.input.method');
  if (input.method === 'password') checkPassword(input.password);
  if (await findUserByEmail(db, email)) throw new InvalidUserInput('admin.users.input.emailTaken');
  try {
    return await db.transaction(async (trx) => {
      const user = await createUser(trx, {
        workspaceSlug: workspace.slug,
        email,
        name: input.name,
        role: input.role,
        ...(input.method === 'password' ? { password: input.password } : {}),
      });
      let link: CreatedUser['link'];
      if (input.method === 'link') {
        const token = randomBytes(32).toString('base64url');
        const expiresAt = new Date(now.getTime() + SET_PASSWORD_LINK_DAYS * 24 * 3600 * 1000);
        await insertSetPasswordToken(trx, { id: tokenDigest(tokenKey, token), userId: user.id, now, expiresAt });
        link = { token, expiresAt };
      }
      await recordWithChange(trx, audit(user));
      return link ? { user, link } : { user };
    });
  } catch (err) {
    // Two admins creating the same address at once: the unique index decides.
    if ((err as { code?: string }).code === '23505') throw new InvalidUserInput('admin.users.input.emailTaken');
    throw err;
  }
}

/** The user a set-password link is for, while the link is usable and the account active. */
export async function userOfSetPasswordLink(db: Db, tokenKey: Buffer, token: string, now: Date): Promise<UserRow | undefined> {
  if (!/^[A-Za-z0-9_-]{20,100}$/.test(token)) return undefined;
  const row = await findUsableSetPasswordToken(db, setPasswordTokenIds(tokenKey, token), now);
  const user = row ? await findUserById(db, row.user_id) : undefined;
  return user?.status === 'active' ? user : undefined;
}

/**
 * Sets the password through a link: the link is claimed and the hash written in one transaction,
 * so a link works once even when two tabs submit together. Undefined when the link is not usable.
 */
export async function setPasswordWithLink(db: Db, tokenKey: Buffer, token: string, password: string, confirm: string, now: Date): Promise<UserRow | undefined> {
  if (password !== confirm) throw new InvalidUserInput('admin.users.input.mismatch');
  checkPassword(password);
  if (!(await userOfSetPasswordLink(db, tokenKey, token, now))) return undefined;
  const hash = await hashPassword(password);
  return db.transaction(async (trx) => {
    const userId = await claimSetPasswordToken(trx, setPasswordTokenIds(tokenKey, token), now);
    if (!userId) return undefined;
    const [user] = await trx<UserRow>('users').where({ id: userId, status: 'active' }).update({ password_hash: hash, updated_at: now }).returning('*');
    if (!user) throw new InvalidUserInput('admin.users.setPassword.invalid'); // rolls the claim back
    // Any other link issued for this user is spent too.
    await trx('set_password_tokens').where({ user_id: userId }).whereNull('used_at').delete();
    return user;
  });
}
