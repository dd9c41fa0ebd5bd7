// The chain and id checks' sorted runs in a temporary file, so that verifying an export takes memory independent of its size.
import { closeSync, openSync, readSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { Spill } from '../verifier/sorted-runs.js';
import { makeScratchDir, removeScratchDir } from './scratch-dir.js';

export class FileSpill implements Spill {
  /** A directory of its own under `parent` (the system's temporary directory by default: TMPDIR), removed by `dispose`. */
  readonly dir: string;
  private fd: number | null;
  private size = 0;

  constructor(parent?: string) {
    this.dir = makeScratchDir(parent);
    try {
      this.fd = openSync(join(this.dir, 'runs'), 'w+');
    } catch (err) {
      removeScratchDir(this.dir);
      throw err;
    }
  }

  /** Bytes appended so far. */
  get bytes(): number {
    return this.size;
  }

  append(bytes: Uint8Array): number {
    const start = this.size;
    for (let done = 0; done < bytes.length;) done += writeSync(this.open(), bytes, done, bytes.length - done, start + done);
    this.size += bytes.length;
    return start;
  }

  read(out: Uint8Array, position: number): number {
    return readSync(this.open(), out, 0, Math.min(out.length, Math.max(0, this.size - position)), position);
  }

  dispose(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
    removeScratchDir(this.dir);
  }

  private open(): number {
    if (this.fd === null) throw new Error('the spill file has been removed');
    return this.fd;
  }
}
