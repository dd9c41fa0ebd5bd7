// How `npm start` and the CLI end when a command fails: one line naming what failed, after the stack with LOG_LEVEL=debug.

/** Writes the failure to stderr and exits 1 at once: what a failed start left open (a pool's connections) does not keep the process. */
export function exitOnError(err: unknown): never {
  if (process.env.LOG_LEVEL === 'debug' && err instanceof Error && err.stack) process.stderr.write(`${err.stack}\n`);
  process.stderr.write(`sandbox-ledger: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
}
