// Enrolment inside a sign-in: for a user who must use MFA and has no second factor (whatever
// their history), or who chose to replace a lost one after using a recovery code. The page offers
// an authenticator app (submitted here) or a passkey (./passkey-enrolment-step.ts).
import type { Context } from 'koa';
import QRCode from 'qrcode';
import { readForm, field } from '../http/form-body.ts';
import { renderPage } from '../http/render.ts';
import { HttpError } from '../http/errors.ts';
import { pickLang, translator } from '../i18n/index.ts';
import type { MessageKey } from '../i18n/en.ts';
import { requestOrigin } from '../audit/record.ts';
import { confirmEnrolment, pendingSecret, startEnrolment } from '../mfa/enrolment.ts';
import { groupedSecret, otpauthUri } from '../mfa/totp.ts';
import { open, seal } from '../crypto/secret-box.ts';
import { findUserById, type UserRow } from '../db/users.ts';
import { appName } from '../oidc/app-name.ts';
import { passkeyRp, registrationOptions } from '../mfa/passkey.ts';
import { jsonForScript } from '../http/json-in-html.ts';
import { clientInfo, firstFactorIsFresh, paths, readProgress, saveProgress, showNextStep, type Deps, type Details, type Progress } from './context.ts';
import { finishSignIn } from './finish.ts';

const CODES_PURPOSE = 'recovery-codes-to-show';

export async function showEnrolment(
  deps: Deps,
  ctx: Context,
  details: Details,
  progress: Progress,
  user: UserRow,
  error?: { key: MessageKey; vars?: Record<string, string>; status?: number },
  label = '',
  passkeyLabel = '',
): Promise<void> {
  let sealed = progress.enrolSecret;
  if (!sealed) {
    // One secret per interaction: a reload shows the same QR code the user may already have scanned.
    sealed = startEnrolment(deps.dataKey).sealed;
    await saveProgress(deps, ctx, { ...progress, enrolSecret: sealed });
  }
  const secret = pendingSecret(deps.dataKey, sealed);
  const t = translator(pickLang(ctx));
  const client = await clientInfo(deps.provider, details);
  const whys =
    progress.done === 'recovery'
      ? [t('enrol.why.enrolled')]
      : progress.reasons.filter((r) => r !== 'enrolled').map((r) => t(`enrol.why.${r}` as MessageKey, { client: appName(client, t) }));
  await renderPage(
    ctx,
    'interaction/enrol',
    {
      title: t('enrol.title'),
      whys,
      qrDataUrl: await QRCode.toDataURL(otpauthUri(secret, deps.instanceName, user.email), { margin: 1, width: 200 }),
      groupedSecret: groupedSecret(secret),
      action: paths(details.uid).enrol,
      abortHref: paths(details.uid).abort,
      label,
      error: error ? t(error.key, error.vars) : undefined,
      // A fresh challenge with every page: each is single-use (src/mfa/passkey.ts).
      passkeyOptionsJson: jsonForScript(await registrationOptions(deps.db, passkeyRp(deps.provider.issuer), user, deps.clock.now())),
      passkeyAction: paths(details.uid).enrolPasskey,
      passkeyLabel,
    },
    error ? (error.status ?? 400) : 200,
  );
}

/** Keeps recovery codes just issued in the sign-in, sealed, until the next page shows them once. */
export const sealCodesToShow = (dataKey: Buffer, codes: string[]): string => seal(dataKey, CODES_PURPOSE, JSON.stringify(codes));

export async function showRecoveryCodes(deps: Deps, ctx: Context, details: Details, progress: Progress, user: UserRow): Promise<void> {
  const codes = JSON.parse(open(deps.dataKey, CODES_PURPOSE, progress.codesToShow!)) as string[];
  const t = translator(pickLang(ctx));
  const file = `${t('codes.file', { email: user.email })}\n\n${codes.join('\n')}\n`;
  await renderPage(ctx, 'interaction/recovery-codes', {
    title: t('codes.title'),
    codes,
    downloadHref: `data:text/plain;charset=utf-8,${encodeURIComponent(file)}`,
    action: paths(details.uid).proceed,
  });
}

/** A parallel submission of the same enrolment was stored first; this one changed nothing. */
export async function showAlreadyEnrolled(ctx: Context, details: Details): Promise<void> {
  const t = translator(pickLang(ctx));
  await renderPage(ctx, 'interaction/already-enrolled', { title: t('enrol.already.title'), continueHref: paths(details.uid).self }, 409);
}

export async function submitEnrolment(deps: Deps, ctx: Context, details: Details): Promise<void> {
  const progress = readProgress(details);
  // A repeated submission after this enrolment succeeded (a double click, a parallel request):
  // show the result the first one produced.
  if (progress?.codesToShow || (progress?.done && progress.done !== 'recovery')) return showNextStep(ctx, details.uid);
  const enrolling = progress && (!progress.done || progress.done === 'recovery');
  if (details.prompt.name !== 'login' || !progress?.enrolSecret || !enrolling) {
    throw new HttpError(400, 'error.interaction', 'not at the enrolment step');
  }
  const user = await findUserById(deps.db, progress.accountId);
  if (user?.status !== 'active') throw new HttpError(400, 'error.interaction', 'account no longer active');
  const form = await readForm(ctx);
  const label = field(form, 'label');
  const now = deps.clock.now();
  // Checked again at the moment of binding: the page may have been open longer than allowed.
  if (!firstFactorIsFresh(progress, now)) return showNextStep(ctx, details.uid, 'enrol');
  const result = await confirmEnrolment(deps.db, deps.dataKey, {
    userId: user.id,
    label,
    sealedSecret: progress.enrolSecret,
    code: field(form, 'code'),
    now,
    audit: ({ authenticator, recoveryCodesIssued }) => ({
      action: 'mfa.enrol',
      outcome: 'success',
      workspaceId: user.workspace_id,
      actorType: 'user',
      actorId: user.id,
      actorLabel: user.email,
      targetType: 'authenticator',
      targetId: authenticator.id,
      details: { label: authenticator.label, recovery_codes_issued: recoveryCodesIssued, mfa_reasons: progress.reasons },
      ...requestOrigin(ctx),
    }),
  });
  if (!result.ok && result.reason === 'already') return showAlreadyEnrolled(ctx, details);
  if (!result.ok) {
    const key: MessageKey = result.reason === 'malformed' ? 'totp.malformed' : 'enrol.wrong';
    return showEnrolment(deps, ctx, details, progress, user, { key, vars: { email: user.email } }, label);
  }
  const next: Progress = { ...progress, enrolSecret: undefined, done: 'otp' };
  if (!result.recoveryCodes) return finishSignIn(deps, ctx, details, user, 'otp', next);
  await saveProgress(deps, ctx, { ...next, codesToShow: sealCodesToShow(deps.dataKey, result.recoveryCodes) });
  showNextStep(ctx, details.uid);
}
