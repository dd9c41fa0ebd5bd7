// An external merge sort of per-event records by a text key, with memory independent of the log's size: records are
// added in log order into a bounded run; a full run is sorted by key (stable, so each key's records stay in log order)
// and spilled. `merge` then reads every run back through bounded buffers and gives the records by key, in log order
// within a key. The chain check sorts by stream, the repeated-id check by event id.
// Framework-free: runs in Node and in a browser; where the spill lives is up to the `Spill` given (memory by default).

/** Where sorted runs are kept until the merge: an append-only byte store read back by position. */
export interface Spill {
  /** Appends `bytes` after everything appended before and returns where they start; `bytes` may be reused once this returns. */
  append(bytes: Uint8Array): number;
  /** Copies the stored bytes from `position` into `out` (as many as fit and exist); returns how many were copied. */
  read(out: Uint8Array, position: number): number;
  /** Releases the store (a file is removed); safe to call more than once. */
  dispose(): void;
}

/** A spill held in memory: for browsers and small exports; memory then grows with the log. */
export class MemorySpill implements Spill {
  private chunks: Uint8Array[] = [];
  private starts: number[] = [];
  private size = 0;

  append(bytes: Uint8Array): number {
    const start = this.size;
    this.chunks.push(bytes.slice());
    this.starts.push(start);
    this.size += bytes.length;
    return start;
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

/** Records per run unless told otherwise: a few MB of run state (larger runs measured slower, with a higher peak). */
export const DEFAULT_RUN_RECORDS = 1 << 14;

/**
 * One record as the merge gives it: its key, its leaf index, and its payload at `payloadAt` in `bytes` (`view` over the
 * same buffer), valid until the next record.
 */
export interface SortedRecord {
  readonly key: string;
  readonly leafIndex: number;
  readonly bytes: Uint8Array;
  readonly view: DataView;
  readonly payloadAt: number;
}

/**
 * Records of (key, leaf index, `payloadBytes` bytes) added in log order, given back by `merge` ordered by key and, within
 * a key, by leaf index. A spilled record is a u32 key length, the key in UTF-8, a f64 leaf index and the payload. Several
 * may share one spill; none disposes it.
 */
export class SortedRuns {
  private readonly keys: string[] = [];
  private readonly leaves: Float64Array;
  /** The payload of each record of the current run, `payloadBytes` apiece. */
  readonly payload: Uint8Array;
  private readonly runs: Array<{ start: number; end: number }> = [];
  private readonly encoder = new TextEncoder();
  private encoded = new Uint8Array(0); // reused from run to run

  constructor(
    private readonly spill: Spill,
    private readonly runRecords: number,
    private readonly payloadBytes: number,
  ) {
    if (!Number.isSafeInteger(runRecords) || runRecords < 1) throw new RangeError('runRecords must be a positive integer');
    this.leaves = new Float64Array(runRecords);
    this.payload = new Uint8Array(runRecords * payloadBytes);
  }

  /** Adds one record, in log order; the caller then writes its payload into `payload` at the returned offset (valid until the next `add`). */
  add(key: string, leafIndex: number): number {
    if (this.keys.length === this.runRecords) this.spillRun();
    const i = this.keys.length;
    this.keys.push(key);
    this.leaves[i] = leafIndex;
    return i * this.payloadBytes;
  }

  /** Sorts the current run by key (a stable sort: log order within a key) and appends it to the spill. */
  private spillRun(): void {
    const keys = this.keys;
    const n = keys.length;
    if (n === 0) return;
    const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => (keys[a] < keys[b] ? -1 : keys[a] === keys[b] ? 0 : 1));
    const size = this.payloadBytes;
    let bytes = 0;
    for (const key of keys) bytes += 12 + size + key.length * 3; // UTF-8 takes at most 3 bytes per UTF-16 unit
    if (this.encoded.length < bytes) this.encoded = new Uint8Array(bytes);
    const out = this.encoded;
    const view = new DataView(out.buffer);
    let at = 0;
    for (const i of order) {
      const { written } = this.encoder.encodeInto(keys[i], out.subarray(at + 4));
      view.setUint32(at, written);
      at += 4 + written;
      view.setFloat64(at, this.leaves[i]);
      out.set(this.payload.subarray(i * size, i * size + size), at + 8);
      at += 8 + size;
    }
    const start = this.spill.append(out.subarray(0, at));
    this.runs.push({ start, end: start + at });
    keys.length = 0;
  }

  /** Spills what is left and gives `each` every record, by key and then by leaf index. */
  merge(each: (record: SortedRecord) => void): void {
    this.spillRun();
    // Each reader's share of a bounded read-ahead; at least one record's fixed part.
    const readers = this.runs.map(
      (run) => new RunReader(this.spill, run.start, run.end, this.payloadBytes, Math.max(4096, Math.floor((1 << 22) / this.runs.length))),
    );
    const heap = new MergeHeap(readers.filter((r) => r.next()));
    for (let r = heap.top(); r !== undefined; r = heap.top()) {
      each(r);
      if (r.next()) heap.replaceTop(r);
      else heap.pop();
    }
  }

  /**
   * Frees the current run's memory. The spilled runs stay listed, so that a merge after the spill is disposed (by its
   * owner) throws rather than finding nothing.
   */
  release(): void {
    this.keys.length = 0;
    this.encoded = new Uint8Array(0);
  }
}

/** Reads one spilled run record by record through a bounded buffer. */
class RunReader implements SortedRecord {
  bytes: Uint8Array;
  view: DataView;
  private filled = 0;
  private at = 0;
  // A key's leading U+FEFF is part of it: the default decoder would drop it, and the merge would see another key.
  private readonly decoder = new TextDecoder('utf-8', { ignoreBOM: true });
  key = '';
  leafIndex = 0;
  payloadAt = 0;

  constructor(
    private readonly spill: Spill,
    private position: number,
    private readonly end: number,
    private readonly payloadBytes: number,
    buffer: number,
  ) {
    this.bytes = new Uint8Array(buffer);
    this.view = new DataView(this.bytes.buffer);
  }

  /** Moves to the next record; false at the end of the run. */
  next(): boolean {
    if (!this.ensure(4)) return false;
    const length = this.view.getUint32(this.at);
    if (!this.ensure(12 + length + this.payloadBytes)) throw new Error('spilled run is truncated');
    const at = this.at + 4;
    this.key = this.decoder.decode(this.bytes.subarray(at, at + length));
    this.leafIndex = this.view.getFloat64(at + length);
    this.payloadAt = at + length + 8;
    this.at = this.payloadAt + this.payloadBytes;
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

/** Min-heap of run readers by (key, leafIndex): the next record of the merge is at the top. */
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
    return a.key < b.key || (a.key === b.key && a.leafIndex < b.leafIndex);
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
