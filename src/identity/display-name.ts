// How a person is named on a page. The name is optional (an admin may create a user with an
// e-mail only, and the command line never asks for one): a greeting or heading built from an
// empty name reads "さんの…" or "Manage how you sign in, ." — the e-mail is what the person knows.
export function displayName(user: { name: string | null; email: string }): string {
  return user.name?.trim() || user.email;
}
