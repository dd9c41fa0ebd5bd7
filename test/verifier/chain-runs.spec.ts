// The chain check through spilled runs: with runs far smaller than the export, a break is still named at its first leaf,
// whichever run it falls in, and the spill is released at the end, on success and on failure.
import { MemorySpill, type Spill } from '../../src/verifier/sorted-runs.js';
import { computeEventHash, type EventEnvelope } from '../../src/verifier/envelope.js';
import { ExportVerifier, verifyExport } from '../../src/verifier/export-verifier.js';
import { amendment, buildLog, ndjson, newSigner } from './fixture.js';

const signer = newSigner();
// 60 events over 7 streams of different lengths, interleaved; with runs of 4 records a stream spans many runs.
const log = buildLog(Array.from({ length: 60 }, (_, i) => amendment(`s-${(i * 5) % 7}`, i)));
const checkpoint = signer.checkpoint(log);
const clone = (events: EventEnvelope[]) => events.map((e) => structuredClone(e));
const rehash = (e: EventEnvelope) => {
  e.hash = computeEventHash(e);
  return e;
};

/** A memory spill that counts what went through it and whether it was released. */
class WatchedSpill extends MemorySpill {
  appended = 0;
  disposed = 0;
  append(bytes: Uint8Array): number {
    this.appended++;
    return super.append(bytes);
  }
  dispose(): void {
    this.disposed++;
    super.dispose();
  }
}

function verifyInRuns(events: unknown[], runRecords: number, notes = [checkpoint]) {
  const spill = new WatchedSpill();
  const result = verifyExport(ndjson(events), notes, signer.vkey, { spill, runRecords });
  return { result, spill };
}

describe('the chain check in spilled runs', () => {
  it.each([1, 4, 7, 60, 1000])('accepts a valid export in runs of %i records, and counts its streams', (runRecords) => {
    const { result, spill } = verifyInRuns(log, runRecords);
    expect(result).toMatchObject({ ok: true, treeSize: 60, streams: 7, checkpointsChecked: 1 });
    expect(spill.appended).toBe(2 * Math.ceil(60 / runRecords)); // the chain runs and the id runs
    expect(spill.disposed).toBeGreaterThan(0);
  });

  it('names the same first bad leaf in any run size, for a break in an early run and in a later one', () => {
    for (const leaf of [3, 9, 41, 50]) {
      const events = clone(log);
      events[leaf].data.title = 'forged';
      rehash(events[leaf]); // the event itself hashes; the next event of its stream no longer chains to it
      const next = log.findIndex((e, i) => i > leaf && e.stream === log[leaf].stream);
      const expected = {
        ok: false,
        leafIndex: next,
        reason: `prevHash does not chain to revision ${log[leaf].revision} of ${log[leaf].stream}`,
        code: 'chain-prev-hash',
        stream: log[leaf].stream,
        previousRevision: log[leaf].revision,
      };
      for (const runRecords of [1, 4, 16, 1000]) {
        const { result, spill } = verifyInRuns(events, runRecords);
        expect(result).toEqual(expected);
        expect(spill.disposed).toBeGreaterThan(0);
      }
    }
  });

  it('reports the earliest of several breaks in different runs, whatever the order of their streams', () => {
    const events = clone(log);
    // A revision gap late in the log on a stream named first, a prevHash break early on a stream named last.
    const late = events.findIndex((e, i) => i > 40 && e.stream === 'filing-s-0');
    events[late].revision += 1;
    rehash(events[late]);
    const early = events.findIndex((e, i) => i > 5 && e.stream === 'filing-s-6' && e.revision > 0);
    events[early].prevHash = events[early - 1].hash;
    rehash(events[early]);
    for (const runRecords of [3, 1000]) {
      expect(verifyInRuns(events, runRecords).result).toEqual({
        ok: false,
        leafIndex: early,
        reason: `prevHash does not chain to revision ${log[early].revision - 1} of filing-s-6`,
        code: 'chain-prev-hash',
        stream: 'filing-s-6',
        previousRevision: log[early].revision - 1,
      });
    }
    const lateOnly = clone(log);
    lateOnly[late].revision += 1;
    rehash(lateOnly[late]);
    expect(verifyInRuns(lateOnly, 3).result).toEqual({
      ok: false,
      leafIndex: late,
      reason: `revision of filing-s-0 is ${log[late].revision + 1}, expected ${log[late].revision}`,
      code: 'chain-revision',
      stream: 'filing-s-0',
      revision: log[late].revision + 1,
      expected: log[late].revision,
    });
  });

  it('reports a break before a later failure of another kind, and after an earlier one', () => {
    const events = clone(log);
    const leaf = 20;
    events[leaf].data.title = 'forged';
    rehash(events[leaf]);
    const next = log.findIndex((e, i) => i > leaf && e.stream === log[leaf].stream);
    const later = clone(events);
    later[next + 5].data.title = 'forged again'; // a bad event hash after the break
    expect(verifyInRuns(later, 4).result).toMatchObject({
      ok: false,
      leafIndex: next,
      reason: expect.stringMatching(/^prevHash does not chain/),
    });
    const earlier = clone(events);
    earlier[next - 1].data.title = 'forged again'; // a bad event hash before the break: streaming stops there
    expect(verifyInRuns(earlier, 4).result).toMatchObject({
      ok: false,
      leafIndex: next - 1,
      reason: expect.stringMatching(
        /^hash does not match the event \(FilingAmended in stream filing-s-\d+, leaf \d+\): expected [0-9a-f]{64} /,
      ),
      code: 'hash-mismatch',
      leaf: next - 1,
    });
    // The root of a checkpoint is checked as the stream passes its size; a break before that size is still the answer.
    expect(verifyInRuns(events, 4).result).toMatchObject({ ok: false, leafIndex: next });
  });

  it('releases the spill when the export fails before the end and when it is truncated', () => {
    const events = clone(log);
    events[30].data.title = 'forged';
    const failed = verifyInRuns(events, 4);
    expect(failed.result).toMatchObject({ ok: false, leafIndex: 30 });
    expect(failed.spill.disposed).toBeGreaterThan(0);
    const truncated = verifyInRuns(log.slice(0, 50), 4);
    expect(truncated.result).toMatchObject({
      ok: false,
      leafIndex: 50,
      reason:
        'export ends after 50 events but a signed checkpoint has 60: the export was cut short, or taken before that checkpoint (export again, or verify with a checkpoint of at most 50 events)',
    });
    expect(truncated.spill.disposed).toBeGreaterThan(0);
  });

  it('keeps stream names that sort differently as UTF-16 and UTF-8 apart, with long names spanning read buffers', () => {
    const names = ['\u{1F600}-emoji', '\uFF5E-fullwidth', 'a', 'a'.repeat(400_000), 'é'];
    const events = buildLog(Array.from({ length: 40 }, (_, i) => amendment(names[i % names.length], i)));
    const spill = new WatchedSpill();
    const verifier = new ExportVerifier({ spill, runRecords: 3 });
    verifier.checkCheckpoint(signer.checkpoint(events), signer.vkey);
    for (const line of ndjson(events)) verifier.push(line);
    expect(verifier.finish()).toMatchObject({ ok: true, treeSize: 40, streams: names.length });
  });

  it('refuses a run size that is not a positive integer', () => {
    expect(() => new ExportVerifier({ runRecords: 0 })).toThrow(RangeError);
  });
});

describe('MemorySpill', () => {
  it('reads back what was appended from any position, across appends', () => {
    const spill: Spill = new MemorySpill();
    spill.append(Uint8Array.of(1, 2, 3));
    spill.append(Uint8Array.of());
    spill.append(Uint8Array.of(4, 5));
    spill.append(Uint8Array.of(6, 7, 8, 9));
    const out = new Uint8Array(5);
    expect(spill.read(out, 2)).toBe(5);
    expect([...out]).toEqual([3, 4, 5, 6, 7]);
    expect(spill.read(out, 7)).toBe(2);
    expect([...out.subarray(0, 2)]).toEqual([8, 9]);
    expect(spill.read(out, 9)).toBe(0);
  });
});
