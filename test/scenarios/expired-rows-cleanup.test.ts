// The clean-up of expired rows under load: on the embedded database (one connection) a single
// DELETE of every expired row held the connection for the whole run and every request waited.
import assert from 'node:assert/strict';
import type { RunningTobira } from '../../src/boot.ts';
import { removeExpiredArtefacts, CLEANUP_BATCH } from '../../src/oidc/cleanup.ts';
import { startTobira, makeUser, unique } from '../helpers/tobira.ts';

const EXPIRED_MODELS = 20_000;
const EXPIRED_CONSOLE_SESSIONS = CLEANUP_BATCH + 500;

describe('Clean-up of expired rows', () => {
  let tobira: RunningTobira;
  before(async () => {
    tobira = await startTobira();
  });
  after(async () => tobira?.close());

  it('forgets throttle counters with no attempt and no lock for a day, and keeps every other', async () => {
    const tag = `cleanup-${unique()}`;
    const day = 24 * 3600 * 1000;
    const ago = (ms: number) => new Date(Date.now() - ms);
    const rows = {
      quiet: { failures: 3, locks: 0, locked_until: null, updated_at: ago(day + 60_000) },
      lockLongOver: { failures: 0, locks: 2, locked_until: ago(day + 60_000), updated_at: ago(day + 120_000) },
      recentAttempt: { failures: 2, locks: 0, locked_until: null, updated_at: ago(60_000) },
      lockedToday: { failures: 0, locks: 3, locked_until: ago(3600_000), updated_at: ago(day + 60_000) },
    };
    await tobira.db('throttles').insert(Object.entries(rows).map(([name, row]) => ({ key: `${tag}:${name}`, ...row })));
    await removeExpiredArtefacts(tobira.db);
    const left = (await tobira.db('throttles').where('key', 'like', `${tag}:%`).pluck('key')).sort();
    assert.deepEqual(left, [`${tag}:lockedToday`, `${tag}:recentAttempt`], "a lock within the day still counts towards the next lock's length");
  });

  it(`deletes ${EXPIRED_MODELS} expired OIDC rows and ${EXPIRED_CONSOLE_SESSIONS} console sessions in batches, and a request made meanwhile is answered before it ends`, async () => {
    const tag = `cleanup-${unique()}`;
    const { user } = await makeUser(tobira);
    await tobira.db.raw(
      `insert into oidc_models (model, id, payload, expires_at)
       select 'AccessToken', ? || '-' || g, '{}'::jsonb, now() - interval '1 hour' from generate_series(1, ?) g`,
      [tag, EXPIRED_MODELS],
    );
    await tobira.db('oidc_models').insert({ model: 'AccessToken', id: `${tag}-live`, payload: '{}', expires_at: new Date(Date.now() + 3_600_000) });
    await tobira.db.raw(
      `insert into console_sessions (id, user_id, console, acr, auth_time, expires_at)
       select ? || '-' || g, ?, 'account', 'urn:tobira:acr:password', now(), now() - interval '1 minute' from generate_series(1, ?) g`,
      [tag, user.id, EXPIRED_CONSOLE_SESSIONS],
    );

    const order: string[] = [];
    const cleanup = removeExpiredArtefacts(tobira.db).then((removed) => {
      order.push('clean-up finished');
      return removed;
    });
    // An unknown client at the token endpoint: the provider looks the client up in the database.
    const request = fetch(`${tobira.issuer}/token`, {
      method: 'POST',
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: `nobody-${tag}`, client_secret: 'x' }),
    }).then(async (response) => {
      order.push(`request answered ${response.status} ${((await response.json()) as { error?: string }).error}`);
    });
    const [removed] = await Promise.all([cleanup, request]);
    assert.deepEqual(
      order,
      ['request answered 401 invalid_client', 'clean-up finished'],
      'the request is answered while the clean-up still runs, not after it',
    );

    assert.ok(removed >= EXPIRED_MODELS + EXPIRED_CONSOLE_SESSIONS, `removed ${removed}`);
    assert.equal(Number((await tobira.db('oidc_models').whereLike('id', `${tag}-%`).count({ n: '*' }))[0]!.n), 1, 'only the live row is left');
    assert.equal((await tobira.db('oidc_models').where({ id: `${tag}-live` })).length, 1);
    assert.equal(Number((await tobira.db('console_sessions').where({ user_id: user.id }).count({ n: '*' }))[0]!.n), 0);
  });
});
