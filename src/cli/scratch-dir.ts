// A temporary directory of its own for one of `verify`'s scratch files, and its removal.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { undoOnInterrupt } from './interrupt.js';

/** The directories made and not yet removed, each with what stops its removal on an interrupt. */
const live = new Map<string, () => void>();

/**
 * Creates a directory of its own under `parent` (the system's temporary directory by default: TMPDIR), removed by
 * `removeScratchDir`, or when the process is interrupted first.
 */
export function makeScratchDir(parent = tmpdir()): string {
  const dir = mkdtempSync(join(parent, 'sandbox-ledger-verify-'));
  live.set(
    dir,
    undoOnInterrupt(() => rmSync(dir, { recursive: true, force: true })),
  );
  return dir;
}

export function removeScratchDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  live.get(dir)?.();
  live.delete(dir);
}
