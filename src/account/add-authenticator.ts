// Adding an authenticator from /account (S7: a new phone while the old one still works). One page:
// scan the QR code, name the app, type its code, and confirm with a code from an app the user
// already has (or the password when they have none). Recovery codes are shown once if new ones
// were issued (only when the user had none left).
import type { Context } from 'koa';
import Router from '@koa/router';
import QRCode from 'qrcode';
import type { AccountDeps } from './spec.ts';
import { assertCsrf, consoleState } from '../console/session.ts';
import { renderConsolePage } from '../console/render.ts';
import { HttpError } from '../http/errors.ts';
import { field, readForm } from '../http/form-body.ts';
import { open, seal } from '../crypto/secret-box.ts';
import { confirmEnrolment, MAX_LABEL_LENGTH, startEnrolment } from '../mfa/enrolment.ts';
import { TOTP_SECRET_PURPOSE } from '../mfa/second-factor.ts';
import { groupedSecret, isWellFormedCode, matchingStep, normaliseCode, otpauthUri } from '../mfa/totp.ts';
import { checkFreshProof } from '../mfa/self-service.ts';
import { ACCOUNT_HOME, accountNav, auditChange, changeEvent, proofError, tr, type PageError } from './common.ts';
import { freshView, readProof } from './fresh-proof.ts';
import { renderRecoveryCodes } from './codes-page.ts';
import { doneHref } from './home.ts';

/**
 * The pending secret rides in the form sealed (AES-256-GCM under the instance key) and bound to
 * this console session, so it is unreadable in the page and useless in anyone else's form.
 */
const pendingPurpose = (consoleSessionId: string) => `account-enrol:${consoleSessionId}`;

async function showAddPage(deps: AccountDeps, ctx: Context, pending: string, label = '', error?: PageError): Promise<void> {
  const { user, session } = consoleState(ctx);
  const t = tr(ctx);
  const secret = open(deps.dataKey, pendingPurpose(session.id), pending);
  await renderConsolePage(
    ctx,
    'account/add',
    {
      title: t('account.add.title'),
      nav: accountNav(t),
      qrDataUrl: await QRCode.toDataURL(otpauthUri(secret, deps.instanceName, user.email), { margin: 1, width: 200 }),
      groupedSecret: groupedSecret(secret),
      pending,
      label,
      maxLabel: MAX_LABEL_LENGTH,
      fresh: await freshView(deps, user.id),
      action: `${ACCOUNT_HOME}/authenticators`,
      cancelHref: ACCOUNT_HOME,
      error: error?.message,
    },
    error?.status ?? 200,
  );
}

export function addAuthenticatorRoutes(deps: AccountDeps): Router {
  const router = new Router();

  router.get(`${ACCOUNT_HOME}/authenticators/new`, async (ctx) => {
    const { secret } = startEnrolment(deps.dataKey);
    await showAddPage(deps, ctx, seal(deps.dataKey, pendingPurpose(consoleState(ctx).session.id), secret));
  });

  router.post(`${ACCOUNT_HOME}/authenticators`, async (ctx) => {
    const form = await readForm(ctx);
    assertCsrf(ctx, form);
    const { user, session } = consoleState(ctx);
    const t = tr(ctx);
    const pending = field(form, 'pending');
    let secret: string;
    try {
      secret = open(deps.dataKey, pendingPurpose(session.id), pending);
    } catch {
      throw new HttpError(400, 'account.add.expired', 'pending authenticator secret missing or not ours');
    }
    const label = field(form, 'label').trim();
    if (label.length > MAX_LABEL_LENGTH) {
      return showAddPage(deps, ctx, pending, label, { message: t('account.label.tooLong', { max: String(MAX_LABEL_LENGTH) }), status: 400 });
    }
    // The new app's code is checked first: it costs nothing, and a typo there must not use up
    // the code from the old app.
    const now = deps.clock.now();
    const newCode = normaliseCode(field(form, 'new_code'));
    if (!isWellFormedCode(newCode) || (await matchingStep(secret, newCode, now)) === undefined) {
      const key = isWellFormedCode(newCode) ? 'account.add.newCodeWrong' : 'account.add.newCodeMalformed';
      return showAddPage(deps, ctx, pending, label, { message: t(key, { email: user.email }), status: 400 });
    }
    const proof = await checkFreshProof(deps.db, deps.dataKey, user, readProof(deps, form, ctx), now);
    if (!proof.ok) {
      await auditChange(deps.db, ctx, {
        action: 'mfa.enrol',
        outcome: 'failure',
        targetType: 'user',
        targetId: user.id,
        details: { reason: proof.reason, proof: proof.method },
      });
      return showAddPage(deps, ctx, pending, label, proofError(t, proof, now));
    }
    const result = await confirmEnrolment(deps.db, deps.dataKey, {
      userId: user.id,
      label: label || t('account.add.defaultLabel'),
      sealedSecret: seal(deps.dataKey, TOTP_SECRET_PURPOSE, secret),
      code: newCode,
      now,
      audit: ({ authenticator, recoveryCodesIssued }) =>
        changeEvent(ctx, {
          action: 'mfa.enrol',
          outcome: 'success',
          targetType: 'authenticator',
          targetId: authenticator.id,
          details: { label: authenticator.label, recovery_codes_issued: recoveryCodesIssued, proof: proof.method, user_id: user.id },
        }),
    });
    if (!result.ok && result.reason === 'already') throw new HttpError(409, 'account.add.already', 'parallel submission of the same enrolment');
    if (!result.ok) {
      return showAddPage(deps, ctx, pending, label, { message: t('account.add.newCodeWrong', { email: user.email }), status: 400 });
    }
    if (result.recoveryCodes) return renderRecoveryCodes(ctx, result.recoveryCodes, t('account.add.doneWithCodes'));
    ctx.redirect(doneHref('added'));
  });

  return router;
}
