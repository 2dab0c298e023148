// `--password -` reads the password from stdin, so it never appears in the process list or the
// shell history. Piped input: the first line. A terminal: a prompt on stderr, without echo.
import { UsageError } from './command.ts';

async function firstLine(stream: NodeJS.ReadStream): Promise<string | undefined> {
  let buffered = '';
  stream.setEncoding('utf8');
  for await (const chunk of stream) {
    buffered += chunk as string;
    const end = buffered.indexOf('\n');
    if (end >= 0) return buffered.slice(0, end).replace(/\r$/, '');
  }
  return buffered ? buffered.replace(/\r$/, '') : undefined;
}

function promptWithoutEcho(stream: NodeJS.ReadStream, prompt: string): Promise<string> {
  process.stderr.write(prompt);
  stream.setRawMode(true);
  stream.setEncoding('utf8');
  stream.resume();
  return new Promise((resolve, reject) => {
    let value = '';
    const finish = () => {
      stream.off('data', onData);
      stream.setRawMode(false);
      stream.pause();
      process.stderr.write('\n');
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n' || ch === '\u0004') {
          finish();
          return resolve(value);
        }
        if (ch === '\u0003') {
          finish();
          return reject(new UsageError('cancelled: no password was entered'));
        }
        value = ch === '\u007f' || ch === '\b' ? value.slice(0, -1) : value + ch;
      }
    };
    stream.on('data', onData);
  });
}

export async function readPasswordFromStdin(): Promise<string> {
  const stdin = process.stdin;
  if (stdin.isTTY) return promptWithoutEcho(stdin, 'Password (not shown): ');
  const line = await firstLine(stdin);
  if (line === undefined) {
    throw new UsageError('--password - reads the password from the first line of stdin, but stdin was empty');
  }
  return line;
}
