// POST /admin/workspace/time-zone: the zone the workspace's pages show times in. Its own form and
// route beside the policy's, with the same guards: CSRF, workspace admins only (a refusal is a 403
// and is audited), the workspace taken from the console session, never from the form. The change
// and its audit event commit in one transaction.
import Router from '@koa/router';
import type { AdminDeps } from './spec.ts';
import { assertCsrf, consoleState } from '../console/session.ts';
import { field, readForm } from '../http/form-body.ts';
import { pickLang, translator } from '../i18n/index.ts';
import { changeTimeZone } from '../directory/workspaces.ts';
import { canonicalTimeZone } from '../i18n/time.ts';
import { findWorkspaceById } from '../db/workspaces.ts';
import { insertAuditEvent } from '../db/audit-events.ts';
import { recordAudit } from '../audit/record.ts';
import { auditActor, refuseUnlessWorkspaceAdmin, showSettings } from './workspace-routes.ts';

const ACTION = 'workspace.time_zone_change';

export function workspaceTimeZoneRoutes(deps: AdminDeps): Router {
  const router = new Router();

  router.post('/admin/workspace/time-zone', async (ctx) => {
    const form = await readForm(ctx);
    assertCsrf(ctx, form);
    const wanted = field(form, 'time_zone').trim().slice(0, 100);
    if (await refuseUnlessWorkspaceAdmin(deps, ctx, ACTION, { to: wanted })) return;
    const current = (await findWorkspaceById(deps.db, consoleState(ctx).workspace.id))!;
    const zone = canonicalTimeZone(wanted);
    if (!zone) {
      await recordAudit(deps.db, {
        ...auditActor(ctx),
        action: ACTION,
        outcome: 'failure',
        targetType: 'workspace',
        targetId: current.id,
        details: { to: wanted, reason: 'unknown_time_zone' },
      });
      const t = translator(pickLang(ctx));
      return showSettings(deps, ctx, current, { kind: 'error', text: t('workspace.timeZone.invalid', { zone: wanted }) }, 400);
    }
    if (zone === current.time_zone) return ctx.redirect('/admin/workspace?time_zone=unchanged');
    await deps.db.transaction(async (trx) => {
      const change = await changeTimeZone(trx, current.slug, zone);
      await insertAuditEvent(trx, {
        ...auditActor(ctx),
        action: ACTION,
        outcome: 'success',
        targetType: 'workspace',
        targetId: current.id,
        details: { from: change.previous, to: change.workspace.time_zone },
      });
    });
    ctx.status = 303;
    ctx.redirect('/admin/workspace?time_zone=saved');
  });

  return router;
}
