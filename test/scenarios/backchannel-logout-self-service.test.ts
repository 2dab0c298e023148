// Back-channel logout from the user's own changes at /account (removing an authenticator, turning
// MFA off: both end the user's other sessions), and from the operator's `tobira mfa reset`, whose
// notice waits in the database until a running node delivers it.
import assert from 'node:assert/strict';
import type { RunningTobira } from '../../src/boot.ts';
import { adjustableClock } from '../../src/clock.ts';
import { startTobira, makeUser, makeWorkspace } from '../helpers/tobira.ts';
import { addAuthenticator, authenticatorsOn, change, freshCode, openAccount } from '../helpers/account.ts';
import { enrolThroughSignIn } from '../helpers/scenario-a.ts';
import { backchannelRp, logoutTokenFor, memberSignedIn, type BackchannelRp } from '../helpers/backchannel.ts';
import { CliSandbox, usingPostgres } from '../cli/run-cli.ts';
import { freePort } from '../../bench/support/ports.ts';

describe('back-channel logout from /account', () => {
  const clock = adjustableClock();
  let tobira: RunningTobira;
  let rp: BackchannelRp;
  let workspaceSlug: string;
  before(async () => {
    tobira = await startTobira({}, { clock });
    workspaceSlug = (await makeWorkspace(tobira, 'optional')).slug;
    rp = await backchannelRp(tobira);
  });
  after(async () => {
    await rp?.remove();
    await tobira?.close();
  });

  async function enrolledAtTheApp() {
    const user = await makeUser(tobira, { workspaceSlug });
    const { secret, claims } = await enrolThroughSignIn(rp.config, clock, user, 'Old phone');
    return { user, secret, sid: String(claims.sid) };
  }

  it('removing an authenticator tells the app holding a session', async () => {
    const { user, secret, sid } = await enrolledAtTheApp();
    const { browser } = await openAccount(tobira, clock, user, secret);
    const { secret: newSecret, after } = await addAuthenticator(browser, tobira.issuer, clock, { label: 'New phone', oldSecret: secret });
    const [old] = authenticatorsOn(after);
    await change(browser, tobira.issuer, `/account/authenticators/${old!.id}/remove`, { code: freshCode(clock, newSecret) });
    await logoutTokenFor(rp, { user, sid }, tobira.issuer);
  });

  it('turning MFA off tells the app holding a session', async () => {
    const { user, secret, sid } = await enrolledAtTheApp();
    const { browser } = await openAccount(tobira, clock, user, secret);
    const off = await change(browser, tobira.issuer, '/account/mfa/off', { code: freshCode(clock, secret) });
    assert.equal(new URL(off.url).pathname, '/account');
    await logoutTokenFor(rp, { user, sid }, tobira.issuer);
  });
});

describe('back-channel logout after `tobira mfa reset`', function () {
  // Two node starts and a command-line run on a busy machine.
  this.timeout(120_000);
  const cli = new CliSandbox();
  after(() => cli.remove());

  it('a running node delivers the notice the command line wrote', async () => {
    // One issuer across restarts, so the app's JWKS and `iss` stay the same.
    const port = await freePort();
    const env = { PORT: String(port), ISSUER: `http://127.0.0.1:${port}`, ...(usingPostgres ? {} : { TOBIRA_DATA_DIR: cli.dataDir }) };
    let tobira = await startTobira(env);
    const rp = await backchannelRp(tobira);
    try {
      const workspaceSlug = (await makeWorkspace(tobira, 'optional')).slug;
      const member = await memberSignedIn(tobira, rp, workspaceSlug);
      // The embedded database is one process: the node stops while the command line runs.
      if (!usingPostgres) await tobira.close();
      const reset = await cli.run(['mfa', 'reset', '--email', member.user.email, '--reason', 'back-channel logout test']);
      assert.equal(reset.code, 0, reset.stderr);
      if (!usingPostgres) tobira = await startTobira(env);
      await logoutTokenFor(rp, member, tobira.issuer);
    } finally {
      await rp.remove().catch(() => {});
      await tobira.close();
    }
  });
});
