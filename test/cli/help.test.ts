// What an operator sees before touching any data: the command list, each command's usage, and
// one-line refusals of unknown commands and options.
import assert from 'node:assert/strict';
import { CliSandbox, failedWithOneLine } from './run-cli.ts';

const COMMANDS = [
  'migrate',
  'workspace create',
  'workspace set-time-zone',
  'user create',
  'client create',
  'client update',
  'client list',
  'client delete',
  'keys rotate',
];

describe('tobira: help and usage errors', function () {
  this.timeout(60000);
  const cli = new CliSandbox();
  after(() => cli.remove());

  it('lists every command for --help and for no command at all', async () => {
    for (const args of [['--help'], []]) {
      const run = await cli.run(args);
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stdout, /^Usage: tobira <command>/);
      for (const command of COMMANDS) assert.match(run.stdout, new RegExp(`^  ${command} `, 'm'));
    }
  });

  it('prints usage with exit 0 for every command’s --help', async () => {
    for (const command of COMMANDS) {
      const run = await cli.run([...command.split(' '), '--help']);
      assert.equal(run.code, 0, `${command}: ${run.stderr}`);
      assert.match(run.stdout, new RegExp(`^Usage: tobira ${command}\\b`), command);
      assert.match(run.stdout, /--json/, command);
    }
  });

  it('documents reading the password from stdin', async () => {
    const run = await cli.run(['user', 'create', '-h']);
    assert.equal(run.code, 0);
    assert.match(run.stdout, /--password PASSWORD .*"-" to read it from the first line of stdin/s);
  });

  it('refuses an unknown command in one line', async () => {
    const line = failedWithOneLine(await cli.run(['frobnicate']), /unknown command "frobnicate"/);
    assert.match(line, /tobira --help/);
  });

  it('refuses an unknown sub-command and an unknown option in one line', async () => {
    failedWithOneLine(await cli.run(['client', 'rename']), /unknown command "client rename"/);
    failedWithOneLine(await cli.run(['keys', 'rotate', '--force']), /unknown option --force for "keys rotate"/);
  });

  it('refuses a missing required option before touching the database', async () => {
    failedWithOneLine(await cli.run(['workspace', 'create', '--name', 'No slug']), /needs --slug/);
  });
});
