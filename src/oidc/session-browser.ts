// Which browser an SSO session belongs to, so the user's page and /account can list sessions as
// people recognise them ("Firefox on Windows, signed in at …"). oidc-provider keeps only the
// Session properties it knows; `browser` joins them, set from the User-Agent of each successful
// authorization (the session is saved after that event, in the same request). Not a secret: it is
// what the browser sends to every site.
import type Provider from 'oidc-provider';
import type { KoaContextWithOIDC } from 'oidc-provider';

const MAX_LENGTH = 300;

export function rememberSessionBrowser(provider: Provider): void {
  const inPayload = (provider.Session as unknown as { IN_PAYLOAD: string[] }).IN_PAYLOAD;
  Object.defineProperty(provider.Session, 'IN_PAYLOAD', { get: () => [...inPayload, 'browser'] });
  provider.on('authorization.success', (ctx: KoaContextWithOIDC) => {
    const session = ctx.oidc.session as unknown as { browser?: string } | undefined;
    // Control characters never reach the database (jsonb refuses some of them).
    if (session)
      session.browser = ctx
        .get('user-agent')
        .replace(/\p{Cc}/gu, ' ')
        .slice(0, MAX_LENGTH);
  });
}

/** A short name for a User-Agent ("Firefox on Windows"), or the start of it when unknown. */
export function browserName(userAgent: string | undefined): string {
  if (!userAgent) return '';
  const browser = [
    ['Edge', /Edg(e|A|iOS)?\//],
    ['Opera', /OPR\//],
    ['Firefox', /Firefox\/|FxiOS\//],
    ['Chrome', /Chrome\/|CriOS\//],
    ['Safari', /Version\/[\d.]+ (Mobile\/\S+ )?Safari\//],
  ].find(([, pattern]) => (pattern as RegExp).test(userAgent))?.[0] as string | undefined;
  const system = [
    ['iOS', /iPhone|iPad|iPod/],
    ['Android', /Android/],
    ['Windows', /Windows/],
    ['macOS', /Mac OS X|Macintosh/],
    ['ChromeOS', /CrOS/],
    ['Linux', /Linux/],
  ].find(([, pattern]) => (pattern as RegExp).test(userAgent))?.[0] as string | undefined;
  if (browser && system) return `${browser} / ${system}`;
  return browser ?? system ?? userAgent.slice(0, 60);
}
