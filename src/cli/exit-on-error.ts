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

/** The one line a failure is told in: a file system error as its path and what is wrong with it. */
export function failureLine(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const { code, path, syscall } = err as NodeJS.ErrnoException;
  if (code !== undefined && Object.hasOwn(FILE_ERRORS, code)) {
    if (path && syscall === 'mkdtemp') return `${dirname(path)}: ${FILE_ERRORS[code]} (for a temporary directory; TMPDIR sets where)`;
    return path ? `${path}: ${FILE_ERRORS[code]}` : `${FILE_ERRORS[code]} (${err.message})`;
  }
  return err.message;
}

/** Writes the failure to stderr and exits 1 at once: what a failed start left open (a pool's connections) does not keep the process. */
export function exitOnError(err: unknown): never {
  if (process.env.LOG_LEVEL === 'debug' && err instanceof Error && err.stack) process.stderr.write(`${err.stack}\n`);
  process.stderr.write(`sandbox-ledger: ${failureLine(err)}\n`);
  process.exit(1);
}
