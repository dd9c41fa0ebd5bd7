// That no event id is given twice, with memory independent of the log's size: each event's id and leaf index go into
// sorted runs keyed by id (sorted-runs.ts); the merge gives each id's events together, in log order. The store refuses
// a second event with an id it holds, so an id given twice is an export that no store wrote.
// Framework-free: runs in Node and in a browser.
import { failureReason, type FailureOf } from './export-failure.js';
import { SortedRuns, type Spill } from './sorted-runs.js';

/** The first event in log order whose id an earlier event has, and why. */
export type DuplicateId = { leafIndex: number; reason: string } & FailureOf<'duplicate-id'>;

/** Collects each event's id in log order (`add`), then finds the first one given before (`check`). */
export class IdRuns {
  private readonly runs: SortedRuns;

  constructor(spill: Spill, runRecords: number) {
    this.runs = new SortedRuns(spill, runRecords, 0);
  }

  /** Adds one event's id, in log order. */
  add(id: string, leafIndex: number): void {
    this.runs.add(id, leafIndex);
  }

  /** The first event (in log order) whose id an earlier event has, or null. */
  check(): DuplicateId | null {
    let duplicate: DuplicateId | null = null;
    let id: string | null = null;
    let firstLeaf = -1;
    this.runs.merge((r) => {
      if (r.key !== id) {
        id = r.key;
        firstLeaf = r.leafIndex;
      } else if (duplicate === null || r.leafIndex < duplicate.leafIndex) {
        const facts = { code: 'duplicate-id', id, firstLeaf } as const;
        duplicate = { leafIndex: r.leafIndex, reason: failureReason(facts), ...facts };
      }
    });
    return duplicate;
  }

  /** Frees what is held in memory (the spill is its owner's to dispose). */
  release(): void {
    this.runs.release();
  }
}
