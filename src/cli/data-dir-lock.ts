// A running server marks its data directory with `server-<pid>.lock`, so that the offline commands that write to the
// same stores (settle, projections rebuild) refuse to run beside it. A lock whose process is gone does not count.
import { hostname } from 'node:os';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const LOCK = /^server-(\d+)\.lock$/;

export interface ServerLock {
  pid: number;
  hostname: string;
  startedAt: string;
  url?: string;
}

/** Whether a process with this id runs on this machine (EPERM: it runs, as another user). */
function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The servers holding the directory. A lock written on another machine (a container sharing the volume) cannot be checked: it counts. */
export function serversHolding(dataDir: string): ServerLock[] {
  let names: string[];
  try {
    names = readdirSync(dataDir);
  } catch {
    return [];
  }
  const held: ServerLock[] = [];
  for (const name of names) {
    const pid = Number(LOCK.exec(name)?.[1]);
    if (!pid || pid === process.pid) continue;
    let lock: ServerLock;
    try {
      lock = {
        pid,
        hostname: hostname(),
        startedAt: '',
        ...(JSON.parse(readFileSync(join(dataDir, name), 'utf8')) as Partial<ServerLock>),
      };
    } catch {
      lock = { pid, hostname: hostname(), startedAt: '' }; // being written, or cut short: the pid in its name is enough
    }
    if (lock.hostname !== hostname() || running(pid)) held.push(lock);
  }
  return held;
}

/** Marks the directory as held by this process (removing the locks of servers that are gone); `release` on a clean exit. */
export function holdDataDir(dataDir: string): { update: (fields: Partial<ServerLock>) => void; release: () => void } {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  for (const name of readdirSync(dataDir)) {
    const pid = Number(LOCK.exec(name)?.[1]);
    if (pid && pid !== process.pid && !running(pid)) {
      try {
        const lock = JSON.parse(readFileSync(join(dataDir, name), 'utf8')) as Partial<ServerLock>;
        if (lock.hostname === hostname()) rmSync(join(dataDir, name), { force: true });
      } catch {
        /* unreadable: left alone, it blocks nothing once its pid is gone */
      }
    }
  }
  const file = join(dataDir, `server-${process.pid}.lock`);
  let lock: ServerLock = { pid: process.pid, hostname: hostname(), startedAt: new Date().toISOString() };
  const write = () => writeFileSync(file, JSON.stringify(lock) + '\n', { mode: 0o600 });
  write();
  return {
    update: (fields) => {
      lock = { ...lock, ...fields };
      write();
    },
    release: () => rmSync(file, { force: true }),
  };
}

/** The servers of a lock listing, as a message names them: `pid 123 at http://…, started …`. */
export const describeServers = (held: ServerLock[]): string =>
  held
    .map((l) =>
      [
        `pid ${l.pid}`,
        l.hostname === hostname() ? '' : ` on ${l.hostname}`,
        l.url ? ` at ${l.url}` : '',
        l.startedAt ? `, started ${l.startedAt}` : '',
      ].join(''),
    )
    .join('; ');
