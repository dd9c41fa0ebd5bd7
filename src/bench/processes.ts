// Child processes for the bench: servers on loopback ports, their memory, and a CLI run with its peak RSS.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

export const ROOT = join(import.meta.dirname, '..', '..');

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

/** Resident set size now and at its peak (VmHWM), in bytes, from /proc; null where there is no /proc. */
export function memoryOf(pid: number): { rss: number; peak: number } | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (field: string) => Number(/\s(\d+) kB/.exec(status.split('\n').find((l) => l.startsWith(field)) ?? '')?.[1] ?? NaN) * 1024;
    return { rss: kb('VmRSS:'), peak: kb('VmHWM:') };
  } catch {
    return null;
  }
}

/** CPU time (user + system) the process has used so far, in milliseconds, from /proc; null where there is no /proc. */
export function cpuMsOf(pid: number): number | null {
  try {
    // Fields after the command name (which may hold spaces): state is field 3, utime and stime are fields 14 and 15.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ').pop()!.split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
  } catch {
    return null;
  }
}
/**
 * CPU time (user + system) used so far by every process named `postgres` on this machine (a local PostgreSQL's server
 * and backends), in milliseconds; null where there is no /proc. A backend that exits takes its share with it.
 */
export function postgresCpuMs(): number | null {
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return null;
  }
  let total = 0;
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      if (stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')) !== 'postgres') continue;
      total += cpuMsOf(Number(pid)) ?? 0;
    } catch {
      /* exited meanwhile */
    }
  }
  return total;
}

/** USER_HZ: the unit of utime and stime in /proc/<pid>/stat (100 on Linux whatever the kernel's HZ). */
const CLOCK_TICKS = 100;

export interface ServerChild {
  url: string;
  child: ChildProcess;
  stop: () => Promise<void>;
  output: () => string;
}

/** The node flags `npm start` runs the server with (package.json scripts.start), so the bench measures that server. */
export function startFlags(root = ROOT): string[] {
  const { scripts } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: { start: string } };
  return scripts.start.split(/\s+/).filter((arg) => arg.startsWith('--'));
}

/**
 * Starts `node [nodeFlags] <script>` on a free port and waits until `ready` (a GET path answering 2xx) responds; `script`
 * and the working directory are those of the checkout at `root` (this one by default).
 */
export async function startServer(
  script: string,
  env: Record<string, string>,
  ready = '/health',
  nodeFlags: string[] = [],
  root = ROOT,
): Promise<ServerChild> {
  const port = await freePort();
  const child = spawn(process.execPath, [...nodeFlags, join(root, script)], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: String(port), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => {
    out = (out + d).slice(-20_000);
  });
  child.stderr!.on('data', (d) => {
    out = (out + d).slice(-20_000);
  });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  };
  for (let i = 0; i < 600; i++) {
    if (child.exitCode !== null) throw new Error(`${script} exited with ${child.exitCode}:\n${out}`);
    try {
      const res = await fetch(url + ready);
      if (res.status < 500) return { url, child, stop, output: () => out };
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  await stop();
  throw new Error(`${script} did not start:\n${out}`);
}

export interface CliRun {
  code: number | null;
  /** The signal that ended the process, if one did (SIGKILL past the time limit). */
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  seconds: number;
  peakRss: number | null;
  /** User + system CPU seconds of the process (every thread), where GNU time measures it. */
  cpuSeconds: number | null;
}

/**
 * Runs a command to completion and measures its peak RSS (GNU time where present, else /proc polling); killed after
 * `limitMs` if given.
 */
export function runMeasured(args: string[], env: Record<string, string> = {}, limitMs?: number): Promise<CliRun> {
  const gnuTime = existsSync('/usr/bin/time');
  const [cmd, argv] = gnuTime ? ['/usr/bin/time', ['-f', 'MAXRSS_KB=%M CPU_S=%U+%S', process.execPath, ...args]] : [process.execPath, args];
  return new Promise((resolve) => {
    const started = performance.now();
    // With a limit, a process group of its own: the kill reaches node under GNU time too.
    const child = spawn(cmd, argv, {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: limitMs !== undefined,
    });
    const timer = limitMs === undefined ? null : setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), limitMs);
    let stdout = '';
    let stderr = '';
    let polled = 0;
    const poll = gnuTime
      ? null
      : setInterval(() => {
          polled = Math.max(polled, memoryOf(child.pid!)?.peak ?? 0);
        }, 50);
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('exit', (code, signal) => {
      if (poll) clearInterval(poll);
      if (timer) clearTimeout(timer);
      const seconds = (performance.now() - started) / 1000;
      const kb = /MAXRSS_KB=(\d+)/.exec(stderr);
      const cpu = /CPU_S=([\d.]+)\+([\d.]+)/.exec(stderr);
      resolve({
        code,
        signal,
        stdout,
        stderr: stderr.replace(/MAXRSS_KB=\d+ CPU_S=[\d.+]+\n?/, ''),
        seconds,
        peakRss: kb ? Number(kb[1]) * 1024 : polled || null,
        cpuSeconds: cpu ? Number(cpu[1]) + Number(cpu[2]) : null,
      });
    });
  });
}
