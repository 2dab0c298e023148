// One full sign-in as a person and a relying party make it: the authorization request (PKCE,
// through openid-client), the sign-in form, for an enrolled user the TOTP form with the code their
// app would show now, back at the redirect URI, the code exchanged for tokens. A fresh browser
// each time: no SSO session, no device cookie.
import { installTlsStandIn } from '../tls-stand-in.ts';
import { alertText, Browser } from './browser.ts';
import { authorizationUrl, CALLBACK, discover, exchange } from './rp.ts';
import { codeFor } from './totp.ts';
import { EXHAUSTED, type Attempt, type SignInJob } from './load-jobs.ts';

export async function signInRequests(job: SignInJob): Promise<{ attempt: Attempt; nextTotpUser: () => number }> {
  if (job.forwardedProto) installTlsStandIn();
  const config = await discover(job.issuer, job.clientId, job.clientSecret);
  let next = job.firstTotpUser;

  const attempt: Attempt = async (user) => {
    const enrolled = job.flow === 'password + TOTP' ? job.totpUsers[next++] : undefined;
    if (job.flow === 'password + TOTP' && !enrolled) return EXHAUSTED;
    const browser = new Browser(job.issuer);
    const start = await authorizationUrl(config);
    let page = await browser.submit(await browser.open(start.url.href), { email: enrolled?.email ?? job.passwordUsers[user]!, password: job.password });
    if (enrolled) page = await browser.submit(page, { code: codeFor(enrolled.secret) }, '/totp');
    if (!page.url.startsWith(CALLBACK)) return `${page.status} at ${new URL(page.url).pathname}: ${alertText(page.html) ?? page.html.slice(0, 120)}`;
    await exchange(config, start, page.url);
    return undefined;
  };
  return { attempt, nextTotpUser: () => Math.min(next, job.totpUsers.length) };
}
