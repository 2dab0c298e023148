// The contact-line form's part of the workspace settings page (posted to
// src/admin/workspace-contact-routes.ts): the saved line, or what was just typed and refused.
import type { Context } from 'koa';
import type { AdminDeps } from './spec.ts';
import { pickLang, translator } from '../i18n/index.ts';
import { helpContactOf, MAX_HELP_CONTACT_LENGTH } from '../directory/help-contact.ts';

/** Set on ctx.state by a refused POST, so the page shows the typed line with the error. */
export type TypedContact = { value: string; error: string };

export async function helpContactForm(deps: AdminDeps, ctx: Context, workspaceId: string) {
  const t = translator(pickLang(ctx));
  const typed = ctx.state.helpContactTyped as TypedContact | undefined;
  const done = ctx.query.contact === 'saved' ? t('helpContact.saved') : ctx.query.contact === 'cleared' ? t('helpContact.cleared') : undefined;
  return {
    value: typed?.value ?? (await helpContactOf(deps.db, workspaceId)) ?? '',
    max: MAX_HELP_CONTACT_LENGTH,
    error: typed?.error,
    done: typed ? undefined : done,
  };
}
