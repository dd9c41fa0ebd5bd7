// The per-stream prevHash chain and revision check with memory independent of the log's size (external merge sort).
// While the export streams, each event's (stream, leafIndex, revision, hash, prevHash) goes into a bounded run; a full
// run is sorted by stream (stable, so each stream's events stay in log order) and spilled. At the end the runs are
// merged and every stream's events are checked in log order, as one pass over the log would check them.
// Framework-free: runs in Node and in a browser; where the spill lives is up to the `Spill` given (memory by default).
import { failureReason, type FailureOf } from './export-failure.js';

/** Where sorted runs are kept until the merge: an append-only byte store read back by position. */
export interface Spill {
  /** Appends `bytes` after everything appended before; the caller may reuse `bytes` once this returns. */
  append(bytes: Uint8Array): void;
  /** Copies the stored bytes from `position` into `out` (as many as fit and exist); returns how many were copied. */
  read(out: Uint8Array, position: number): number;
  /** Releases the store (a file is removed); safe to call more than once. */
  dispose(): void;
}

/** A spill held in memory: for browsers and small exports; memory then grows with the log (84 bytes and the stream name an event). */
export class MemorySpill implements Spill {
  private chunks: Uint8Array[] = [];
  private starts: number[] = [];
  private size = 0;

  append(bytes: Uint8Array): void {
    this.chunks.push(bytes.slice());
    this.starts.push(this.size);
    this.size += bytes.length;
  }

  read(out: Uint8Array, position: number): number {
    let lo = 0;
    for (let hi = this.chunks.length - 1; lo < hi;) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid] <= position) lo = mid;
      else hi = mid - 1;
    }
    let copied = 0;
    for (let i = lo; i < this.chunks.length && copied < out.length; i++) {
      const from = Math.max(0, position + copied - this.starts[i]);
      const part = this.chunks[i].subarray(from, from + out.length - copied);
      out.set(part, copied);
      copied += part.length;
    }
    return copied;
  }

  dispose(): void {
    this.chunks = [];
    this.starts = [];
    this.size = 0;
  }
}

/** The first event (in log order) whose revision or prevHash does not follow the previous event of its stream, and why. */
export type ChainBreak = { leafIndex: number; reason: string } & FailureOf<'chain-revision' | 'chain-prev-hash'>;

const chainBreak = (leafIndex: number, facts: FailureOf<'chain-revision' | 'chain-prev-hash'>): ChainBreak => ({
  leafIndex,
  reason: failureReason(facts),
  ...facts,
});
/** The number of streams, and the first break in log order if there is one. */
export type ChainResult = { streams: number; broken: ChainBreak | null };

/** Records per run unless told otherwise: a few MB of run state (larger runs measured slower, with a higher peak). */
export const DEFAULT_RUN_RECORDS = 1 << 14;
const ZERO_HASH_BYTES = new Uint8Array(32);
// A spilled record: u32 name length, the stream name in UTF-8, f64 leafIndex, f64 revision, 32-byte hash, 32-byte prevHash.
const FIXED = 4 + 8 + 8 + 64;

/** Collects the chain facts of each event in log order (`add`), then checks every stream (`check`). */
export class ChainRuns {
  private readonly names: string[] = [];
  private readonly leaves: Float64Array;
  private readonly revisions: Float64Array;
  /** hash ‖ prevHash of each record of the current run. */
  readonly hashes: Uint8Array;
  private readonly runs: Array<{ start: number; end: number }> = [];
  private spilled = 0;
  private readonly encoder = new TextEncoder();
  private encoded = new Uint8Array(0); // reused from run to run

  constructor(
    private readonly spill: Spill,
    private readonly runRecords = DEFAULT_RUN_RECORDS,
  ) {
    if (!Number.isSafeInteger(runRecords) || runRecords < 1) throw new RangeError('runRecords must be a positive integer');
    this.leaves = new Float64Array(runRecords);
    this.revisions = new Float64Array(runRecords);
    this.hashes = new Uint8Array(runRecords * 64);
  }

  /**
   * Adds one event, in log order; the caller then writes its hash and prevHash into `hashes` at the returned offset
   * (hash first, prevHash 32 bytes after), which stays valid until the next `add`.
   */
  add(stream: string, leafIndex: number, revision: number): number {
    if (this.names.length === this.runRecords) this.spillRun();
    const i = this.names.length;
    this.names.push(stream);
    this.leaves[i] = leafIndex;
    this.revisions[i] = revision;
    return i * 64;
  }

  /** Sorts the current run by stream (a stable sort: log order within a stream) and appends it to the spill. */
  private spillRun(): void {
    const names = this.names;
    const n = names.length;
    if (n === 0) return;
    const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => (names[a] < names[b] ? -1 : names[a] === names[b] ? 0 : 1));
    let bytes = 0;
    for (const name of names) bytes += FIXED + name.length * 3; // UTF-8 takes at most 3 bytes per UTF-16 unit
    if (this.encoded.length < bytes) this.encoded = new Uint8Array(bytes);
    const out = this.encoded;
    const view = new DataView(out.buffer);
    let at = 0;
    for (const i of order) {
      const { written } = this.encoder.encodeInto(names[i], out.subarray(at + 4));
      view.setUint32(at, written);
      at += 4 + written;
      view.setFloat64(at, this.leaves[i]);
      view.setFloat64(at + 8, this.revisions[i]);
      out.set(this.hashes.subarray(i * 64, i * 64 + 64), at + 16);
      at += 80;
    }
    this.spill.append(out.subarray(0, at));
    this.runs.push({ start: this.spilled, end: this.spilled + at });
    this.spilled += at;
    names.length = 0;
  }

  /**
   * Merges the runs and checks each stream's events in log order: revision 0 with the zero prevHash first, then each
   * revision one more than the last with prevHash its hash.
   */
  check(): ChainResult {
    this.spillRun();
    // Each reader's share of a bounded read-ahead; at least one record's fixed part.
    const readers = this.runs.map(
      (run) => new RunReader(this.spill, run.start, run.end, Math.max(4096, Math.floor((1 << 22) / this.runs.length))),
    );
    const heap = new MergeHeap(readers.filter((r) => r.next()));
    let streams = 0;
    let broken: ChainBreak | null = null;
    let stream: string | null = null;
    let failed = false;
    let revision = -1;
    const hash = new Uint8Array(32);
    for (let r = heap.top(); r !== undefined; r = heap.top()) {
      if (r.name !== stream) {
        stream = r.name;
        streams++;
        failed = false;
        revision = -1;
      }
      if (!failed && (broken === null || r.leafIndex < broken.leafIndex)) {
        const expected = revision + 1;
        const chained = equal32(r.bytes, r.prevHashAt, revision < 0 ? ZERO_HASH_BYTES : hash, 0);
        if (r.revision !== expected) {
          broken = chainBreak(r.leafIndex, { code: 'chain-revision', stream: r.name, revision: r.revision, expected });
          failed = true;
        } else if (!chained) {
          broken = chainBreak(r.leafIndex, { code: 'chain-prev-hash', stream: r.name, previousRevision: revision >= 0 ? revision : null });
          failed = true;
        } else {
          revision = r.revision;
          hash.set(r.bytes.subarray(r.hashAt, r.hashAt + 32));
        }
      }
      if (r.next()) heap.replaceTop(r);
      else heap.pop();
    }
    return { streams, broken };
  }

  /** Releases the spill. */
  dispose(): void {
    this.names.length = 0;
    this.encoded = new Uint8Array(0);
    this.spill.dispose();
  }
}

function equal32(a: Uint8Array, at: number, b: Uint8Array, bt: number): boolean {
  for (let i = 0; i < 32; i++) if (a[at + i] !== b[bt + i]) return false;
  return true;
}

/** Reads one spilled run record by record through a bounded buffer. */
class RunReader {
  bytes: Uint8Array;
  private view: DataView;
  private filled = 0;
  private at = 0;
  private readonly decoder = new TextDecoder();
  name = '';
  leafIndex = 0;
  revision = 0;
  hashAt = 0;
  prevHashAt = 0;

  constructor(
    private readonly spill: Spill,
    private position: number,
    private readonly end: number,
    buffer: number,
  ) {
    this.bytes = new Uint8Array(buffer);
    this.view = new DataView(this.bytes.buffer);
  }

  /** Moves to the next record; false at the end of the run. */
  next(): boolean {
    if (!this.ensure(4)) return false;
    const length = this.view.getUint32(this.at);
    if (!this.ensure(FIXED + length)) throw new Error('spilled run is truncated');
    const at = this.at + 4;
    this.name = this.decoder.decode(this.bytes.subarray(at, at + length));
    this.leafIndex = this.view.getFloat64(at + length);
    this.revision = this.view.getFloat64(at + length + 8);
    this.hashAt = at + length + 16;
    this.prevHashAt = this.hashAt + 32;
    this.at = this.prevHashAt + 32;
    return true;
  }

  /** Makes `n` bytes from the current record available in the buffer; false when the run has fewer left. */
  private ensure(n: number): boolean {
    if (this.filled - this.at >= n) return true;
    const left = this.filled - this.at;
    if (left + (this.end - this.position) < n) return false;
    if (n > this.bytes.length) {
      const bigger = new Uint8Array(n);
      bigger.set(this.bytes.subarray(this.at, this.filled));
      this.bytes = bigger;
      this.view = new DataView(bigger.buffer);
    } else {
      this.bytes.copyWithin(0, this.at, this.filled);
    }
    this.at = 0;
    this.filled = left;
    while (this.filled < n) {
      const want = Math.min(this.bytes.length - this.filled, this.end - this.position);
      const got = this.spill.read(this.bytes.subarray(this.filled, this.filled + want), this.position);
      if (got === 0) throw new Error('spilled run is truncated');
      this.filled += got;
      this.position += got;
    }
    return true;
  }
}

/** Min-heap of run readers by (stream name, leafIndex): the next record of the merge is at the top. */
class MergeHeap {
  constructor(private readonly items: RunReader[]) {
    for (let i = (items.length >> 1) - 1; i >= 0; i--) this.down(i);
  }

  top(): RunReader | undefined {
    return this.items[0];
  }

  replaceTop(r: RunReader): void {
    this.items[0] = r;
    this.down(0);
  }

  pop(): void {
    const last = this.items.pop()!;
    if (this.items.length > 0) this.replaceTop(last);
  }

  private static less(a: RunReader, b: RunReader): boolean {
    return a.name < b.name || (a.name === b.name && a.leafIndex < b.leafIndex);
  }

  private down(i: number): void {
    const items = this.items;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= items.length) return;
      const c = l + 1 < items.length && MergeHeap.less(items[l + 1], items[l]) ? l + 1 : l;
      if (!MergeHeap.less(items[c], items[i])) return;
      [items[i], items[c]] = [items[c], items[i]];
      i = c;
    }
  }
}
