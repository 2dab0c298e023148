// The self-service account page: any active user, signed in under the usual MFA rules; every
// change there asks for a fresh code (or the password for a user without an authenticator).
import type { ConsoleDeps, ConsoleSpec } from '../console/session.ts';
import { ACCOUNT_CLIENT_ID } from '../oidc/clients.ts';

export const ACCOUNT_SPEC: ConsoleSpec = {
  console: 'account',
  clientId: ACCOUNT_CLIENT_ID,
  basePath: '/account',
  idleSeconds: 30 * 60,
  maxSeconds: 12 * 3600,
  admits: () => undefined,
};

export type AccountDeps = ConsoleDeps & { dataKey: Buffer; instanceName: string };
