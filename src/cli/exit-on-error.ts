// How `npm start` and the CLI end when a command fails: one line naming what failed, after the stack with LOG_LEVEL=debug.
import { dirname } from 'node:path';

/** What a file system error means, in words: Node's own message (`EISDIR: illegal operation on a directory, read`) may not name the path. */
const FILE_ERRORS: Record<string, string> = {
  ENOENT: 'no such file or directory',
  EISDIR: 'a directory, not a file',
  ENOTDIR: 'a part of the path is not a directory',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'the file system is read-only',
  ENOSPC: 'no space left on the device',
};

/** Errors of a connection that could not be made, from the store's driver at start (PostgreSQL, EventStoreDB). */
const CONNECT_ERRORS = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNRESET']);

/**
 * The one line a failure is told in: a file system error as its path and what is wrong with it; a connection that could
 * not be made as where to, and which settings name it (Node's own message names neither).
 */
export function failureLine(err: unknown): string {
  // Not `instanceof Error`: an error from another realm (a vm context, a worker's) is one too.
  if (typeof err !== 'object' || err === null || typeof (err as Error).message !== 'string') return String(err);
  const { code, path, syscall, message } = err as NodeJS.ErrnoException;
  if (code === 'EEXIST' && syscall === 'mkdir' && path) return `${path}: a file, not a directory`;
  if (code !== undefined && CONNECT_ERRORS.has(code)) {
    const { address, port, hostname } = err as NodeJS.ErrnoException & { address?: string; port?: number; hostname?: string };
    const where = address ? `${address}${port ? `:${port}` : ''}` : (hostname ?? 'the server');
    return `cannot connect to ${where} (${code}): is the store that DATABASE_URL or EVENTSTORE_URL names up and reachable?`;
  }
  if (code !== undefined && Object.hasOwn(FILE_ERRORS, code)) {
    if (path && syscall === 'mkdtemp') return `${dirname(path)}: ${FILE_ERRORS[code]} (for a temporary directory; TMPDIR sets where)`;
    return path ? `${path}: ${FILE_ERRORS[code]}` : `${FILE_ERRORS[code]} (${message})`;
  }
  return message;
}

/** Writes the failure to stderr and exits 1 at once: what a failed start left open (a pool's connections) does not keep the process. */
export function exitOnError(err: unknown): never {
  if (process.env.LOG_LEVEL === 'debug' && err instanceof Error && err.stack) process.stderr.write(`${err.stack}\n`);
  process.stderr.write(`sandbox-ledger: ${failureLine(err)}\n`);
  process.exit(1);
}
