// The admin console: for user admins and workspace admins, always signed in with MFA (rule 5),
// with a short session.
import type { ConsoleDeps, ConsoleSpec } from '../console/session.ts';
import { ADMIN_CLIENT_ID } from '../oidc/clients.ts';
import { isAdminRole } from '../db/users.ts';

export { isAdminRole };

export const ADMIN_SPEC: ConsoleSpec = {
  console: 'admin',
  clientId: ADMIN_CLIENT_ID,
  basePath: '/admin',
  idleSeconds: 15 * 60,
  maxSeconds: 8 * 3600,
  admits: (user) => (isAdminRole(user.role) ? undefined : 'console.notAdmin'),
};

export type AdminDeps = ConsoleDeps & { dataKey: Buffer; instanceName: string };
