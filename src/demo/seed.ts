// On an empty database, `npm start` creates a demo workspace, a demo workspace admin, a demo member
// and the demo relying party, so a newcomer can sign in at once. Passwords are random and printed once.
import { randomBytes } from 'node:crypto';
import type { Db } from '../db/connection.ts';
import { countWorkspaces } from '../db/workspaces.ts';
import { findClient } from '../db/clients.ts';
import { createWorkspace } from '../directory/workspaces.ts';
import { createUser } from '../directory/users.ts';
import { registerClient } from '../oidc/client-registry.ts';
import { updateClientUris } from '../db/clients.ts';
import { insertAuditEvent } from '../db/audit-events.ts';

export const DEMO_CLIENT_ID = 'demo-app';

export type DemoSeed = {
  workspace: string;
  admin: { email: string; password: string };
  member: { email: string; password: string };
};

function password(): string {
  return randomBytes(12).toString('base64url');
}

export async function seedDemo(db: Db, dataKey: Buffer, demoRedirectUri: string, demoPostLogoutUri: string): Promise<DemoSeed | undefined> {
  if ((await countWorkspaces(db)) > 0) return undefined;
  const seed: DemoSeed = {
    workspace: 'demo',
    admin: { email: 'admin@demo.example', password: password() },
    member: { email: 'member@demo.example', password: password() },
  };
  await db.transaction(async (trx) => {
    const workspace = await createWorkspace(trx, { slug: seed.workspace, displayName: 'Demo workspace', mfaPolicy: 'optional' });
    await createUser(trx, { workspaceSlug: workspace.slug, ...seed.admin, name: 'Demo Admin', role: 'workspace_admin' });
    await createUser(trx, { workspaceSlug: workspace.slug, ...seed.member, name: 'Demo Member', role: 'member' });
    if (!(await findClient(trx, DEMO_CLIENT_ID))) {
      await registerClient(
        trx,
        dataKey,
        {
          name: 'Demo app',
          redirectUris: [demoRedirectUri],
          postLogoutRedirectUris: [demoPostLogoutUri],
          isPublic: false,
          firstParty: true,
          requireMfa: false,
          grants: [],
        },
        DEMO_CLIENT_ID,
      );
    }
    // Inside the transaction: a failed audit write must fail the seed, not leave it half-recorded.
    await insertAuditEvent(trx, {
      action: 'demo.seed',
      outcome: 'success',
      workspaceId: workspace.id,
      actorType: 'system',
      actorLabel: 'npm start',
      details: { users: [seed.admin.email, seed.member.email], client_id: DEMO_CLIENT_ID },
    });
  });
  return seed;
}

/** The demo app's address follows DEMO_RP_PORT, which may change between starts. */
export async function pointDemoClientAt(db: Db, redirectUri: string, postLogoutUri: string): Promise<boolean> {
  return updateClientUris(db, DEMO_CLIENT_ID, [redirectUri], [postLogoutUri]);
}
