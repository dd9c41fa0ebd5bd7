// The compiled server as a real child process (built by `npm test`'s pretest step), for crash tests.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from '../../src/bench/processes.js';
import { serversHolding } from '../../src/cli/data-dir-lock.js';

export interface ServerProcess {
  url: string;
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

/**
 * Starts dist/main.js with `env` (which names LEDGER_DATA_DIR) and waits until /health answers, at most `timeoutMs`. The
 * server listens on a port the system picks (PORT=0, unless `env` gives one), and the address is read from the lock it
 * writes in its data directory once it listens: a port chosen here and opened by the server later could be taken
 * meanwhile by another suite's server, whose /health would then answer for this one.
 */
export async function startServerProcess(env: Record<string, string>, timeoutMs = 60_000): Promise<ServerProcess> {
  const dataDir = env.LEDGER_DATA_DIR;
  if (!dataDir) throw new Error('startServerProcess needs LEDGER_DATA_DIR');
  const child = spawn(process.execPath, [join(ROOT, 'dist', 'main.js')], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => {
    out += d;
  });
  child.stderr!.on('data', (d) => {
    out += d;
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  let url: string | undefined;
  // A start takes a second or two, and over ten on two cores shared with other test runs: by default, wait up to a minute.
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline;) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}:\n${out}`);
    url ??= serversHolding(dataDir).find((lock) => lock.pid === child.pid)?.url; // named once it listens
    if (url && (await fetch(`${url}/health`).catch(() => null))?.ok) return { url, child, output: () => out, exited };
    await new Promise((r) => setTimeout(r, 50));
  }
  child.kill('SIGKILL');
  throw new Error(`server did not become healthy:\n${out}`);
}

export function runCli(
  args: string[],
  env: Record<string, string>,
  /** Killed after this long (code null): a command that never ends must not outlive the test. */
  timeoutMs = 240_000,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return runNode(join(ROOT, 'bin', 'sandbox-ledger.js'), args, env, timeoutMs);
}

/** Runs `node <script> [args]` to its end, as runCli runs the CLI (`dist/main.js` is what `npm start` runs). */
export function runNode(
  script: string,
  args: string[],
  env: Record<string, string>,
  timeoutMs = 240_000,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [script, ...args], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', ...env },
      timeout: timeoutMs,
      killSignal: 'SIGKILL',
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}
