// The load generator of bench/tokens.ts, in its own process so its CPU is never the server's: one
// flow against one server, CONCURRENCY virtual users on keep-alive connections (Node's fetch),
// loopback only, for a bounded time. Reads its job as JSON on stdin, writes its result as JSON on
// stdout. Refresh: each virtual user walks its own chain of rotated refresh tokens and hands the
// last one back, so the next run goes on where this one stopped.
import { text } from 'node:stream/consumers';

export type Flow = 'client_credentials' | 'refresh' | 'userinfo' | 'introspection';

export type LoadJob = {
  flow: Flow;
  /** http://127.0.0.1:<port>; requests carry X-Forwarded-Proto when the issuer is https. */
  base: string;
  forwardedProto?: 'https';
  tokenPath: string;
  userinfoPath: string;
  introspectionPath: string;
  clientId: string;
  clientSecret: string;
  /** One per virtual user. */
  accessTokens: string[];
  refreshTokens: string[];
  seconds: number;
};

export type LoadResult = {
  completed: number;
  seconds: number;
  latenciesMs: number[];
  errors: number;
  errorSamples: string[];
  refreshTokens: string[];
};

const job = JSON.parse(await text(process.stdin)) as LoadJob;
const url = new URL(job.base);
if (url.hostname !== '127.0.0.1') throw new Error('the load generator only talks to loopback');

const basic = `Basic ${Buffer.from(`${encodeURIComponent(job.clientId)}:${encodeURIComponent(job.clientSecret)}`).toString('base64')}`;
const common: Record<string, string> = job.forwardedProto ? { 'x-forwarded-proto': job.forwardedProto } : {};
const form = { ...common, authorization: basic, 'content-type': 'application/x-www-form-urlencoded' };
const refreshTokens = [...job.refreshTokens];

async function once(user: number): Promise<Response> {
  switch (job.flow) {
    case 'client_credentials':
      return fetch(job.base + job.tokenPath, { method: 'POST', headers: form, body: 'grant_type=client_credentials' });
    case 'refresh': {
      const body = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshTokens[user]! });
      const response = await fetch(job.base + job.tokenPath, { method: 'POST', headers: form, body });
      if (!response.ok) return response;
      const tokens = (await response.json()) as { refresh_token?: string };
      if (!tokens.refresh_token) throw new Error('no rotated refresh token');
      refreshTokens[user] = tokens.refresh_token;
      return new Response(null, { status: 200 });
    }
    case 'userinfo':
      return fetch(job.base + job.userinfoPath, { headers: { ...common, authorization: `Bearer ${job.accessTokens[user]}` } });
    case 'introspection': {
      const response = await fetch(job.base + job.introspectionPath, {
        method: 'POST',
        headers: form,
        body: new URLSearchParams({ token: job.accessTokens[user]! }),
      });
      if (!response.ok) return response;
      const answer = (await response.json()) as { active?: boolean };
      return new Response(answer.active ? null : 'inactive token', { status: answer.active ? 200 : 599 });
    }
  }
}

const latenciesMs: number[] = [];
const errorSamples: string[] = [];
let errors = 0;
const started = performance.now();
const deadline = started + job.seconds * 1000;
await Promise.all(
  job.accessTokens.map(async (_, user) => {
    while (performance.now() < deadline) {
      const t = performance.now();
      try {
        const response = await once(user);
        const body = await response.text();
        if (response.status !== 200) {
          errors++;
          if (errorSamples.length < 5) errorSamples.push(`${response.status} ${body.slice(0, 200)}`);
          continue;
        }
        latenciesMs.push(performance.now() - t);
      } catch (err) {
        errors++;
        if (errorSamples.length < 5) errorSamples.push(String(err));
      }
    }
  }),
);
const result: LoadResult = { completed: latenciesMs.length, seconds: (performance.now() - started) / 1000, latenciesMs, errors, errorSamples, refreshTokens };
process.stdout.write(JSON.stringify(result));
