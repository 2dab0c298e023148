// The input boundary: every path segment, query parameter and form field of a request is checked
// before any route looks at it (the rules are in hostile-text.ts). Form bodies are checked where
// they are read (form-body.ts), the provider's parameters in front of it (src/oidc/input-guard.ts),
// and the consoles' paths after the console guard (src/console/mount.ts), so a refusal there is
// recorded against the signed-in admin and shows in their workspace's audit log.
//
// Every refusal is a 400 with a translated message and an audit event `request.refused` saying what
// was refused and where; the audit writer escapes it (src/audit/record.ts), so it can always be stored.
import type { Context, Next } from 'koa';
import type { Db } from '../db/connection.ts';
import type { ConsoleState } from '../console/session.ts';
import { recordAudit, requestOrigin } from '../audit/record.ts';
import { RefusedInput } from './errors.ts';
import { decodeComponent, decodeUrlEncoded, refusalOf, urlBytes } from './hostile-text.ts';

/** Raises the boundary's refusal for the first bad path segment or query parameter. */
export function assertCleanTarget(ctx: Context): void {
  for (const segment of ctx.path.split('/')) {
    const bytes = urlBytes(segment);
    const decoded = decodeComponent(bytes, false);
    const reason = decoded === undefined ? 'invalid_utf8' : refusalOf(decoded);
    if (reason) throw new RefusedInput('path', { reason, name: '', value: decoded ?? Buffer.from(bytes).toString('utf8') });
  }
  const query = decodeUrlEncoded(urlBytes(ctx.querystring));
  if ('refused' in query) throw new RefusedInput('query', query.refused);
}

// Values of these fields are secrets (or carry them) and never go into the log, refused or not.
const SECRET_FIELD = /pass|secret|code|token|csrf|xsrf|confirm|assertion|verifier|hint|key/i;
const MAX_LOGGED = 200;

/** The path as the log may show it: the secret of a set-password link is masked. */
export function loggablePath(path: string): string {
  return path.replace(/^\/set-password\/[^/]+/, '/set-password/[redacted]');
}

async function recordRefusal(db: Db, ctx: Context, err: RefusedInput): Promise<void> {
  const { reason, name, value } = err.refused;
  const secret = SECRET_FIELD.test(name) || (err.place === 'path' && loggablePath(ctx.path) !== ctx.path);
  const signedIn = ctx.state.console as ConsoleState | undefined;
  await recordAudit(db, {
    action: 'request.refused',
    outcome: 'refused',
    workspaceId: signedIn?.workspace.id ?? null,
    actorType: signedIn ? 'user' : 'anonymous',
    actorId: signedIn?.user.id ?? null,
    actorLabel: signedIn?.user.email ?? null,
    details: {
      reason,
      place: err.place,
      ...(err.place === 'path' ? {} : { field: name.slice(0, 64) }),
      value: secret ? '[redacted]' : value.slice(0, MAX_LOGGED),
      method: ctx.method,
      path: loggablePath(ctx.path).slice(0, MAX_LOGGED),
    },
    ...requestOrigin(ctx),
  });
}

/**
 * Checks the request target of our own pages (`checkedElsewhere` names the paths whose target is
 * checked later, see above) and records every refusal raised below it, wherever it was raised.
 */
export function inputBoundary(db: Db, checkedElsewhere: (path: string) => boolean) {
  return async (ctx: Context, next: Next): Promise<void> => {
    try {
      if (!checkedElsewhere(ctx.path)) assertCleanTarget(ctx);
      await next();
    } catch (err) {
      if (err instanceof RefusedInput) await recordRefusal(db, ctx, err);
      throw err;
    }
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Ids in paths are UUIDs; anything else is not looked up at all. */
export function isUuid(value: string): boolean {
  return UUID.test(value);
}
