// The compiled CLI answers --help (and -h) with its usage on stdout and exit 0, after a command or without one.
import { runCli } from '../support/server-process.js';

describe('sandbox-ledger --help', () => {
  it.each([[['--help']], [['-h']], [['verify', '--help']], [['settle', '-h']]])('%j prints the usage and exits 0', async (args) => {
    const run = await runCli(args, {});
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toMatch(/^usage: sandbox-ledger <command>/);
  });

  it('still refuses an unknown option with exit 2', async () => {
    const run = await runCli(['verify', '--nope'], {});
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/Unknown option '--nope'/);
  });
});
