// Console pages (admin, account) render inside the shared layout, wide, with the CSRF token and
// the signed-in user available to every view.
import type { Context } from 'koa';
import { renderPage, type PageModel } from '../http/render.ts';
import { consoleState } from './session.ts';

export async function renderConsolePage(ctx: Context, view: string, model: PageModel, status = 200): Promise<void> {
  const { user, workspace, csrf, session } = consoleState(ctx);
  await renderPage(
    ctx,
    view,
    {
      wide: true,
      csrf,
      me: { id: user.id, email: user.email, name: user.name, role: user.role },
      workspace: { id: workspace.id, slug: workspace.slug, name: workspace.display_name, mfaPolicy: workspace.mfa_policy },
      consoleName: session.console,
      ...model,
    },
    status,
  );
}
