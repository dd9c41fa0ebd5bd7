// An event id given twice: the store refuses a second event with an id it holds, so an export with one is not a log the
// ledger wrote, even when every hash, chain and root checks out (its operator re-chained and signed it). Found through
// spilled runs keyed by id, in any run size, at the first repeat in log order, and ranked with a chain break as one pass
// over the log would rank them.
import { computeEventHash, type EventEnvelope } from '../../src/verifier/envelope.js';
import { ExportVerifier, verifyExport } from '../../src/verifier/export-verifier.js';
import { MemorySpill, SortedRuns } from '../../src/verifier/sorted-runs.js';
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
        reason: `event id "${log[6].id}" is already used by leaf 6: each event's id must be unique`,
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

  it('is named as the repeated id where a chain breaks at the same event: an event copied from another', () => {
    const events = log.map((e) => structuredClone(e));
    events[30].id = log[3].id;
    events[30].revision += 1;
    const signed = rechain(events, 30);
    for (const runRecords of [4, 1000]) {
      expect(verifyInRuns(signed, runRecords)).toMatchObject({ ok: false, leafIndex: 30, code: 'duplicate-id', firstLeaf: 3 });
    }
  });

  it('is named before a later event that fails its own checks, and not looked for past one: streaming stops there', () => {
    const before = withIdOf(log, 20, 3);
    before[30].data.title = 'forged'; // its hash no longer matches
    expect(verifyInRuns(before, 4)).toMatchObject({ ok: false, leafIndex: 20, code: 'duplicate-id', firstLeaf: 3 });
    const after = withIdOf(log, 40, 3);
    after[30].data.title = 'forged';
    expect(verifyInRuns(after, 4)).toMatchObject({ ok: false, leafIndex: 30, code: 'hash-mismatch' });
  });

  it('keeps an id that starts with U+FEFF apart from the same id without it, in any run size', () => {
    const ids = ['\uFEFFa', 'c', 'b', 'c', 'a', '\uFEFF', '\uFEFFb'];
    const events = rechain(
      log.slice(0, ids.length).map((e, i) => ({ ...structuredClone(e), id: ids[i] })),
      0,
    );
    const distinct = rechain(
      events.map((e, i) => (i === 3 ? { ...e, id: 'd' } : e)),
      3,
    );
    for (const runRecords of [1, 2, 3, 1000]) {
      expect(verifyInRuns(events, runRecords)).toMatchObject({ ok: false, leafIndex: 3, code: 'duplicate-id', id: 'c', firstLeaf: 1 });
      expect(verifyInRuns(distinct, runRecords)).toMatchObject({ ok: true, treeSize: ids.length });
    }
  });

  it('does not pass when finish is called again after its merge failed', () => {
    const spill = new MemorySpill();
    const events = withIdOf(log, 41, 6);
    const verifier = new ExportVerifier({ spill, runRecords: 4 });
    verifier.checkCheckpoint(signer.checkpoint(events), signer.vkey);
    for (const line of ndjson(events)) verifier.push(line);
    const read = spill.read.bind(spill);
    spill.read = () => {
      throw new Error('the disk went away');
    };
    expect(() => verifier.finish()).toThrow('the disk went away');
    spill.read = read;
    expect(() => verifier.finish()).toThrow(/spilled run is truncated/);
  });
});

describe('SortedRuns', () => {
  it('gives the records by key and then by leaf, across runs, with keys that start with U+FEFF kept whole', () => {
    const keys = ['b', '\uFEFFa', 'a', '\u{1F600}', '\uFF5E', 'b', '\uFEFFa', 'a', ''];
    for (const runRecords of [1, 2, 4, 100]) {
      const runs = new SortedRuns(new MemorySpill(), runRecords, 1);
      keys.forEach((key, leaf) => (runs.payload[runs.add(key, leaf)] = leaf * 3));
      const merged: Array<[string, number, number]> = [];
      runs.merge((r) => merged.push([r.key, r.leafIndex, r.bytes[r.payloadAt]]));
      const expected = keys
        .map((key, leaf) => [key, leaf, leaf * 3])
        .sort(([a, i], [b, k]) => (a < b ? -1 : a > b ? 1 : Number(i) - Number(k)));
      expect(merged).toEqual(expected);
    }
  });
});
