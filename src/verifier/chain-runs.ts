// The per-stream prevHash chain and revision check with memory independent of the log's size. While the export streams,
// each event's (stream, leafIndex, revision, hash, prevHash) goes into sorted runs (sorted-runs.ts) keyed by stream. At
// the end the runs are merged and every stream's events are checked in log order, as one pass over the log would check
// them. Framework-free: runs in Node and in a browser.
import { failureReason, type FailureOf } from './export-failure.js';
import { SortedRuns, type Spill } from './sorted-runs.js';

/** The first event (in log order) whose revision or prevHash does not follow the previous event of its stream, and why. */
export type ChainBreak = { leafIndex: number; reason: string } & FailureOf<'chain-revision' | 'chain-prev-hash'>;

const chainBreak = (leafIndex: number, facts: FailureOf<'chain-revision' | 'chain-prev-hash'>): ChainBreak => ({
  leafIndex,
  reason: failureReason(facts),
  ...facts,
});
/** The number of streams, and the first break in log order if there is one. */
export type ChainResult = { streams: number; broken: ChainBreak | null };

const ZERO_HASH_BYTES = new Uint8Array(32);
/** A record's payload: f64 revision, 32-byte hash, 32-byte prevHash (spilled with the leaf index and the stream name: 84 bytes and the name). */
const PAYLOAD = 8 + 64;

/** Collects the chain facts of each event in log order (`add`), then checks every stream (`check`). */
export class ChainRuns {
  private readonly runs: SortedRuns;
  private readonly revisions: DataView;

  constructor(spill: Spill, runRecords: number) {
    this.runs = new SortedRuns(spill, runRecords, PAYLOAD);
    this.revisions = new DataView(this.runs.payload.buffer);
  }

  /** The current run's payloads, into which the caller writes each event's hash ‖ prevHash at the offset `add` returns. */
  get payload(): Uint8Array {
    return this.runs.payload;
  }

  /**
   * Adds one event, in log order; the caller then writes its hash and prevHash into `payload` at the returned offset
   * (hash first, prevHash 32 bytes after), which stays valid until the next `add`.
   */
  add(stream: string, leafIndex: number, revision: number): number {
    const at = this.runs.add(stream, leafIndex);
    this.revisions.setFloat64(at, revision);
    return at + 8;
  }

  /**
   * Merges the runs and checks each stream's events in log order: revision 0 with the zero prevHash first, then each
   * revision one more than the last with prevHash its hash.
   */
  check(): ChainResult {
    let streams = 0;
    let broken: ChainBreak | null = null;
    let stream: string | null = null;
    let failed = false;
    let revision = -1;
    const hash = new Uint8Array(32);
    this.runs.merge((r) => {
      if (r.key !== stream) {
        stream = r.key;
        streams++;
        failed = false;
        revision = -1;
      }
      if (failed || (broken !== null && r.leafIndex >= broken.leafIndex)) return;
      const expected = revision + 1;
      const got = r.view.getFloat64(r.payloadAt);
      const hashAt = r.payloadAt + 8;
      const chained = equal32(r.bytes, hashAt + 32, revision < 0 ? ZERO_HASH_BYTES : hash, 0);
      if (got !== expected) {
        broken = chainBreak(r.leafIndex, { code: 'chain-revision', stream: r.key, revision: got, expected });
        failed = true;
      } else if (!chained) {
        broken = chainBreak(r.leafIndex, { code: 'chain-prev-hash', stream: r.key, previousRevision: revision >= 0 ? revision : null });
        failed = true;
      } else {
        revision = got;
        hash.set(r.bytes.subarray(hashAt, hashAt + 32));
      }
    });
    return { streams, broken };
  }

  /** Frees what is held in memory (the spill is its owner's to dispose). */
  release(): void {
    this.runs.release();
  }
}

function equal32(a: Uint8Array, at: number, b: Uint8Array, bt: number): boolean {
  for (let i = 0; i < 32; i++) if (a[at + i] !== b[bt + i]) return false;
  return true;
}
