// The requests of the hostile-input fuzz (test/scenarios/s-hostile-input-fuzz.test.ts): every
// endpoint Tobira serves, requests built byte by byte from generated pieces (so lone surrogates
// and invalid UTF-8 reach the server as a hostile client sends them), and the model of what each
// request must get, with the test's own statement of what the input boundary refuses.
import type { Page } from '../../bench/support/browser.ts';

export const REFUSED = ['What was sent contains characters Tobira does not accept', '送信された内容に、Tobira が受け付けない文字'];
export const STACK = /\bat [\w.<>]+ \(|node_modules|\.ts:\d|Error: /;

export type Session = 'anonymous' | 'admin' | 'account' | 'interaction';
type FormRead = 'first' | 'later' | 'none';

export type Endpoint = {
  methods: ('GET' | 'POST')[];
  /** `:param` segments are filled with a known value or garbage. */
  path: string;
  fields: string[];
  provider?: boolean;
  /** Under a console's guard: a request without that console's session is sent to sign in. */
  guardedBy?: 'admin' | 'account';
  /** Whether a POST's form is read before anything else can refuse it, once `formSession` is met. */
  form?: FormRead;
  formSession?: Session;
};

const ADMIN_ACTIONS = ['reset-mfa', 'clear-lock', 'role', 'disable', 'enable', 'delete'];
const AUTH_PARAMS = [
  'client_id',
  'response_type',
  'scope',
  'redirect_uri',
  'state',
  'nonce',
  'login_hint',
  'claims',
  'prompt',
  'acr_values',
  'code_challenge',
  'code_challenge_method',
  'max_age',
  'ui_locales',
];

export const ENDPOINTS: Endpoint[] = [
  { methods: ['GET'], path: '/', fields: [] },
  { methods: ['GET'], path: '/lang/:lang', fields: ['back'] },
  { methods: ['GET'], path: '/healthz', fields: [] },
  { methods: ['GET'], path: '/metrics', fields: [] },
  { methods: ['GET'], path: '/static/tobira.css', fields: [] },
  { methods: ['GET'], path: '/interaction/:uid', fields: ['use'] },
  { methods: ['POST'], path: '/interaction/:uid/login', fields: ['email', 'password'], form: 'first', formSession: 'interaction' },
  ...['totp', 'recovery', 'enrol', 'continue', 'consent'].map(
    (step): Endpoint => ({ methods: ['POST'], path: `/interaction/:uid/${step}`, fields: ['code', 'label'], form: 'later', formSession: 'interaction' }),
  ),
  { methods: ['GET', 'POST'], path: '/set-password/:token', fields: ['password', 'confirm'], form: 'first', formSession: 'anonymous' },
  { methods: ['GET'], path: '/admin', fields: [], guardedBy: 'admin' },
  { methods: ['GET'], path: '/admin/users', fields: ['q', 'page', 'done'], guardedBy: 'admin' },
  { methods: ['GET'], path: '/admin/users/new', fields: [], guardedBy: 'admin' },
  { methods: ['POST'], path: '/admin/users', fields: ['csrf', 'email', 'name', 'role', 'method', 'password'], guardedBy: 'admin', form: 'first' },
  { methods: ['GET'], path: '/admin/users/:id', fields: ['done'], guardedBy: 'admin' },
  ...ADMIN_ACTIONS.map(
    (action): Endpoint => ({ methods: ['POST'], path: `/admin/users/:id/${action}`, fields: ['csrf', 'confirm', 'role'], guardedBy: 'admin', form: 'first' }),
  ),
  { methods: ['GET'], path: '/admin/workspace', fields: ['saved', 'unchanged'], guardedBy: 'admin' },
  { methods: ['POST'], path: '/admin/workspace/policy', fields: ['csrf', 'policy', 'confirm'], guardedBy: 'admin', form: 'first' },
  ...['/admin/audit', '/admin/audit/export.csv', '/admin/audit/export.json'].map(
    (path): Endpoint => ({ methods: ['GET'], path, fields: ['user', 'action', 'from', 'to', 'page'], guardedBy: 'admin' }),
  ),
  { methods: ['GET'], path: '/admin/login', fields: ['back', 'fresh'] },
  { methods: ['GET'], path: '/admin/callback', fields: ['code', 'state', 'error'] },
  { methods: ['GET'], path: '/admin/signed-out', fields: [] },
  // The real CSRF token is never offered to the logout forms (see knownValues), so no session ends.
  { methods: ['POST'], path: '/admin/logout', fields: ['csrf'], form: 'first', formSession: 'admin' },
  { methods: ['GET'], path: '/account', fields: ['done'], guardedBy: 'account' },
  { methods: ['GET'], path: '/account/authenticators/new', fields: [], guardedBy: 'account' },
  { methods: ['POST'], path: '/account/authenticators', fields: ['csrf', 'label', 'new_code', 'code', 'password'], guardedBy: 'account', form: 'first' },
  ...['rename', 'remove'].map(
    (action): Endpoint => ({
      methods: ['GET', 'POST'],
      path: `/account/authenticators/:aid/${action}`,
      fields: ['csrf', 'label', 'code', 'password'],
      guardedBy: 'account',
      form: 'first',
    }),
  ),
  ...['/account/recovery-codes/new', '/account/mfa/off'].map(
    (path): Endpoint => ({ methods: ['GET', 'POST'], path, fields: ['csrf', 'code', 'password', 'confirm'], guardedBy: 'account', form: 'first' }),
  ),
  { methods: ['GET'], path: '/account/callback', fields: ['code', 'state'] },
  { methods: ['POST'], path: '/account/logout', fields: ['csrf'], form: 'first', formSession: 'account' },
  { methods: ['GET'], path: '/.well-known/openid-configuration', fields: [], provider: true },
  { methods: ['GET'], path: '/jwks', fields: [], provider: true },
  { methods: ['GET', 'POST'], path: '/auth', fields: AUTH_PARAMS, provider: true },
  { methods: ['POST'], path: '/request', fields: AUTH_PARAMS, provider: true },
  {
    methods: ['POST'],
    path: '/token',
    fields: ['grant_type', 'code', 'redirect_uri', 'code_verifier', 'refresh_token', 'client_id', 'client_secret', 'scope'],
    provider: true,
  },
  { methods: ['GET', 'POST'], path: '/me', fields: ['access_token'], provider: true },
  { methods: ['POST'], path: '/token/introspection', fields: ['token', 'token_type_hint', 'client_id'], provider: true },
  { methods: ['POST'], path: '/token/revocation', fields: ['token', 'token_type_hint', 'client_id'], provider: true },
  {
    methods: ['GET', 'POST'],
    path: '/session/end',
    fields: ['client_id', 'id_token_hint', 'post_logout_redirect_uri', 'state', 'xsrf', 'logout'],
    provider: true,
  },
  { methods: ['POST'], path: '/session/end/confirm', fields: ['xsrf', 'logout'], provider: true },
];

// ---- Building requests byte by byte ----

/** A piece of a generated value: text (which may hold lone surrogates) or raw bytes. */
export type Piece = { text: string } | { bytes: number[] };

/** UTF-8, except that a lone surrogate becomes its three-byte form (invalid UTF-8, as a hostile client sends it). */
function wtf8(text: string): number[] {
  const out: number[] = [];
  for (const char of text) {
    const cp = char.codePointAt(0)!;
    if (cp < 0x80) out.push(cp);
    else if (cp < 0x800) out.push(0xc0 | (cp >> 6), 0x80 | (cp & 63));
    else if (cp < 0x10000) out.push(0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63));
    else out.push(0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 63), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63));
  }
  return out;
}

const bytesOf = (pieces: Piece[]): number[] => pieces.flatMap((p) => ('text' in p ? wtf8(p.text) : p.bytes));

const UNRESERVED = /[A-Za-z0-9\-._~]/;
/** Percent-encodes every byte but unreserved ASCII; `raw` keeps other bytes as they are, except the form's own delimiters. */
function encode(bytes: number[], raw = false): number[] {
  return bytes.flatMap((b) => {
    const c = String.fromCharCode(b);
    if (UNRESERVED.test(c) || (raw && !'%&=+'.includes(c))) return [b];
    return [...Buffer.from(`%${b.toString(16).toUpperCase().padStart(2, '0')}`)];
  });
}

const utf8Strict = new TextDecoder('utf-8', { fatal: true });

/** The test's own statement of the rule: what the boundary must refuse. */
export function mustRefuse(bytes: number[]): boolean {
  let text: string;
  try {
    text = utf8Strict.decode(new Uint8Array(bytes));
  } catch {
    return true;
  }
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the test's own definition of hostile text
  return /[\u0000-\u001f\u007f-\u009f]/.test(text) || !text.isWellFormed();
}

export type Pair = [Piece[], Piece[]];
export type Generated = {
  endpoint: Endpoint;
  method: 'GET' | 'POST';
  session: Session;
  params: Record<string, Piece[]>;
  query: Pair[];
  body: Pair[];
  rawBody: boolean;
  contentType: string;
  huge: boolean;
  basicAuth: boolean;
  accept: string | undefined;
};

const HUGE = 1 << 20;
export const FORM = 'application/x-www-form-urlencoded';

export function buildRequest(g: Generated) {
  let hostileTarget = false;
  const path = g.endpoint.path
    .split('/')
    .map((segment) => {
      if (!segment.startsWith(':')) return segment;
      const bytes = bytesOf(g.params[segment.slice(1)] ?? []);
      hostileTarget ||= mustRefuse(bytes);
      const encoded = Buffer.from(encode(bytes)).toString('latin1');
      // "." and ".." would be resolved away by the URL parser before the request is sent.
      return encoded === '' || encoded === '.' || encoded === '..' ? 'x' : encoded;
    })
    .join('/');
  const formBytes = (pairs: Pair[], raw: boolean) => {
    let hostile = false;
    const parts = pairs.map(([name, value]) => {
      const n = bytesOf(name);
      const v = bytesOf(value);
      hostile ||= mustRefuse(n) || mustRefuse(v);
      return [...encode(n, raw), 0x3d, ...encode(v, raw)];
    });
    return { bytes: parts.flatMap((p, i) => (i ? [0x26, ...p] : p)), hostile };
  };
  const query = formBytes(g.query, false);
  hostileTarget ||= query.hostile;
  const body = formBytes(g.body, g.rawBody);
  const bodyBytes = g.huge ? [...body.bytes, ...Buffer.from(`&pad=${'a'.repeat(HUGE)}`)] : body.bytes;
  const search = query.bytes.length ? `?${Buffer.from(query.bytes).toString('latin1')}` : '';
  return {
    url: `${path}${search}`,
    body: g.method === 'POST' ? Buffer.from(bodyBytes) : undefined,
    hostileTarget,
    hostileBody: g.method === 'POST' && body.hostile,
  };
}

export const describeRequest = (g: Generated, url: string) =>
  `${g.method} ${url.slice(0, 300)} as ${g.session}; ${g.contentType} body ${JSON.stringify(g.body.map(([n, v]) => [n, v]))}`.slice(0, 800) +
  (g.huge ? ' + 1 MB' : '');

// ---- The model: what each request must get ----

export type Expected = 'boundary' | 'too_large' | 'sign_in' | 'client_error' | 'clean';

export function expected(g: Generated, built: ReturnType<typeof buildRequest>, uidIsReal: boolean): Expected {
  const { endpoint: ep, session, method } = g;
  if (ep.guardedBy && session !== ep.guardedBy) return 'sign_in';
  if (built.hostileTarget) return 'boundary';
  if (method !== 'POST') return 'clean';
  const bodyRead =
    g.contentType.startsWith(FORM) &&
    (ep.provider ||
      (ep.methods.includes('POST') &&
        ep.form === 'first' &&
        (ep.formSession === undefined || ep.formSession === 'anonymous' || ep.formSession === session) &&
        (ep.formSession !== 'interaction' || uidIsReal)));
  if (bodyRead && g.huge) return 'too_large';
  if (bodyRead && built.hostileBody) return 'boundary';
  if (g.huge || built.hostileBody) return 'client_error';
  return 'clean';
}

export const isBoundaryRefusal = (page: Page) => page.status === 400 && REFUSED.some((m) => page.html.includes(m));
