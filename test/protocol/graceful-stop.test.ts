import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { startTobiraProcess, statusOf, type TobiraProcess } from '../helpers/process.ts';

// A request that is in flight: the node has taken it (it answered `100 Continue`), half the body
// is still to come, so the node is busy with it until the test sends the rest.
async function halfSentTokenRequest(port: number): Promise<{ socket: Socket; finish: () => Promise<string> }> {
  const body = 'grant_type=client_credentials&client_id=nobody&client_secret=wrong';
  const socket = connect(port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  let answer = '';
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  const taken = new Promise<void>((resolve, reject) => {
    socket.on('data', (chunk: Buffer) => {
      answer += chunk.toString();
      if (answer.startsWith('HTTP/1.1 100 Continue\r\n\r\n')) resolve();
    });
    closed.then(() => reject(new Error(`the connection closed before the request was taken: ${answer}`)));
    setTimeout(() => reject(new Error('no 100 Continue within 30 s')), 30_000).unref();
  });
  socket.write(
    `POST /token HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${body.length}\r\nExpect: 100-continue\r\n\r\n`,
  );
  await taken;
  answer = '';
  socket.write(body.slice(0, 20));
  return {
    socket,
    finish: async () => {
      socket.write(body.slice(20));
      await closed;
      return answer;
    },
  };
}

describe('stopping a node with a signal', function () {
  // Each test starts a process; on a busy machine its boot alone can take half a minute.
  this.timeout(120_000);
  let tobira: TobiraProcess;

  beforeEach(async () => {
    tobira = await startTobiraProcess();
    await tobira.until('/readyz answers 200', async () => (await statusOf(`${tobira.url}/readyz`)) === 200);
  });

  afterEach(async () => {
    await tobira.stop();
  });

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`${signal}: stops accepting, finishes the request in flight, exits 0`, async () => {
      const inFlight = await halfSentTokenRequest(tobira.port);
      tobira.child.kill(signal);
      await tobira.until('new connections are refused after the signal', async () => (await statusOf(`${tobira.url}/healthz`)) === 0);
      assert.equal(tobira.child.exitCode, null, 'still running while a request is in flight');
      const answer = await inFlight.finish();
      assert.match(answer, /^HTTP\/1\.1 401 Unauthorized\r\n/, `the request in flight got its answer:\n${answer}${tobira.output()}`);
      assert.match(answer, /"error":"invalid_client"/);
      assert.equal(await tobira.exited(), 0, tobira.output());
    });
  }

  it('exits at once on a second signal, without waiting for requests in flight', async () => {
    const inFlight = await halfSentTokenRequest(tobira.port);
    tobira.child.kill('SIGTERM');
    await tobira.until('new connections are refused after the first signal', async () => (await statusOf(`${tobira.url}/healthz`)) === 0);
    tobira.child.kill('SIGTERM');
    assert.equal(await tobira.exited(), 143, tobira.output());
    assert.match(tobira.output(), /"msg":"second signal: exiting at once"/);
    inFlight.socket.destroy();
  });
});
