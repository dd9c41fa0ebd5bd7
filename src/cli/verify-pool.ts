// Where `verify` has its chunks checked: by worker threads, one per core (each chunk's buffer transferred there and
// back, its facts transferred back), or on the main thread. Either way the facts come out in the order the chunks went
// in, and at most `inFlight` chunks are read ahead: memory stays flat whatever the export's size.
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { checkChunk, ChunkChecker, type ChunkFacts } from '../verifier/export-chunk.js';
import { compiledSchemaCheck } from '../common/compiled-schemas.js';
import { bufferLines, nativeSha256, nativeSha256Text } from './native-crypto.js';

export interface ChunkRequest {
  seq: number;
  buffer: ArrayBuffer;
  length: number;
}
export interface CheckedChunk extends ChunkRequest {
  facts: ChunkFacts;
}

/** Takes the checked chunks in order: `apply` the facts (the ordered checks), then the buffer may be used again. */
export type ChunkSink = (checked: CheckedChunk) => void;

export interface ChunkQueue {
  /** How many threads check chunks (0: the main thread does). */
  readonly threads: number;
  /** Hands a chunk over (it must start its buffer); resolves once there is room for another. */
  submit(chunk: Uint8Array): Promise<void>;
  /** Resolves once every chunk handed over has been given to the sink. */
  drain(): Promise<void>;
  /** Stops the threads; chunks still being checked are dropped. */
  close(): Promise<void>;
}

/**
 * Each checking thread's young generation (MiB): a thread holds one chunk's objects at a time. By default V8 grows a
 * thread's new space to 32 MiB once it sees objects survive (a chunk's do, until it is checked) and keeps it: some 16 MiB
 * more per thread than at 100,000 events, part of the peak RSS that rose with the export's length. The price is more
 * scavenges in each thread (about 3× as many, a chunk's live objects copied each time).
 */
const WORKER_YOUNG_MB = 12;

/** A chunk's checker with Node's native SHA-256 and UTF-8, and the compiled schema checks; on a thread or not. */
export const nativeChunkChecker = (maxLineBytes?: number): ChunkChecker =>
  new ChunkChecker(
    { sha256: nativeSha256, sha256Text: nativeSha256Text, lines: bufferLines, schemaCheck: compiledSchemaCheck, maxLineBytes },
    4096,
  );

/** What a checking thread is started with. */
export interface WorkerOptions {
  maxLineBytes?: number;
}

/** The machine's cores: the default number of checking threads. */
export const defaultThreads = (): number => availableParallelism();

/** Chunks checked on the main thread, one at a time: for tests and for one-core machines. */
export class InlineChunks implements ChunkQueue {
  readonly threads = 0;
  private readonly checker: ChunkChecker;
  private seq = 0;

  constructor(
    private readonly sink: ChunkSink,
    maxLineBytes?: number,
  ) {
    this.checker = nativeChunkChecker(maxLineBytes);
  }

  submit(chunk: Uint8Array): Promise<void> {
    const facts = checkChunk(chunk, this.checker);
    this.sink({ seq: this.seq++, buffer: chunk.buffer as ArrayBuffer, length: chunk.length, facts });
    return Promise.resolve();
  }

  drain(): Promise<void> {
    return Promise.resolve();
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

/** Chunks checked by worker threads, handed round-robin, their facts put back in order before the sink sees them. */
export class WorkerChunks implements ChunkQueue {
  private readonly workers: Worker[];
  private submitted = 0;
  private applied = 0;
  /** Checked chunks that came back before an earlier one. */
  private readonly early = new Map<number, CheckedChunk>();
  private failed: Error | null = null;
  private wake: (() => void) | null = null;

  constructor(
    readonly threads: number,
    private readonly sink: ChunkSink,
    workerData: WorkerOptions = {},
    /** Chunks handed over and not yet given to the sink; two per thread keeps each busy while the reducer works. */
    private readonly inFlight = 2 * threads,
  ) {
    if (!Number.isSafeInteger(threads) || threads < 1) throw new RangeError('threads must be a positive integer');
    const script = new URL('./verify-worker.js', import.meta.url);
    this.workers = Array.from({ length: threads }, () => {
      const worker = new Worker(script, { workerData, resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_MB } });
      worker.on('message', (checked: CheckedChunk) => this.arrived(checked));
      worker.on('error', (err) => this.stop(err));
      worker.on('exit', (code) => {
        if (code !== 0) this.stop(new Error(`a verify worker stopped with code ${code}`));
      });
      return worker;
    });
  }

  private arrived(checked: CheckedChunk): void {
    this.early.set(checked.seq, checked);
    try {
      for (let next = this.early.get(this.applied); next !== undefined; next = this.early.get(this.applied)) {
        this.early.delete(this.applied);
        this.applied++;
        this.sink(next);
      }
    } catch (err) {
      this.stop(err as Error);
    }
    this.notify();
  }

  private stop(err: Error): void {
    this.failed ??= err;
    this.notify();
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }

  /** Waits until `ready` holds (re-checked whenever a chunk comes back), or throws what stopped the threads. */
  private async until(ready: () => boolean): Promise<void> {
    for (;;) {
      if (this.failed) throw this.failed;
      if (ready()) return;
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }

  async submit(chunk: Uint8Array): Promise<void> {
    if (chunk.byteOffset !== 0) throw new RangeError('a chunk must start its buffer');
    if (this.failed) throw this.failed;
    const seq = this.submitted++;
    const request: ChunkRequest = { seq, buffer: chunk.buffer as ArrayBuffer, length: chunk.length };
    this.workers[seq % this.workers.length].postMessage(request, [request.buffer]);
    await this.until(() => this.submitted - this.applied < this.inFlight);
  }

  drain(): Promise<void> {
    return this.until(() => this.applied === this.submitted);
  }

  async close(): Promise<void> {
    this.failed ??= new Error('the verify workers have been stopped');
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
