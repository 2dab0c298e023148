// POST /admin/workspace/contact: the workspace's contact line for members who lost their phone, a
// form of its own on the settings page. Workspace admins only (a user admin's attempt is refused
// with a 403 and audited, as for the policy); the workspace is always the admin's own, never an id
// from the form; the change and its audit event commit together (src/directory/help-contact.ts).
import Router from '@koa/router';
import type { AdminDeps } from './spec.ts';
import { assertCsrf, consoleState } from '../console/session.ts';
import { field, readForm } from '../http/form-body.ts';
import { pickLang, translator } from '../i18n/index.ts';
import { requestOrigin } from '../audit/record.ts';
import { changeHelpContact, checkHelpContact, MAX_HELP_CONTACT_LENGTH } from '../directory/help-contact.ts';
import type { TypedContact } from './help-contact-form.ts';
import { findWorkspaceById } from '../db/workspaces.ts';
import { refuseUnlessWorkspaceAdmin, showSettings } from './workspace-routes.ts';

export function workspaceContactRoutes(deps: AdminDeps): Router {
  const router = new Router();

  router.post('/admin/workspace/contact', async (ctx) => {
    const form = await readForm(ctx);
    assertCsrf(ctx, form);
    const typed = field(form, 'contact');
    if (await refuseUnlessWorkspaceAdmin(deps, ctx, 'workspace.help_contact')) return;
    const { user, workspace } = consoleState(ctx);
    const t = translator(pickLang(ctx));
    const check = checkHelpContact(typed);
    if (!check.ok) {
      const error =
        check.reason === 'too_long' ? t('helpContact.tooLong', { length: String(check.length), max: String(MAX_HELP_CONTACT_LENGTH) }) : t('error.input');
      ctx.state.helpContactTyped = { value: typed, error } satisfies TypedContact;
      return showSettings(deps, ctx, (await findWorkspaceById(deps.db, workspace.id))!, undefined, 400);
    }
    await changeHelpContact(deps.db, workspace.id, check.contact, deps.clock.now(), {
      workspaceId: workspace.id,
      actorType: 'user',
      actorId: user.id,
      actorLabel: user.email,
      targetType: 'workspace',
      targetId: workspace.id,
      ...requestOrigin(ctx),
    });
    ctx.status = 303;
    ctx.redirect(`/admin/workspace?contact=${check.contact ? 'saved' : 'cleared'}#help-contact`);
  });

  return router;
}
