// One POST of a logout token to a relying party (OpenID Connect Back-Channel Logout 1.0 §2.5):
// form-encoded `logout_token`, no redirects followed, 200 or 204 is success, anything else —
// another status, a refused address, a timeout — is a failure the worker retries.
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';
import { hostOf, isSpecialUseAddress, mayReachSpecialUse, publicOnlyLookup, RefusedAddress, type AllowedHosts } from './address-guard.ts';

export type DeliveryOutcome = { ok: true; status: number } | { ok: false; status?: number; error: string };

export async function postLogoutToken(
  uri: string,
  logoutToken: string,
  options: { timeoutMs: number; allowedHosts: AllowedHosts; signal?: AbortSignal },
): Promise<DeliveryOutcome> {
  const url = new URL(uri);
  const host = hostOf(url);
  const guarded = !mayReachSpecialUse(options.allowedHosts, host);
  if (guarded && isIP(host) && isSpecialUseAddress(host)) {
    return { ok: false, error: `${host} is a special-use address (allow it with BACKCHANNEL_ALLOWED_HOSTS)` };
  }
  const body = new URLSearchParams({ logout_token: logoutToken }).toString();
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise<DeliveryOutcome>((resolve) => {
    const req = send(
      url,
      {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body), 'user-agent': 'Tobira back-channel logout' },
        timeout: options.timeoutMs,
        ...(guarded ? { lookup: publicOnlyLookup } : {}),
        // A fresh connection each time: a pooled one would skip the address check on reuse.
        agent: false,
        ...(options.signal ? { signal: options.signal } : {}),
      },
      (res) => {
        // The answer's body is not needed; reading it frees the socket.
        res.resume();
        const status = res.statusCode ?? 0;
        resolve(status === 200 || status === 204 ? { ok: true, status } : { ok: false, status, error: `HTTP ${status}` });
      },
    );
    // A whole-request deadline as well: `timeout` alone only bounds idle time on the socket.
    const deadline = setTimeout(() => req.destroy(new Error(`no answer within ${options.timeoutMs} ms`)), options.timeoutMs);
    req.on('timeout', () => req.destroy(new Error(`no answer within ${options.timeoutMs} ms`)));
    req.on('error', (err) => resolve({ ok: false, error: err instanceof RefusedAddress ? err.message : describe(err) }));
    req.on('close', () => clearTimeout(deadline));
    req.end(body);
  });
}

function describe(err: Error): string {
  const code = (err as NodeJS.ErrnoException).code;
  return code ? `${code}: ${err.message}` : err.message;
}
