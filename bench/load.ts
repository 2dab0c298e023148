// The load generator, in its own process so its CPU is never the server's: one flow against one
// server, a fixed number of virtual users on keep-alive connections (Node's fetch), loopback only,
// for a bounded time. Reads its job as JSON on stdin (bench/support/load-jobs.ts), writes its result
// as JSON on stdout. Token flows: bench/support/token-requests.ts; full sign-ins:
// bench/support/sign-in-requests.ts.
import { text } from 'node:stream/consumers';
import { EXHAUSTED, type LoadJob, type LoadResult } from './support/load-jobs.ts';
import { signInRequests } from './support/sign-in-requests.ts';
import { tokenRequests } from './support/token-requests.ts';

const job = JSON.parse(await text(process.stdin)) as LoadJob;
if (new URL(job.base).hostname !== '127.0.0.1') throw new Error('the load generator only talks to loopback');

const tokens = job.kind === 'tokens' ? tokenRequests(job) : undefined;
const signIns = job.kind === 'sign-in' ? await signInRequests(job) : undefined;
const attempt = (tokens ?? signIns)!.attempt;
const virtualUsers = job.kind === 'tokens' ? job.accessTokens.length : job.concurrency;

const latenciesMs: number[] = [];
const errorSamples: string[] = [];
let errors = 0;
let exhausted = false;
const started = performance.now();
const deadline = started + job.seconds * 1000;
await Promise.all(
  Array.from({ length: virtualUsers }, async (_, user) => {
    while (performance.now() < deadline && !exhausted) {
      const t = performance.now();
      let problem: string | undefined;
      try {
        problem = await attempt(user);
      } catch (err) {
        problem = String(err);
      }
      if (problem === EXHAUSTED) exhausted = true;
      else if (problem === undefined) latenciesMs.push(performance.now() - t);
      else {
        errors++;
        if (errorSamples.length < 5) errorSamples.push(problem);
      }
    }
  }),
);
const result: LoadResult = {
  completed: latenciesMs.length,
  seconds: (performance.now() - started) / 1000,
  latenciesMs,
  errors,
  errorSamples,
  refreshTokens: tokens?.refreshTokens ?? [],
  nextTotpUser: signIns?.nextTotpUser() ?? 0,
  exhausted,
};
process.stdout.write(JSON.stringify(result));
