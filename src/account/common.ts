// Pieces every account page shares: the navigation, the fresh-proof fields and their error
// messages, the audit record of a self-service change, and how times are shown.
import type { Context } from 'koa';
import { pickLang, translator, type Translate } from '../i18n/index.ts';
import { recordAudit, requestOrigin } from '../audit/record.ts';
import type { AuditEvent, AuditOutcome } from '../db/audit-events.ts';
import type { Db } from '../db/connection.ts';
import { renderConsolePage } from '../console/render.ts';
import { consoleState } from '../console/session.ts';
import { mfaRequiredBy, type FreshResult } from '../mfa/self-service.ts';
import type { UserRow } from '../db/users.ts';
import type { WorkspaceRow } from '../db/workspaces.ts';
import type { FreshView } from './fresh-proof.ts';

export const ACCOUNT_HOME = '/account';

// Authenticator ids are UUIDs; anything else is a 404 before it reaches a uuid column.
export { isUuid } from '../http/input-boundary.ts';

export function tr(ctx: Context): Translate {
  return translator(pickLang(ctx));
}

export function accountNav(t: Translate) {
  return [{ href: ACCOUNT_HOME, label: t('account.nav.home'), current: true }];
}

export type PageError = { message: string; status: number };

/** What to tell the user when the fresh code (or password) was not accepted. */
export function proofError(t: Translate, result: Exclude<FreshResult, { ok: true }>, now: Date): PageError {
  if (result.reason === 'locked') {
    const minutes = String(Math.max(1, Math.ceil((result.until.getTime() - now.getTime()) / 60_000)));
    return { message: t(result.method === 'pwd' ? 'login.locked' : 'totp.locked', { minutes }), status: 429 };
  }
  if (result.method === 'passkey') return { message: t('passkeys.fresh.wrong'), status: 400 };
  if (result.method === 'pwd')
    return { message: t(result.reason === 'malformed' ? 'account.fresh.passwordMissing' : 'account.fresh.passwordWrong'), status: 400 };
  return { message: t(result.reason === 'malformed' ? 'totp.malformed' : 'account.fresh.codeWrong'), status: 400 };
}

type ChangeEvent = {
  action: string;
  outcome: AuditOutcome;
  targetType: 'authenticator' | 'passkey' | 'user';
  targetId: string;
  details?: Record<string, unknown>;
};

/** A self-service change (or a refused or failed attempt) as an audit event; the user is actor. */
export function changeEvent(ctx: Context, event: ChangeEvent): AuditEvent {
  const { user } = consoleState(ctx);
  return {
    action: event.action,
    outcome: event.outcome,
    workspaceId: user.workspace_id,
    actorType: 'user',
    actorId: user.id,
    actorLabel: user.email,
    targetType: event.targetType,
    targetId: event.targetId,
    details: { ...event.details, via: 'account' },
    ...requestOrigin(ctx),
  };
}

export async function auditChange(db: Db, ctx: Context, event: ChangeEvent): Promise<void> {
  await recordAudit(db, changeEvent(ctx, event));
}

export type ConfirmModel = {
  heading: string;
  lead?: string;
  action: string;
  submit: string;
  danger?: boolean;
  fresh: FreshView;
  label?: string;
  /** The label field's name when it is not "Name of this authenticator". */
  labelName?: string;
  error?: string;
};

/** The shared "confirm this change" page: optional label field, then the fresh code or password. */
export async function renderConfirm(ctx: Context, model: ConfirmModel, status = 200): Promise<void> {
  const t = tr(ctx);
  await renderConsolePage(
    ctx,
    'account/confirm',
    {
      title: model.heading,
      nav: accountNav(t),
      lead: undefined,
      label: undefined,
      labelName: undefined,
      error: undefined,
      danger: false,
      ...model,
      cancelHref: ACCOUNT_HOME,
    },
    status,
  );
}

/** A refusal page (403) with the reason, for changes the rules do not allow. */
export async function renderRefusal(ctx: Context, heading: string, reasons: string[], status = 403): Promise<void> {
  const t = tr(ctx);
  await renderConsolePage(ctx, 'account/refused', { title: heading, nav: accountNav(t), heading, reasons, backHref: ACCOUNT_HOME }, status);
}

/** Why MFA cannot be turned off for this user, in words; empty when it can. */
export function requiredReasons(t: Translate, user: UserRow, workspace: WorkspaceRow): string[] {
  return mfaRequiredBy(user, workspace).map((reason) => {
    if (reason === 'workspace_policy') {
      return t(workspace.mfa_policy === 'required' ? 'account.required.everyone' : 'account.required.admins', { workspace: workspace.display_name });
    }
    if (reason === 'admin_required') return t('account.required.admin', { workspace: workspace.display_name });
    return t('account.required.other');
  });
}
