// A relying party's back-channel logout endpoint, as an app would implement it (OpenID Connect
// Back-Channel Logout 1.0 §2.6): every POSTed logout token is verified with the provider's JWKS,
// for this client, and kept with its claims. It can also be down (nothing listens on its port) or
// hang (it accepts the request and never answers).
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRemoteJWKSet, jwtVerify, type JWTPayload } from 'jose';
import { freePort } from '../../bench/support/ports.ts';

export type LogoutToken = JWTPayload & { sid?: string; events?: Record<string, unknown>; nonce?: unknown };

export type Receiver = {
  readonly uri: string;
  readonly tokens: LogoutToken[];
  /** Verification failures (a token that came but was not acceptable). */
  readonly rejected: string[];
  /** How many requests arrived, answered or not. */
  readonly requests: number;
  start: () => Promise<void>;
  stop: () => Promise<void>;
  /** Answer nothing from now on (the connection stays open until stop). */
  hang: () => void;
};

async function bodyOf(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString();
}

/** A receiver at a fixed free port; `start()` begins listening (a receiver "down at first" starts later). */
export async function logoutReceiver(issuer: string, clientId: () => string): Promise<Receiver> {
  const port = await freePort();
  const jwks = createRemoteJWKSet(new URL(`${issuer}/jwks`));
  const tokens: LogoutToken[] = [];
  const rejected: string[] = [];
  let requests = 0;
  let hanging = false;
  let server: Server | undefined;
  const receiver: Receiver = {
    uri: `http://127.0.0.1:${port}/backchannel-logout`,
    tokens,
    rejected,
    get requests() {
      return requests;
    },
    async start() {
      server = createServer(async (req, res) => {
        requests += 1;
        if (hanging) return;
        const form = new URLSearchParams(await bodyOf(req));
        try {
          const { payload } = await jwtVerify(form.get('logout_token') ?? '', jwks, {
            issuer,
            audience: clientId(),
            typ: 'logout+jwt',
            maxTokenAge: '2 minutes',
          });
          tokens.push(payload as LogoutToken);
          res.writeHead(200, { 'cache-control': 'no-store' }).end();
        } catch (err) {
          rejected.push(String(err));
          res.writeHead(400).end();
        }
      });
      await new Promise<void>((resolve) => server!.listen(port, '127.0.0.1', resolve));
      if ((server.address() as AddressInfo).port !== port) throw new Error('receiver did not get its port');
    },
    async stop() {
      server?.closeAllConnections();
      await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
      server = undefined;
    },
    hang() {
      hanging = true;
    },
  };
  return receiver;
}
