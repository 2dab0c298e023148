// Consent for third-party clients (first-party clients get their grant in loadExistingGrant).
import type { Context } from 'koa';
import { readForm } from '../http/form-body.ts';
import { renderPage } from '../http/render.ts';
import { HttpError } from '../http/errors.ts';
import { pickLang, translator } from '../i18n/index.ts';
import type { MessageKey } from '../i18n/en.ts';
import { findUserById } from '../db/users.ts';
import { appName } from '../oidc/app-name.ts';
import { clientInfo, paths, type Deps, type Details } from './context.ts';

const DESCRIBED_SCOPES = ['openid', 'email', 'profile', 'offline_access'];

export async function showConsent(deps: Deps, ctx: Context, details: Details): Promise<void> {
  const t = translator(pickLang(ctx));
  const user = details.session?.accountId ? await findUserById(deps.db, details.session.accountId) : undefined;
  const requested = String(details.params.scope ?? 'openid').split(' ');
  await renderPage(ctx, 'interaction/consent', {
    title: t('consent.title'),
    clientName: appName(await clientInfo(deps.provider, details), t),
    scopes: requested.filter((s) => DESCRIBED_SCOPES.includes(s)).map((s) => t(`consent.scope.${s}` as MessageKey)),
    email: user?.email ?? '',
    action: paths(details.uid).consent,
    abortHref: paths(details.uid).abort,
  });
}

export async function submitConsent(deps: Deps, ctx: Context, details: Details): Promise<void> {
  if (details.prompt.name !== 'consent' || !details.session?.accountId) {
    throw new HttpError(400, 'error.interaction', 'not at the consent step');
  }
  await readForm(ctx);
  const { provider } = deps;
  const grant = details.grantId
    ? await provider.Grant.find(details.grantId)
    : new provider.Grant({ accountId: details.session.accountId, clientId: String(details.params.client_id) });
  if (!grant) throw new HttpError(400, 'error.interaction', 'grant not found');
  const missing = details.prompt.details as { missingOIDCScope?: string[]; missingOIDCClaims?: string[]; missingResourceScopes?: Record<string, string[]> };
  if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
  if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
  for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes ?? {})) {
    grant.addResourceScope(indicator, scopes.join(' '));
  }
  const grantId = await grant.save();
  await provider.interactionFinished(ctx.req, ctx.res, { consent: { grantId } }, { mergeWithLastSubmission: true });
  ctx.respond = false;
}
