// Back-channel logout steps shared by the scenario tests: a relying party registered with a
// receiver, a member signed in there (the ID token's sid is what a logout token must name), and the
// checks every logout token must pass.
import assert from 'node:assert/strict';
import type * as oidc from 'openid-client';
import type { RunningTobira } from '../../src/boot.ts';
import { deleteClient } from '../../src/db/clients.ts';
import { BACKCHANNEL_LOGOUT_EVENT } from '../../src/backchannel/logout-token.ts';
import { Browser } from '../../bench/support/browser.ts';
import { logoutReceiver, type LogoutToken, type Receiver } from './logout-receiver.ts';
import { discover, signIn } from '../../bench/support/rp.ts';
import { makeClient, makeUser, type TestUser } from './tobira.ts';
import { until } from './wait.ts';

export type BackchannelRp = { clientId: string; config: oidc.Configuration; receiver: Receiver; remove: () => Promise<void> };

/** A client registered for back-channel logout at its own receiver (listening unless `down`). */
export async function backchannelRp(tobira: RunningTobira, options: { down?: boolean } = {}): Promise<BackchannelRp> {
  let clientId = '';
  const receiver = await logoutReceiver(tobira.issuer, () => clientId);
  const made = await makeClient(tobira, { backchannelLogoutUri: receiver.uri });
  clientId = made.clientId;
  if (!options.down) await receiver.start();
  const config = await discover(tobira.issuer, clientId, made.secret);
  return {
    clientId,
    config,
    receiver,
    // Deleting the client drops its notices still waiting, so no later test meets them.
    remove: async () => {
      await deleteClient(tobira.db, clientId);
      await receiver.stop();
    },
  };
}

export type SignedIn = { user: TestUser; browser: Browser; sid: string; idToken: string; refreshToken: string };

export async function memberSignedIn(tobira: RunningTobira, rp: BackchannelRp, workspaceSlug: string, browser?: Browser, member?: TestUser): Promise<SignedIn> {
  const user = member ?? (await makeUser(tobira, { workspaceSlug }));
  const b = browser ?? new Browser(tobira.issuer);
  const { tokens } = await signIn(rp.config, b, user);
  const sid = tokens.claims()!.sid;
  assert.equal(typeof sid, 'string', 'the ID token carries sid');
  return { user, browser: b, sid: sid as string, idToken: tokens.id_token!, refreshToken: tokens.refresh_token! };
}

/** Waits for the logout token naming this session, and checks it as an RP must (§2.6). */
export async function logoutTokenFor(rp: BackchannelRp, signedIn: { user: TestUser; sid: string | null }, issuer: string): Promise<LogoutToken> {
  const token = await until(`a logout token for session ${signedIn.sid} at ${rp.clientId}`, async () =>
    rp.receiver.tokens.find((t) => t.sub === signedIn.user.user.id && (signedIn.sid === null ? t.sid === undefined : t.sid === signedIn.sid)),
  );
  assert.equal(token.iss, issuer);
  assert.equal(token.aud, rp.clientId);
  assert.equal(token.sub, signedIn.user.user.id);
  assert.equal(typeof token.iat, 'number');
  assert.equal(typeof token.jti, 'string');
  assert.deepEqual(token.events, { [BACKCHANNEL_LOGOUT_EVENT]: {} });
  assert.equal('nonce' in token, false, 'a logout token never has a nonce');
  assert.deepEqual(rp.receiver.rejected, [], 'every token the receiver got verified');
  return token;
}
