// A tiny relying party for the newcomer: signs in through Tobira with openid-client (code + PKCE)
// and shows what it learnt — the ID token's claims, above all `amr` and `acr`. Demo only: its
// sessions live in this process's memory.
import { createServer, type Server } from 'node:http';
import { randomBytes } from 'node:crypto';
import Koa from 'koa';
import Router from '@koa/router';
import * as oidc from 'openid-client';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { renderPage, viewsDirectory } from '../http/render.ts';

type DemoSession = {
  verifier?: string;
  state?: string;
  nonce?: string;
  claims?: Record<string, unknown>;
  userinfo?: Record<string, unknown>;
  idToken?: string;
};

export type DemoRpOptions = { issuer: string; clientId: string; clientSecret: string; port: number; host: string | undefined };

export async function startDemoRp(options: DemoRpOptions): Promise<{ server: Server; url: string }> {
  const base = `http://localhost:${options.port}`;
  const insecure = new URL(options.issuer).protocol === 'http:';
  let config: oidc.Configuration | undefined;
  const configuration = async () =>
    (config ??= await oidc.discovery(new URL(options.issuer), options.clientId, options.clientSecret, undefined, {
      execute: insecure ? [oidc.allowInsecureRequests] : [],
    }));

  const sessions = new Map<string, DemoSession>();
  const app = new Koa({ keys: [randomBytes(32).toString('hex')] });
  const router = new Router();
  const session = (ctx: Koa.Context): DemoSession => {
    let id = ctx.cookies.get('demo_sid', { signed: true });
    if (!id || !sessions.has(id)) {
      id = randomBytes(16).toString('hex');
      sessions.set(id, {});
      ctx.cookies.set('demo_sid', id, { signed: true, httpOnly: true, sameSite: 'lax' });
    }
    return sessions.get(id)!;
  };

  router.get('/', async (ctx) => {
    const s = session(ctx);
    await renderPage(ctx, 'demo/home', {
      title: 'Demo app',
      wide: true,
      issuer: options.issuer,
      claims: s.claims ? JSON.stringify(s.claims, null, 2) : undefined,
      userinfo: s.userinfo ? JSON.stringify(s.userinfo, null, 2) : undefined,
      amr: s.claims ? JSON.stringify(s.claims.amr) : undefined,
      acr: s.claims?.acr,
    });
  });

  router.get('/login', async (ctx) => {
    const s = session(ctx);
    s.verifier = oidc.randomPKCECodeVerifier();
    s.state = oidc.randomState();
    s.nonce = oidc.randomNonce();
    const params: Record<string, string> = {
      redirect_uri: `${base}/callback`,
      scope: 'openid email profile',
      code_challenge: await oidc.calculatePKCECodeChallenge(s.verifier),
      code_challenge_method: 'S256',
      state: s.state,
      nonce: s.nonce,
    };
    if (ctx.query.mfa === '1') params.acr_values = 'urn:tobira:acr:mfa';
    if (ctx.query.login === '1') params.prompt = 'login';
    ctx.redirect(oidc.buildAuthorizationUrl(await configuration(), params).href);
  });

  router.get('/callback', async (ctx) => {
    const s = session(ctx);
    const current = new URL(ctx.originalUrl, base);
    try {
      const tokens = await oidc.authorizationCodeGrant(await configuration(), current, {
        pkceCodeVerifier: s.verifier,
        expectedState: s.state,
        expectedNonce: s.nonce,
      });
      s.claims = tokens.claims() as Record<string, unknown>;
      s.idToken = tokens.id_token;
      s.userinfo = (await oidc.fetchUserInfo(await configuration(), tokens.access_token, String(s.claims.sub))) as Record<string, unknown>;
      ctx.redirect('/');
    } catch (err) {
      ctx.status = 400;
      ctx.type = 'text';
      ctx.body = `Sign-in failed: ${(err as Error).message}`;
    }
  });

  router.get('/logout', async (ctx) => {
    const s = session(ctx);
    const hint = s.idToken;
    delete s.claims;
    delete s.userinfo;
    delete s.idToken;
    const url = oidc.buildEndSessionUrl(await configuration(), {
      post_logout_redirect_uri: `${base}/`,
      ...(hint ? { id_token_hint: hint } : {}),
    });
    ctx.redirect(url.href);
  });

  // Served here, not linked from Tobira: the page's CSP allows only its own origin.
  router.get('/static/tobira.css', async (ctx) => {
    ctx.type = 'text/css';
    ctx.body = await readFile(join(viewsDirectory, 'static', 'tobira.css'));
  });
  router.get('/lang/:lang', (ctx) => {
    ctx.cookies.set('tobira_lang', ctx.params.lang === 'ja' ? 'ja' : 'en', { httpOnly: true, sameSite: 'lax' });
    ctx.redirect('/');
  });

  app.use(router.routes());
  const server = createServer(app.callback());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  return { server, url: `${base}/` };
}
