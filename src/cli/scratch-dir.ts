// A temporary directory of its own for one of `verify`'s scratch files, and its removal.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Creates a directory of its own under `parent` (the system's temporary directory by default: TMPDIR). */
export const makeScratchDir = (parent = tmpdir()): string => mkdtempSync(join(parent, 'sandbox-ledger-verify-'));

export const removeScratchDir = (dir: string): void => rmSync(dir, { recursive: true, force: true });
