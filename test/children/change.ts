// A change run in a process of its own, so a test can SIGKILL it while its transaction is open
// (test/scenarios/killed-mid-change.test.ts). Runs the same service functions the pages call,
// on the PostgreSQL database of DATABASE_URL, with the instance keys of the test secret.
//   node --import=tsx test/children/change.ts enrol '{"userId":…,"sealedSecret":…,"code":…}'
//   node --import=tsx test/children/change.ts create-user '{"workspaceSlug":…,"email":…}'
import { openDatabase } from '../../src/db/connection.ts';
import { deriveInstanceKeys } from '../../src/crypto/instance-secret.ts';
import { confirmEnrolment } from '../../src/mfa/enrolment.ts';
import { createWorkspaceUser } from '../../src/directory/user-admin.ts';
import { findWorkspaceBySlug } from '../../src/db/workspaces.ts';
import { TEST_SECRET } from '../helpers/tobira.ts';

const [operation, json = '{}'] = process.argv.slice(2);
const input = JSON.parse(json) as Record<string, string>;
const { db, close } = await openDatabase({ databaseUrl: process.env.DATABASE_URL, dataDir: 'memory' });
const keys = deriveInstanceKeys(TEST_SECRET);
const now = new Date();
try {
  if (operation === 'enrol') {
    const result = await confirmEnrolment(db, keys.dataKey, {
      userId: input.userId!,
      label: 'Killed phone',
      sealedSecret: input.sealedSecret!,
      code: input.code!,
      now,
      audit: ({ authenticator }) => ({
        action: 'mfa.enrol',
        outcome: 'success',
        actorType: 'user',
        actorId: input.userId!,
        targetType: 'authenticator',
        targetId: authenticator.id,
      }),
    });
    console.log(JSON.stringify(result));
  } else if (operation === 'create-user') {
    const workspace = await findWorkspaceBySlug(db, input.workspaceSlug!);
    const created = await createWorkspaceUser(
      db,
      keys.tokenKey,
      workspace!,
      { email: input.email!, name: 'Killed', role: 'member', method: 'link', password: '' },
      now,
      (user) => ({
        action: 'user.create',
        outcome: 'success',
        workspaceId: workspace!.id,
        actorType: 'operator',
        targetType: 'user',
        targetId: user.id,
        details: { email: user.email },
      }),
    );
    console.log(JSON.stringify({ userId: created.user.id }));
  } else {
    throw new Error(`unknown operation ${operation}`);
  }
} finally {
  await close();
}
