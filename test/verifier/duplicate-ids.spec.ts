// An event id given twice: the store refuses a second event with an id it holds, so an export with one is not a log the
// ledger wrote, even when every hash, chain and root checks out (its operator re-chained and signed it). Found through
// spilled runs keyed by id, in any run size, at the first repeat in log order, and ranked with a chain break as one pass
// over the log would rank them.
import { computeEventHash, type EventEnvelope } from '../../src/verifier/envelope.js';
import { verifyExport } from '../../src/verifier/export-verifier.js';
import { MemorySpill } from '../../src/verifier/sorted-runs.js';
import { amendment, buildLog, ndjson, newSigner, rechain } from './fixture.js';

const signer = newSigner();
const log = buildLog(Array.from({ length: 60 }, (_, i) => amendment(`s-${(i * 5) % 7}`, i)));

/** `log` with event `at` given the id of event `from`, re-chained and signed as its operator could. */
function withIdOf(events: EventEnvelope[], at: number, from: number): EventEnvelope[] {
  const copy = events.map((e) => structuredClone(e));
  copy[at].id = events[from].id;
  return rechain(copy, at);
}

function verifyInRuns(events: EventEnvelope[], runRecords: number) {
  const spill = new MemorySpill();
  return verifyExport(ndjson(events), [signer.checkpoint(events)], signer.vkey, { spill, runRecords });
}

describe('an event id given twice', () => {
  it('fails at the repeat, naming the id and the leaf that has it first, in any run size', () => {
    const events = withIdOf(log, 41, 6);
    for (const runRecords of [1, 4, 7, 60, 1000]) {
      expect(verifyInRuns(events, runRecords)).toEqual({
        ok: false,
        leafIndex: 41,
        code: 'duplicate-id',
        id: log[6].id,
        firstLeaf: 6,
        reason: `event id "${log[6].id}" was given before, to leaf 6: an event's id names it alone`,
      });
    }
    expect(verifyInRuns(log, 4)).toMatchObject({ ok: true, treeSize: 60 });
  });

  it('names the first repeat in log order, whichever id sorts first and however often one repeats', () => {
    // The id of leaf 50 given again at 55 and 58; the id of leaf 2 (sorting before it) given again only at 57.
    let events = withIdOf(log, 55, 50);
    events = withIdOf(events, 58, 50);
    events = withIdOf(events, 57, 2);
    expect(log[2].id < log[50].id).toBe(true);
    for (const runRecords of [3, 1000]) expect(verifyInRuns(events, runRecords)).toMatchObject({ leafIndex: 55, firstLeaf: 50 });
  });

  it('is ranked with a chain break by leaf, as one pass over the log would find them', () => {
    const broken = (events: EventEnvelope[], leaf: number) => {
      const copy = events.map((e) => structuredClone(e));
      copy[leaf].revision += 1;
      copy[leaf].hash = computeEventHash(copy[leaf]);
      return copy;
    };
    const repeatedFirst = broken(withIdOf(log, 20, 3), 44);
    expect(verifyInRuns(repeatedFirst, 4)).toMatchObject({ ok: false, leafIndex: 20, code: 'duplicate-id' });
    const brokenFirst = broken(withIdOf(log, 44, 3), 20);
    expect(verifyInRuns(brokenFirst, 4)).toMatchObject({ ok: false, leafIndex: 20, code: 'chain-revision' });
  });

  it('is not looked for past an event that failed its own checks: streaming stops there', () => {
    const events = withIdOf(log, 40, 3);
    events[30].data.title = 'forged'; // its hash no longer matches
    expect(verifyInRuns(events, 4)).toMatchObject({ ok: false, leafIndex: 30, code: 'hash-mismatch' });
  });
});
