// Creating users, with the input rules the command line, the demo seed and later the admin pages share.
import type { Db } from '../db/connection.ts';
import { findUserByEmail, insertUser, ROLES, type Role, type UserRow } from '../db/users.ts';
import { findWorkspaceBySlug } from '../db/workspaces.ts';
import { hashPassword, passwordProblem } from '../crypto/passwords.ts';
import { InvalidInput } from './workspaces.ts';
import { canonicalEmail, EMAIL_REFUSALS, NOT_PLAIN_LETTERS, type CanonicalEmail } from '../identity/email.ts';

// Deliberately simple (WHATWG's "valid e-mail address" shape, on the canonical form, which has no
// spaces and one @): the address is proven by use, not by regex.
const EMAIL = /@[^@]+\.[^@]+$/;

export type NewUserEmail = { ok: true; email: CanonicalEmail } | { ok: false; problem: 'not_plain' | 'invalid'; reason: string };

/** The address a new user will sign in with, in its canonical form, or why it cannot be one. */
export function newUserEmail(typed: string): NewUserEmail {
  const result = canonicalEmail(typed);
  if (!result.ok) return { ok: false, problem: NOT_PLAIN_LETTERS.has(result.reason) ? 'not_plain' : 'invalid', reason: EMAIL_REFUSALS[result.reason] };
  if (!EMAIL.test(result.email)) return { ok: false, problem: 'invalid', reason: 'it needs a domain with a dot after the @' };
  return result;
}

export function parseRole(value: string): Role {
  if (!(ROLES as readonly string[]).includes(value)) {
    throw new InvalidInput(`role must be one of ${ROLES.join(', ')} (got "${value}")`);
  }
  return value as Role;
}

export async function createUser(db: Db, input: { workspaceSlug: string; email: string; password?: string; name?: string; role?: string }): Promise<UserRow> {
  const parsed = newUserEmail(input.email);
  // JSON quoting keeps an invisible or line-breaking character visible, and the message one line.
  if (!parsed.ok) throw new InvalidInput(`${JSON.stringify(input.email.trim())} cannot be used as an e-mail address: ${parsed.reason}`);
  const email = parsed.email;
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
