// Creating users, with the input rules the command line, the demo seed and later the admin pages share.
import type { Db } from '../db/connection.ts';
import { findUserByEmail, insertUser, ROLES, type Role, type UserRow } from '../db/users.ts';
import { findWorkspaceBySlug } from '../db/workspaces.ts';
import { hashPassword, passwordProblem } from '../crypto/passwords.ts';
import { InvalidInput } from './workspaces.ts';

// Deliberately simple (WHATWG's "valid e-mail address" shape): the address is proven by use, not by regex.
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function parseRole(value: string): Role {
  if (!(ROLES as readonly string[]).includes(value)) {
    throw new InvalidInput(`role must be one of ${ROLES.join(', ')} (got "${value}")`);
  }
  return value as Role;
}

export async function createUser(
  db: Db,
  input: { workspaceSlug: string; email: string; password?: string; name?: string; role?: string },
): Promise<UserRow> {
  const email = input.email.trim();
  if (!EMAIL.test(email) || email.length > 320) throw new InvalidInput(`"${email}" is not a valid e-mail address`);
  const role = parseRole(input.role ?? 'member');
  const name = (input.name ?? '').trim();
  if (name.length > 200) throw new InvalidInput('name must be at most 200 characters');
  if (input.password !== undefined) {
    const problem = passwordProblem(input.password);
    if (problem) throw new InvalidInput(`password ${problem}`);
  }
  const workspace = await findWorkspaceBySlug(db, input.workspaceSlug);
  if (!workspace) throw new InvalidInput(`no workspace with slug "${input.workspaceSlug}"`);
  if (await findUserByEmail(db, email)) throw new InvalidInput(`a user with e-mail ${email} already exists`);
  return insertUser(db, {
    workspaceId: workspace.id,
    email,
    name,
    role,
    passwordHash: input.password === undefined ? null : await hashPassword(input.password),
    // Operator-created accounts are vouched for by the operator.
    emailVerified: true,
  });
}
