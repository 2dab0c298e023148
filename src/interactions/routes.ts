// The interactive steps of an authorization request: sign-in and consent. Each POST is bound to
// the interaction by oidc-provider's own signed, SameSite=Lax interaction cookie and the uid in the
// URL, so a form posted from another site or for another interaction is refused.
import Router from '@koa/router';
import type { Context } from 'koa';
import type Provider from 'oidc-provider';
import type { Db } from '../db/connection.ts';
import { readForm, field } from '../http/form-body.ts';
import { renderPage } from '../http/render.ts';
import { HttpError } from '../http/errors.ts';
import { pickLang, translator } from '../i18n/index.ts';
import { checkPassword } from './password-sign-in.ts';
import { recordAudit, requestOrigin } from '../audit/record.ts';
import { PASSWORD_ONLY } from '../oidc/assurance.ts';
import { findUserById } from '../db/users.ts';
import type { MessageKey } from '../i18n/en.ts';

type Details = Awaited<ReturnType<Provider['interactionDetails']>>;

async function interaction(provider: Provider, ctx: Context): Promise<Details> {
  let details: Details;
  try {
    details = await provider.interactionDetails(ctx.req, ctx.res);
  } catch {
    throw new HttpError(400, 'error.interaction', 'interaction cookie missing, invalid or expired');
  }
  if (details.uid !== ctx.params.uid) throw new HttpError(400, 'error.interaction', 'interaction uid mismatch');
  return details;
}

async function clientName(provider: Provider, details: Details): Promise<string> {
  const client = await provider.Client.find(String(details.params.client_id));
  return client?.clientName ?? client?.clientId ?? '';
}

async function showLogin(ctx: Context, provider: Provider, details: Details, error?: MessageKey, email = ''): Promise<void> {
  const t = translator(pickLang(ctx));
  await renderPage(ctx, 'interaction/login', {
    title: t('login.title'),
    clientName: await clientName(provider, details),
    action: `/interaction/${details.uid}/login`,
    abortHref: `/interaction/${details.uid}/abort`,
    error: error ? t(error) : undefined,
    email: email || (typeof details.params.login_hint === 'string' ? details.params.login_hint : ''),
  }, error ? 401 : 200);
}

async function showConsent(ctx: Context, provider: Provider, db: Db, details: Details): Promise<void> {
  const t = translator(pickLang(ctx));
  const user = details.session?.accountId ? await findUserById(db, details.session.accountId) : undefined;
  const requested = String(details.params.scope ?? 'openid').split(' ');
  const known = ['openid', 'email', 'profile', 'offline_access'];
  await renderPage(ctx, 'interaction/consent', {
    title: t('consent.title'),
    clientName: await clientName(provider, details),
    scopes: requested.filter((s) => known.includes(s)).map((s) => t(`consent.scope.${s}` as MessageKey)),
    email: user?.email ?? '',
    action: `/interaction/${details.uid}/consent`,
    abortHref: `/interaction/${details.uid}/abort`,
  });
}

export function interactionRoutes(provider: Provider, db: Db): Router {
  const router = new Router();

  router.get('/interaction/:uid', async (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    const details = await interaction(provider, ctx);
    if (details.prompt.name === 'login') return showLogin(ctx, provider, details);
    if (details.prompt.name === 'consent') return showConsent(ctx, provider, db, details);
    throw new HttpError(400, 'error.interaction', `unknown prompt ${details.prompt.name}`);
  });

  router.post('/interaction/:uid/login', async (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    const details = await interaction(provider, ctx);
    if (details.prompt.name !== 'login') throw new HttpError(400, 'error.interaction', 'not at the login step');
    const form = await readForm(ctx);
    const email = field(form, 'email').trim();
    const password = field(form, 'password');
    if (!email || !password) return showLogin(ctx, provider, details, 'login.missing', email);

    const result = await checkPassword(db, email, password);
    const origin = requestOrigin(ctx);
    if (!result.ok) {
      await recordAudit(db, {
        action: 'sign_in',
        outcome: 'failure',
        workspaceId: result.user?.workspace_id,
        actorType: result.user ? 'user' : 'anonymous',
        actorId: result.user?.id,
        targetType: result.user ? 'user' : null,
        targetId: result.user?.id,
        details: { reason: result.reason, client_id: details.params.client_id, step: 'password' },
        ...origin,
      });
      return showLogin(ctx, provider, details, 'login.failed', email);
    }
    await recordAudit(db, {
      action: 'sign_in',
      outcome: 'success',
      workspaceId: result.user.workspace_id,
      actorType: 'user',
      actorId: result.user.id,
      actorLabel: result.user.email,
      targetType: 'user',
      targetId: result.user.id,
      details: { client_id: details.params.client_id, amr: PASSWORD_ONLY.amr },
      ...origin,
    });
    await provider.interactionFinished(
      ctx.req,
      ctx.res,
      { login: { accountId: result.user.id, ...PASSWORD_ONLY } },
      { mergeWithLastSubmission: false },
    );
    ctx.respond = false;
  });

  router.post('/interaction/:uid/consent', async (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    const details = await interaction(provider, ctx);
    if (details.prompt.name !== 'consent' || !details.session?.accountId) {
      throw new HttpError(400, 'error.interaction', 'not at the consent step');
    }
    await readForm(ctx);
    const { accountId } = details.session;
    const clientId = String(details.params.client_id);
    const grant = details.grantId
      ? await provider.Grant.find(details.grantId)
      : new provider.Grant({ accountId, clientId });
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
  });

  router.get('/interaction/:uid/abort', async (ctx) => {
    await interaction(provider, ctx);
    await provider.interactionFinished(
      ctx.req,
      ctx.res,
      { error: 'access_denied', error_description: 'The user cancelled the sign-in.' },
      { mergeWithLastSubmission: false },
    );
    ctx.respond = false;
  });

  return router;
}
