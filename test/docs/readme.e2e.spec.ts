// README.md runs as written. Every ```sh (or bash, shell) block of it is run, top to bottom, in one bash with
// `set -euo pipefail`, against the compiled server (dist/main.js) on a fresh data directory and a free port; a block is
// left out only when the nearest non-blank line above it is an HTML comment starting `<!-- not run by the README test`
// (saying why). The shell's working directory stands in for a fresh clone: `data/` is the server's data directory (so
// `cat data/admin.key` reads the key it wrote), and `bin/`, `docs/`, `src/`, `test/` and `web/` are the repository's
// (read only: the walkthrough files the pictures in `test/fixtures`).
// The only changes to the text: `localhost:3000` becomes the test server's address, and `npx sandbox-ledger` becomes
// `node <repository>/bin/sandbox-ledger.js`, which is what npx runs in a clone. Any failing command fails the test, and
// the blocks check the answers that matter themselves (`jq -e`, `test`).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../../src/bench/processes.js';
import { startServerProcess, type ServerProcess } from '../support/server-process.js';
import { shellBlocks, walkthroughScript } from './readme-blocks.js';

const README = readFileSync(join(ROOT, 'README.md'), 'utf8');

function runBash(cwd: string, timeoutMs: number): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn('bash', ['walkthrough.sh'], {
      cwd,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? cwd, LANG: 'C.UTF-8', TMPDIR: cwd },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

describe('README.md', () => {
  it('starts with the two commands, then a walkthrough per user whose every block runs', () => {
    const blocks = shellBlocks(README);
    const commands = blocks.filter((b) => !b.run).map((b) => b.code.trim());
    expect(commands.slice(0, 2)).toEqual(['npm ci && npm start', 'npm ci && npm test']);
    const lines = README.split('\n');
    const start = lines.indexOf('## Walkthrough') + 1;
    const end = lines.findIndex((l, i) => i >= start && l.startsWith('## '));
    expect(start).toBeGreaterThan(0);
    const headings = lines.slice(start, end).filter((l) => l.startsWith('### '));
    for (const who of ['Creator', 'Reviewer', 'Auditor', 'Operator']) expect(headings.some((h) => h.startsWith(`### ${who}`))).toBe(true);
    const walkthrough = blocks.filter((b) => b.line > start && b.line <= end);
    expect(walkthrough.length).toBeGreaterThan(10);
    expect(walkthrough.filter((b) => !b.run).map((b) => b.line)).toEqual([]);
  });

  describe('run as written against a fresh server', () => {
    let dir: string;
    let server: ServerProcess | undefined;

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'readme-'));
      mkdirSync(join(dir, 'data'));
      for (const entry of ['bin', 'docs', 'src', 'test', 'web'])
        if (existsSync(join(ROOT, entry))) symlinkSync(join(ROOT, entry), join(dir, entry));
      server = await startServerProcess({ LEDGER_DATA_DIR: join(dir, 'data') });
    });
    afterAll(async () => {
      if (server && server.child.exitCode === null) {
        server.child.kill('SIGTERM');
        const killer = setTimeout(() => server!.child.kill('SIGKILL'), 10_000);
        await server.exited;
        clearTimeout(killer);
      }
      rmSync(dir, { recursive: true, force: true });
    });

    it('every block succeeds, top to bottom, in one shell', async () => {
      for (const tool of ['bash', 'curl', 'jq', 'sha256sum'])
        if (spawnSync(tool, ['--version'], { stdio: 'ignore' }).status !== 0) throw new Error(`the README's walkthrough needs ${tool}`);
      const script = walkthroughScript(shellBlocks(README), {
        baseUrl: server!.url,
        cli: `node ${join(ROOT, 'bin', 'sandbox-ledger.js')}`,
      });
      writeFileSync(join(dir, 'walkthrough.sh'), script);
      const { code, output } = await runBash(dir, 150_000);
      if (code !== 0) {
        const block = [...output.matchAll(/>>> (README\.md line \d+)/g)].pop()?.[1] ?? 'before the first block';
        throw new Error(
          `the README's shell blocks failed (exit ${code}) in the block at ${block}.\n` +
            'A block that is not meant to run needs `<!-- not run by the README test: <why> -->` on the line above it.\n\n' +
            `--- output (last 6000 characters) ---\n${output.slice(-6000)}\n--- server (last 3000) ---\n${server!.output().slice(-3000)}`,
        );
      }
      // The blocks check their own answers (exit statuses, `jq -e`, `test`); this is the one the issue is about.
      expect(output).toMatch(/"reason": "ai-generated-evidence"/);
    }, 200_000);
  });
});
