// The sign-in of the bare baseline (bench/bare-provider.ts with BARE_USERS_FILE), as small as a
// real one can be and no smaller: the password checked against an argon2id hash made with Tobira's
// own parameters and code (src/crypto/passwords.ts; an unknown e-mail costs a hash too), then, for
// a user with a TOTP secret, a code (RFC 6238, one step of drift, each step accepted once per user,
// as Tobira does), then the grant: no consent page, as for Tobira's first-party bench client.
// Users are static (a JSON list), as the clients are; all share one hash, which costs exactly what
// a hash per user would.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readFileSync } from 'node:fs';
import { text } from 'node:stream/consumers';
import type Provider from 'oidc-provider';
import { hashPassword, verifyPassword } from '../src/crypto/passwords.ts';
import { base32Decode, totpAt } from './support/totp.ts';

export type BareUsers = { password: string; users: { email: string; totpSecret?: string }[] };

/** Records that `step` was used for `email`, unless it or a later one was: false means a replay. */
export type ClaimStep = (email: string, step: number) => Promise<boolean>;

const escapeHtml = (s: string) => s.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);

function page(res: ServerResponse, status: number, uid: string, step: 'login' | 'totp'): void {
  const fields =
    step === 'login'
      ? '<input name="email" type="email"><input name="password" type="password">'
      : '<input name="code" autocomplete="one-time-code" inputmode="numeric">';
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
  res.end(
    `<!doctype html><title>Sign in</title><form method="post" action="/interaction/${escapeHtml(uid)}/${step}">${fields}<button>Continue</button></form>`,
  );
}

/** A request handler for /interaction/…; answers false for any other path. */
export async function bareInteractions(provider: Provider, file: string, claimStep: ClaimStep) {
  const list = JSON.parse(readFileSync(file, 'utf8')) as BareUsers;
  const hash = await hashPassword(list.password);
  const users = new Map(list.users.map((u) => [u.email, u]));

  async function finish(req: IncomingMessage, res: ServerResponse, email: string, amr: string[]) {
    const details = await provider.interactionDetails(req, res);
    const grant = new provider.Grant({ accountId: email, clientId: String(details.params.client_id) });
    grant.addOIDCScope(String(details.params.scope));
    const grantId = await grant.save();
    await provider.interactionFinished(req, res, { login: { accountId: email, amr }, consent: { grantId } }, { mergeWithLastSubmission: false });
  }

  return async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    const match = /^\/interaction\/([\w-]+)(?:\/(login|totp))?$/.exec(new URL(req.url ?? '/', 'http://x').pathname);
    if (!match) return false;
    const uid = match[1]!;
    const details = await provider.interactionDetails(req, res);
    if (req.method !== 'POST') {
      page(res, 200, uid, 'login');
      return true;
    }
    const form = new URLSearchParams(await text(req));
    if (match[2] === 'login') {
      const user = users.get(form.get('email') ?? '');
      const ok = await verifyPassword(form.get('password') ?? '', hash);
      if (!user || !ok) page(res, 401, uid, 'login');
      else if (!user.totpSecret) await finish(req, res, user.email, ['pwd']);
      else {
        await provider.interactionResult(req, res, { pending: user.email }, { mergeWithLastSubmission: false });
        page(res, 200, uid, 'totp');
      }
      return true;
    }
    const email = (details.result as { pending?: string } | undefined)?.pending;
    const secret = email ? users.get(email)?.totpSecret : undefined;
    const code = form.get('code') ?? '';
    const now = Math.floor(Date.now() / 1000 / 30);
    const step = secret ? [now - 1, now, now + 1].find((s) => totpAt(base32Decode(secret), s * 30) === code) : undefined;
    if (email && step !== undefined && (await claimStep(email, step))) await finish(req, res, email, ['pwd', 'otp', 'mfa']);
    else page(res, 401, uid, 'totp');
    return true;
  };
}
