// Sessions of Tobira's own consoles (admin, account). A console signs its user in through the
// provider like any relying party — authorization code with PKCE — but redeems the code
// in-process (it is the provider), then keeps a short server-side session: the cookie holds a
// random token, the database its HMAC and the sign-in's assurance. The CSRF token is derived from
// the cookie's token, so the database holds nothing a browser could present.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Context, Next } from 'koa';
import Router from '@koa/router';
import { errors, type default as Provider } from 'oidc-provider';
import type { Db } from '../db/connection.ts';
import type { Clock } from '../clock.ts';
import { findUserById, type UserRow } from '../db/users.ts';
import { findWorkspaceById, type WorkspaceRow } from '../db/workspaces.ts';
import {
  deleteConsoleSession,
  findConsoleSession,
  insertConsoleSession,
  touchConsoleSession,
  type Console,
  type ConsoleSessionRow,
} from '../db/console-sessions.ts';
import { HttpError } from '../http/errors.ts';
import { readForm } from '../http/form-body.ts';
import { recordAudit, requestOrigin, selfEvent } from '../audit/record.ts';
import { ACR_MFA } from '../mfa/assurance.ts';
import { consoleCsrfToken, tokenDigest } from '../crypto/token-digest.ts';
import type { MessageKey } from '../i18n/en.ts';

export type ConsoleSpec = {
  console: Console;
  clientId: string;
  basePath: '/admin' | '/account';
  /** Session ends after this much inactivity … */
  idleSeconds: number;
  /** … and at the latest this long after sign-in. */
  maxSeconds: number;
  /** Who may use this console; the message key explains a refusal. */
  admits: (user: UserRow) => MessageKey | undefined;
};

export type ConsoleState = { session: ConsoleSessionRow; user: UserRow; workspace: WorkspaceRow; csrf: string };

export type ConsoleDeps = { provider: Provider; db: Db; clock: Clock; tokenKey: Buffer };

const cookieName = (spec: ConsoleSpec) => `tobira_${spec.console}`;
const loginCookie = (spec: ConsoleSpec) => `tobira_${spec.console}_login`;

function cookieOptions(ctx: Context, spec: ConsoleSpec, maxAgeMs?: number) {
  return { httpOnly: true, sameSite: 'lax' as const, secure: ctx.secure, path: spec.basePath, signed: true, ...(maxAgeMs ? { maxAge: maxAgeMs } : {}) };
}

export function consoleState(ctx: Context): ConsoleState {
  const state = ctx.state.console as ConsoleState | undefined;
  if (!state) throw new HttpError(401, 'error.interaction', 'no console session');
  return state;
}

/** Form posts carry the session's CSRF token; a mismatch is a 403 before anything changes. */
export function assertCsrf(ctx: Context, form: URLSearchParams): void {
  const expected = Buffer.from(consoleState(ctx).csrf);
  const given = Buffer.from(form.get('csrf') ?? '');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new HttpError(403, 'console.csrf', 'CSRF token missing or wrong');
  }
}

export function consoleAuthRoutes(deps: ConsoleDeps, spec: ConsoleSpec): Router {
  const router = new Router({ prefix: spec.basePath });
  const issuer = deps.provider.issuer;

  router.get('/login', async (ctx) => {
    const verifier = randomBytes(32).toString('base64url');
    const state = randomBytes(16).toString('base64url');
    const back = typeof ctx.query.back === 'string' && ctx.query.back.startsWith(`${spec.basePath}/`) ? ctx.query.back : spec.basePath;
    ctx.cookies.set(loginCookie(spec), JSON.stringify({ verifier, state, back }), cookieOptions(ctx, spec, 15 * 60 * 1000));
    const url = new URL(`${issuer}/auth`);
    url.search = new URLSearchParams({
      client_id: spec.clientId,
      response_type: 'code',
      scope: 'openid',
      redirect_uri: `${issuer}${spec.basePath}/callback`,
      code_challenge: createHash('sha256').update(verifier).digest('base64url'),
      code_challenge_method: 'S256',
      state,
      ...(ctx.query.fresh === '1' ? { prompt: 'login' } : {}),
    }).toString();
    ctx.redirect(url.href);
  });

  router.get('/callback', async (ctx) => {
    const raw = ctx.cookies.get(loginCookie(spec), { signed: true });
    ctx.cookies.set(loginCookie(spec), null, cookieOptions(ctx, spec));
    const pending = raw ? (JSON.parse(raw) as { verifier: string; state: string; back: string }) : undefined;
    if (typeof ctx.query.error === 'string') return ctx.redirect(`${spec.basePath}/signed-out`);
    if (!pending || ctx.query.state !== pending.state || typeof ctx.query.code !== 'string') {
      throw new HttpError(400, 'console.signInExpired', 'console sign-in state missing or mismatched');
    }
    const code = await deps.provider.AuthorizationCode.find(ctx.query.code);
    const challenge = createHash('sha256').update(pending.verifier).digest('base64url');
    if (
      !code ||
      code.clientId !== spec.clientId ||
      (code as { consumed?: unknown }).consumed ||
      code.isExpired ||
      code.codeChallenge !== challenge ||
      code.redirectUri !== `${issuer}${spec.basePath}/callback`
    ) {
      throw new HttpError(400, 'console.signInExpired', 'authorization code not usable');
    }
    // The adapter's consume is a compare-and-set: of two callbacks with one code sent at once, the
    // one that finds it used is refused like any other unusable code.
    await code.consume().catch((err: unknown) => {
      if (err instanceof errors.InvalidGrant) throw new HttpError(400, 'console.signInExpired', 'authorization code already used');
      throw err;
    });
    const user = await findUserById(deps.db, code.accountId!);
    if (user?.status !== 'active') throw new HttpError(403, 'console.notAllowed', 'account not active');
    const refusal = spec.admits(user);
    if (refusal || (spec.console === 'admin' && code.acr !== ACR_MFA)) {
      await recordAudit(deps.db, {
        action: `${spec.console}.sign_in`,
        outcome: 'refused',
        ...selfEvent(user),
        details: { reason: refusal ?? 'mfa_missing' },
        ...requestOrigin(ctx),
      });
      throw new HttpError(403, refusal ?? 'console.notAllowed', 'not admitted to this console');
    }
    const token = randomBytes(32).toString('base64url');
    const now = deps.clock.now();
    await insertConsoleSession(deps.db, {
      id: tokenDigest(deps.tokenKey, token),
      user_id: user.id,
      console: spec.console,
      acr: code.acr ?? '',
      auth_time: new Date((code.authTime ?? Math.floor(now.getTime() / 1000)) * 1000),
      ip: ctx.ip,
      user_agent: ctx.get('user-agent').slice(0, 512),
      created_at: now,
      expires_at: new Date(now.getTime() + spec.idleSeconds * 1000),
    });
    await recordAudit(deps.db, {
      action: `${spec.console}.sign_in`,
      outcome: 'success',
      ...selfEvent(user),
      details: { acr: code.acr, amr: code.amr },
      ...requestOrigin(ctx),
    });
    ctx.cookies.set(cookieName(spec), token, cookieOptions(ctx, spec));
    ctx.redirect(pending.back);
  });

  router.post('/logout', requireConsole(deps, spec), async (ctx) => {
    assertCsrf(ctx, await readForm(ctx));
    await deleteConsoleSession(deps.db, consoleState(ctx).session.id);
    ctx.cookies.set(cookieName(spec), null, cookieOptions(ctx, spec));
    const end = new URL(`${issuer}/session/end`);
    end.search = new URLSearchParams({ client_id: spec.clientId, post_logout_redirect_uri: `${issuer}${spec.basePath}/signed-out` }).toString();
    ctx.redirect(end.href);
  });

  return router;
}

/** Loads the console session, or sends a browser to sign in (a POST without one gets a 401). */
export function requireConsole(deps: ConsoleDeps, spec: ConsoleSpec) {
  return async (ctx: Context, next: Next): Promise<void> => {
    const token = ctx.cookies.get(cookieName(spec), { signed: true });
    const now = deps.clock.now();
    const session = token ? await findConsoleSession(deps.db, tokenDigest(deps.tokenKey, token), spec.console, now) : undefined;
    const fresh = session && now.getTime() - session.created_at.getTime() < spec.maxSeconds * 1000;
    const user = fresh ? await findUserById(deps.db, session.user_id) : undefined;
    const workspace = user ? await findWorkspaceById(deps.db, user.workspace_id) : undefined;
    if (!token || !session || !user || !workspace || user.status !== 'active' || spec.admits(user)) {
      if (session) await deleteConsoleSession(deps.db, session.id);
      if (ctx.method === 'GET') return ctx.redirect(`${spec.basePath}/login?back=${encodeURIComponent(ctx.originalUrl)}`);
      throw new HttpError(401, 'console.signInExpired', 'console session missing or expired');
    }
    await touchConsoleSession(deps.db, session.id, now, new Date(now.getTime() + spec.idleSeconds * 1000));
    ctx.state.console = { session, user, workspace, csrf: consoleCsrfToken(deps.tokenKey, token) } satisfies ConsoleState;
    ctx.set('Cache-Control', 'no-store');
    await next();
  };
}
