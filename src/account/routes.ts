// The self-service account page (/account). requireConsole has already run for every path here:
// the user is active and signed in under the usual MFA rules. Each change confirms a fresh code.
import type Router from '@koa/router';
import type { AccountDeps } from './spec.ts';
import { homeRoutes } from './home.ts';
import { addAuthenticatorRoutes } from './add-authenticator.ts';
import { factorRoutes } from './factor-routes.ts';
import { APP, PASSKEY } from './factor-kinds.ts';
import { addPasskeyRoutes } from './add-passkey.ts';
import { mfaRoutes } from './mfa-routes.ts';
import { sessionRoutes } from './session-routes.ts';

export function accountPages(deps: AccountDeps): Router[] {
  // "new" is matched before ":id" routes (it is not a UUID either way).
  return [
    homeRoutes(deps),
    addAuthenticatorRoutes(deps),
    addPasskeyRoutes(deps),
    factorRoutes(deps, APP),
    factorRoutes(deps, PASSKEY),
    mfaRoutes(deps),
    sessionRoutes(deps),
  ];
}
