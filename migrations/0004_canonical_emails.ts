// users.email holds the canonical form of the address (src/identity/email.ts) and is unique as
// stored: the sign-in lookup compares it with plain equality, so no SQL lower() can disagree with
// the JavaScript that keys the password lock. One column rather than a second `email_canonical`
// one: the address is an identifier, and a second spelling next to it is one more value that a
// lookup, a lock or a label could pick by mistake.
//
// Existing rows are rewritten in JavaScript inside this migration's transaction (knex runs each
// migration in one), with the table locked against writes from nodes still running older code.
// Nothing is merged or guessed: when two rows would become one address, or a row has no safe
// canonical form, the migration stops and names the rows, for an operator to resolve first.
// Each rewritten address leaves an audit event with the old and the new form.
import type { Knex } from 'knex';
import { canonicalEmail, EMAIL_REFUSALS } from '../src/identity/email.ts';

export async function up(knex: Knex): Promise<void> {
  await knex.raw('lock table users in exclusive mode');
  const rows = (await knex('users').select('id', 'workspace_id', 'email').orderBy('created_at').orderBy('id')) as {
    id: string;
    workspace_id: string;
    email: string;
  }[];

  const problems: string[] = [];
  const owners = new Map<string, string[]>();
  const changes: { id: string; workspace_id: string; from: string; to: string }[] = [];
  for (const row of rows) {
    const result = canonicalEmail(row.email);
    if (!result.ok) {
      problems.push(`user ${row.id} (${JSON.stringify(row.email)}): ${EMAIL_REFUSALS[result.reason]}`);
      continue;
    }
    owners.set(result.email, [...(owners.get(result.email) ?? []), row.id]);
    if (result.email !== row.email) changes.push({ id: row.id, workspace_id: row.workspace_id, from: row.email, to: result.email });
  }
  for (const [email, ids] of owners) {
    if (ids.length > 1) problems.push(`users ${ids.join(', ')} are all ${JSON.stringify(email)}`);
  }
  if (problems.length) {
    const shown = problems.length > 20 ? [...problems.slice(0, 20), `and ${problems.length - 20} more`] : problems;
    throw new Error(
      `Migration 0004 (canonical e-mails) stopped, nothing was changed: ${shown.join('; ')}. ` +
        'The database is as it was: change or delete these users in SQL so that every address is distinct and plain, then start Tobira again.',
    );
  }

  // Dropped first: a row rewritten before its neighbour must not trip the old lower() index.
  await knex.raw('drop index users_email_unique');
  for (const change of changes) {
    await knex('users').where({ id: change.id }).update({ email: change.to });
    await knex('audit_events').insert({
      action: 'user.email_canonical',
      outcome: 'success',
      workspace_id: change.workspace_id,
      actor_type: 'system',
      actor_label: 'migration 0004',
      target_type: 'user',
      target_id: change.id,
      details: JSON.stringify({ from: change.from, to: change.to }),
    });
  }
  await knex.raw('create unique index users_email_canonical_unique on users (email)');
}

/** The rewritten addresses stay canonical (the typed spellings are gone); only the index goes back. */
export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop index users_email_canonical_unique');
  await knex.raw('create unique index users_email_unique on users (lower(email))');
}
