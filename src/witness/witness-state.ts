// The witness's durable memory: per log origin, the latest checkpoint it cosigned. One small JSON file, replaced
// atomically (write a temporary file, fsync, rename, fsync the directory), so a crash leaves the old or the new state.
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';

export interface WitnessedCheckpoint {
  size: number;
  /** base64 root hash, as in the checkpoint. */
  rootHash: string;
  /** The checkpoint's note text, kept as evidence of what was cosigned. */
  checkpoint: string;
}

interface StateFile {
  version: 1;
  logs: Record<string, WitnessedCheckpoint>;
}

export class WitnessState {
  private state: StateFile;
  readonly file: string;

  constructor(dataDir: string) {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    this.file = join(dataDir, 'witness-state.json');
    this.state = existsSync(this.file) ? (JSON.parse(readFileSync(this.file, 'utf8')) as StateFile) : { version: 1, logs: {} };
    if (this.state.version !== 1 || typeof this.state.logs !== 'object') throw new Error(`${this.file} is not a witness state file`);
  }

  latest(origin: string): WitnessedCheckpoint | undefined {
    return Object.hasOwn(this.state.logs, origin) ? this.state.logs[origin] : undefined;
  }

  /** Records `checkpoint` as the latest for `origin`, durably, before returning. */
  record(origin: string, checkpoint: WitnessedCheckpoint): void {
    const next: StateFile = { version: 1, logs: { ...this.state.logs, [origin]: checkpoint } };
    const temp = `${this.file}.tmp`;
    const fd = openSync(temp, 'w', 0o600);
    try {
      writeSync(fd, JSON.stringify(next, null, 2) + '\n');
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, this.file);
    const dir = openSync(dirname(this.file), 'r');
    try {
      fsyncSync(dir);
    } finally {
      closeSync(dir);
    }
    this.state = next;
  }
}
