// Workspace settings: the MFA policy. Workspace admins only — a user admin gets a 403 page and the
// refusal is audited. Tightening the policy first shows how many users will meet enrolment at their
// next sign-in (usersToEnrolUnder) and changes nothing until the admin confirms; loosening it
// applies at once. The change and its audit event commit in one transaction, so there is never a
// policy change without its record.
import Router from '@koa/router';
import type { Context } from 'koa';
import type { AdminDeps } from './spec.ts';
import { adminNav } from './nav.ts';
import { assertCsrf, consoleState } from '../console/session.ts';
import { renderConsolePage } from '../console/render.ts';
import { field, readForm } from '../http/form-body.ts';
import { pickLang, translator, type Translate } from '../i18n/index.ts';
import { changeMfaPolicy, usersToEnrolUnder } from '../directory/workspaces.ts';
import { findWorkspaceById, isMfaPolicy, MFA_POLICIES, type MfaPolicy, type WorkspaceRow } from '../db/workspaces.ts';
import { insertAuditEvent } from '../db/audit-events.ts';
import { recordAudit, requestOrigin } from '../audit/record.ts';
import type { MessageKey } from '../i18n/en.ts';
import { helpContactForm } from './help-contact-form.ts';
import { timeZoneChoice, timeZoneFlash } from './workspace-time-zone-view.ts';

const STRICTNESS: Record<MfaPolicy, number> = { optional: 0, required_for_admins: 1, required: 2 };

const policyLabel = (t: Translate, policy: MfaPolicy) => t(`workspace.policy.${policy}` as MessageKey);

export function auditActor(ctx: Context) {
  const { user } = consoleState(ctx);
  return { workspaceId: user.workspace_id, actorType: 'user' as const, actorId: user.id, actorLabel: user.email, ...requestOrigin(ctx) };
}

/** Role check with its audit trail: only a workspace admin gets past; the refusal is recorded. */
export async function refuseUnlessWorkspaceAdmin(deps: AdminDeps, ctx: Context, action: string, details: Record<string, unknown> = {}): Promise<boolean> {
  const { user, workspace } = consoleState(ctx);
  if (user.role === 'workspace_admin') return false;
  await recordAudit(deps.db, {
    ...auditActor(ctx),
    action,
    outcome: 'refused',
    targetType: 'workspace',
    targetId: workspace.id,
    details: { ...details, reason: 'not_workspace_admin', role: user.role },
  });
  const t = translator(pickLang(ctx));
  await renderConsolePage(ctx, 'admin/workspace/forbidden', { title: t('workspace.forbidden.title'), nav: adminNav(ctx, 'workspace') }, 403);
  return true;
}

export async function showSettings(deps: AdminDeps, ctx: Context, workspace: WorkspaceRow, flash?: { kind: 'success' | 'error'; text: string }, status = 200) {
  const t = translator(pickLang(ctx));
  const pending = await usersToEnrolUnder(deps.db, workspace.id, workspace.mfa_policy);
  await renderConsolePage(
    ctx,
    'admin/workspace/settings',
    {
      title: t('workspace.title'),
      nav: adminNav(ctx, 'workspace'),
      name: workspace.display_name,
      slug: workspace.slug,
      policies: MFA_POLICIES.map((value) => ({
        value,
        label: policyLabel(t, value),
        help: t(`workspace.policy.${value}.help` as MessageKey),
        current: value === workspace.mfa_policy,
      })),
      timeZone: timeZoneChoice(workspace.time_zone, deps.clock.now()),
      pending: pending === 0 ? undefined : pending === 1 ? t('workspace.policy.pendingOne') : t('workspace.policy.pending', { count: String(pending) }),
      flash,
      helpContact: await helpContactForm(deps, ctx, workspace.id),
    },
    status,
  );
}

export function workspaceRoutes(deps: AdminDeps): Router {
  const router = new Router();

  router.get('/admin/workspace', async (ctx) => {
    if (await refuseUnlessWorkspaceAdmin(deps, ctx, 'workspace.settings')) return;
    const workspace = (await findWorkspaceById(deps.db, consoleState(ctx).workspace.id))!;
    const t = translator(pickLang(ctx));
    const flash =
      ctx.query.saved === '1'
        ? { kind: 'success' as const, text: t('workspace.policy.saved', { policy: policyLabel(t, workspace.mfa_policy) }) }
        : ctx.query.unchanged === '1'
          ? { kind: 'success' as const, text: t('workspace.policy.unchanged', { policy: policyLabel(t, workspace.mfa_policy) }) }
          : timeZoneFlash(t, ctx.query.time_zone, workspace.time_zone);
    await showSettings(deps, ctx, workspace, flash);
  });

  router.post('/admin/workspace/policy', async (ctx) => {
    const form = await readForm(ctx);
    assertCsrf(ctx, form);
    const wanted = field(form, 'policy');
    if (await refuseUnlessWorkspaceAdmin(deps, ctx, 'workspace.policy_change', { to: wanted })) return;
    const t = translator(pickLang(ctx));
    // The workspace is always the admin's own, read fresh: never an id from the form.
    const current = (await findWorkspaceById(deps.db, consoleState(ctx).workspace.id))!;
    if (!isMfaPolicy(wanted)) return showSettings(deps, ctx, current, { kind: 'error', text: t('workspace.policy.invalid') }, 400);
    if (wanted === current.mfa_policy) return ctx.redirect('/admin/workspace?unchanged=1');

    if (STRICTNESS[wanted] > STRICTNESS[current.mfa_policy] && field(form, 'confirm') !== 'yes') {
      const count = await usersToEnrolUnder(deps.db, current.id, wanted);
      return renderConsolePage(ctx, 'admin/workspace/confirm', {
        title: t('workspace.confirm.title'),
        nav: adminNav(ctx, 'workspace'),
        policy: wanted,
        lead: t('workspace.confirm.lead', { from: policyLabel(t, current.mfa_policy), to: policyLabel(t, wanted) }),
        count,
        countText:
          count === 0
            ? t('workspace.confirm.countNone')
            : count === 1
              ? t('workspace.confirm.countOne')
              : t('workspace.confirm.count', { count: String(count) }),
      });
    }

    await deps.db.transaction(async (trx) => {
      const change = await changeMfaPolicy(trx, current.slug, wanted);
      await insertAuditEvent(trx, {
        ...auditActor(ctx),
        action: 'workspace.policy_change',
        outcome: 'success',
        targetType: 'workspace',
        targetId: current.id,
        details: { from: change.previous, to: change.workspace.mfa_policy, users_to_enrol: change.usersToEnrol },
      });
    });
    ctx.status = 303;
    ctx.redirect('/admin/workspace?saved=1');
  });

  return router;
}
