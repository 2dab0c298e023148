// A minimal browser for the protocol tests and the benchmarks: keeps cookies per host, follows redirects, and submits the
// forms of Tobira's pages the way a person would. It stops at URLs outside Tobira (the RP's
// redirect URI), so the test can hand that URL to the relying-party library.
export type Page = { url: string; status: number; html: string; headers: Headers };

type Cookie = { value: string; path: string };

export class Browser {
  private readonly jar = new Map<string, Map<string, Cookie>>();

  /** `also` lists further origins to follow redirects into (e.g. the demo relying party). */
  private readonly home: string;
  private readonly headers: Record<string, string>;
  private readonly also: string[];
  constructor(home: string, headers: Record<string, string> = {}, also: string[] = []) {
    this.home = home;
    this.headers = headers;
    this.also = also;
  }

  cookie(name: string): string | undefined {
    return this.jar.get(new URL(this.home).host)?.get(name)?.value;
  }

  setCookie(name: string, value: string | undefined, path = '/'): void {
    const host = new URL(this.home).host;
    const cookies = this.jar.get(host) ?? new Map<string, Cookie>();
    if (value === undefined) cookies.delete(name);
    else cookies.set(name, { value, path });
    this.jar.set(host, cookies);
  }

  /** A new browser at `home` holding this one's cookies: a copied cookie jar, or the same person's tab routed to another node. */
  withSameCookies(home: string): Browser {
    const copy = new Browser(home);
    for (const name of this.cookieNames()) copy.setCookie(name, this.cookie(name));
    return copy;
  }

  cookieNames(): string[] {
    return [...(this.jar.get(new URL(this.home).host)?.keys() ?? [])];
  }

  private cookieHeader(url: URL): string {
    const cookies = this.jar.get(url.host) ?? new Map<string, Cookie>();
    return [...cookies.entries()]
      .filter(([, c]) => url.pathname.startsWith(c.path))
      .map(([name, c]) => `${name}=${c.value}`)
      .join('; ');
  }

  private store(url: URL, response: Response): void {
    const cookies = this.jar.get(url.host) ?? new Map<string, Cookie>();
    for (const line of response.headers.getSetCookie()) {
      const [pair = '', ...attrs] = line.split(';').map((s) => s.trim());
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq);
      const value = pair.slice(eq + 1);
      const path = attrs.find((a) => a.toLowerCase().startsWith('path='))?.slice(5) || '/';
      const expired = attrs.some((a) => /^expires=/i.test(a) && new Date(a.slice(8)).getTime() < Date.now()) || value === '';
      if (expired) cookies.delete(name);
      else cookies.set(name, { value, path });
    }
    this.jar.set(url.host, cookies);
  }

  /** One request, no redirect following. A body is sent as a form (raw bytes as they are). */
  async request(
    url: string,
    init: { method?: string; body?: URLSearchParams | Uint8Array<ArrayBuffer>; headers?: Record<string, string> } = {},
  ): Promise<Page> {
    const target = new URL(url, this.home);
    const headers: Record<string, string> = { ...this.headers, ...init.headers };
    const cookie = this.cookieHeader(target);
    if (cookie) headers.cookie = cookie;
    if (init.body) headers['content-type'] ??= 'application/x-www-form-urlencoded';
    const response = await fetch(target, { method: init.method ?? 'GET', headers, body: init.body, redirect: 'manual' });
    this.store(target, response);
    return { url: target.href, status: response.status, html: await response.text(), headers: response.headers };
  }

  /** Follows redirects while they stay on Tobira; returns the last Tobira page or the first foreign URL. */
  async follow(start: Page): Promise<Page> {
    let page = start;
    for (let hops = 0; hops < 20; hops++) {
      const location = page.headers.get('location');
      if (page.status < 300 || page.status >= 400 || !location) return page;
      const next = new URL(location, page.url);
      if (next.origin !== new URL(this.home).origin && !this.also.includes(next.origin)) {
        return { url: next.href, status: page.status, html: '', headers: page.headers };
      }
      page = await this.request(next.href);
    }
    throw new Error('too many redirects');
  }

  async open(url: string): Promise<Page> {
    return this.follow(await this.request(url));
  }

  /** Submits the page's first POST form (or the one whose action contains `actionPart`). */
  async submit(page: Page, fields: Record<string, string>, actionPart?: string): Promise<Page> {
    const form = findForm(page.html, actionPart);
    const body = new URLSearchParams(form.hidden);
    for (const [k, v] of Object.entries(fields)) body.set(k, v);
    return this.follow(await this.request(new URL(decodeHtml(form.action), page.url).href, { method: 'POST', body }));
  }
}

export function decodeHtml(s: string): string {
  return s
    .replace(/&amp;/g, '&')
    .replace(/&#34;|&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>');
}

export function findForm(html: string, actionPart?: string): { action: string; hidden: Record<string, string> } {
  const forms = [...html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/gi)].map((m) => {
    const attrs = m[1] ?? '';
    const action = /action="([^"]*)"/i.exec(attrs)?.[1] ?? '';
    const hidden: Record<string, string> = {};
    for (const input of (m[2] ?? '').matchAll(/<input\b[^>]*type="hidden"[^>]*>/gi)) {
      const name = /name="([^"]*)"/.exec(input[0])?.[1];
      const value = /value="([^"]*)"/.exec(input[0])?.[1] ?? '';
      if (name) hidden[name] = decodeHtml(value);
    }
    return { action, method: /method="([^"]*)"/i.exec(attrs)?.[1]?.toLowerCase(), hidden };
  });
  const form = forms.find((f) => f.method === 'post' && (!actionPart || f.action.includes(actionPart)));
  if (!form) throw new Error(`no POST form${actionPart ? ` with action containing ${actionPart}` : ''} on the page`);
  return form;
}

/** Text of the element with role="alert", if any. */
export function alertText(html: string): string | undefined {
  const m = /role="alert"[^>]*>([\s\S]*?)</.exec(html);
  return m ? decodeHtml(m[1]!.trim()) : undefined;
}
