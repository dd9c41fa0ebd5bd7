// The EventStoreDB adapter's pure parts, without a server: revisions, errors, stream names, envelopes and the
// global-order sequence. Importing the client here also proves it loads under jest's ESM mode.
import { ANY, NO_STREAM, STREAM_EXISTS, WrongExpectedVersionError } from '@eventstore/db-client';
import { computeEventHash, ZERO_HASH, type EnvelopeBody } from '../../src/verifier/envelope.js';
import { ConcurrencyError } from '../../src/ledger/event-store/event-store.port.js';
import {
  comparePositions,
  envelopeOf,
  exactExpectedRevision,
  fromEsdbRevision,
  fromSequenceEvent,
  isReservedStream,
  isSystemEvent,
  onWrongExpectedVersion,
  planSequence,
  SEQUENCE_BATCH_EVENTS,
  SEQUENCED_TYPE,
  StreamNames,
  toEsdbEvent,
  toEsdbExpectedRevision,
  toSequenceEvent,
  type Candidate,
  type RecordedLike,
  type SequencedLeaf,
} from '../../src/ledger/event-store/eventstoredb-mapping.js';
import { nativeSha256 } from '../../src/ledger/native-sha256.js';

const pos = (commit: number, prepare = commit) => ({ commit: BigInt(commit), prepare: BigInt(prepare) });

function body(stream: string, revision: number, prevHash = ZERO_HASH, n = 0): EnvelopeBody & { hash: string } {
  const b: EnvelopeBody = {
    v: 1,
    id: `0190c3a0-0000-7000-8000-${String(revision * 1000 + n).padStart(12, '0')}`,
    stream,
    revision,
    type: 'WorkFiled',
    data: { n, nested: { list: [1, 'two', null] } },
    meta: { actor: 'p-1' },
    recordedAt: '2026-11-28T10:00:00.000Z',
    prevHash,
  };
  return { ...b, hash: computeEventHash(b, nativeSha256) };
}

/** What the client hands back for an event we wrote: same id, type, data and metadata, at the ESDB revision. */
function recorded(esdbStream: string, e: ReturnType<typeof toEsdbEvent>, revision: number): RecordedLike {
  return {
    streamId: esdbStream,
    id: e.id,
    revision: BigInt(revision),
    type: e.type,
    isJson: true,
    data: JSON.parse(JSON.stringify(e.data)),
    metadata: JSON.parse(JSON.stringify(e.metadata)),
  };
}

describe('EventStoreDB mapping: expected revisions', () => {
  it('maps our expectations onto the client constants; revision n is ESDB revision n, as a BigInt', () => {
    expect(toEsdbExpectedRevision('no-stream')).toBe(NO_STREAM);
    expect(toEsdbExpectedRevision('any')).toBe(ANY);
    expect(toEsdbExpectedRevision('stream-exists')).toBe(STREAM_EXISTS);
    expect(toEsdbExpectedRevision(0)).toBe(0n);
    expect(toEsdbExpectedRevision(41)).toBe(41n);
    expect(toEsdbExpectedRevision(Number.MAX_SAFE_INTEGER)).toBe(BigInt(Number.MAX_SAFE_INTEGER));
    for (const bad of [-1, 1.5, Number.NaN, Number.MAX_SAFE_INTEGER + 1]) expect(() => toEsdbExpectedRevision(bad)).toThrow(RangeError);
  });

  it('guards every append with the exact head it hashed on: -1 is no stream, n is revision n', () => {
    expect(exactExpectedRevision(-1)).toBe(NO_STREAM);
    expect(exactExpectedRevision(0)).toBe(0n);
    expect(exactExpectedRevision(7)).toBe(7n);
    expect(() => exactExpectedRevision(-2)).toThrow(RangeError);
    expect(() => exactExpectedRevision(0.5)).toThrow(RangeError);
  });

  it('reads ESDB current revisions back: no_stream is -1, BigInts become numbers', () => {
    expect(fromEsdbRevision(NO_STREAM)).toBe(-1);
    expect(fromEsdbRevision(0n)).toBe(0);
    expect(fromEsdbRevision(12n)).toBe(12);
    expect(() => fromEsdbRevision(-1n)).toThrow(RangeError);
    expect(() => fromEsdbRevision(BigInt(Number.MAX_SAFE_INTEGER) + 1n)).toThrow(RangeError);
  });
});

describe('EventStoreDB mapping: WrongExpectedVersionError', () => {
  it("is our ConcurrencyError when the caller's expectation fails, with the actual revision (-1 for none)", () => {
    const cases: Array<[Parameters<typeof onWrongExpectedVersion>[1], bigint | typeof NO_STREAM, number]> = [
      ['no-stream', 0n, 0],
      ['no-stream', 5n, 5],
      [3, 4n, 4],
      [3, NO_STREAM, -1],
      ['stream-exists', NO_STREAM, -1],
    ];
    for (const [expected, actual, last] of cases) {
      const verdict = onWrongExpectedVersion('filing-1', expected, actual);
      expect(verdict).toBeInstanceOf(ConcurrencyError);
      expect(verdict).toMatchObject({ name: 'ConcurrencyError', stream: 'filing-1', expected, actual: last });
    }
  });

  it('is a retry when only our exact guard lost a race the caller allowed (any, stream-exists, or the right n)', () => {
    expect(onWrongExpectedVersion('s', 'any', 3n)).toBe('retry');
    expect(onWrongExpectedVersion('s', 'any', NO_STREAM)).toBe('retry');
    expect(onWrongExpectedVersion('s', 'stream-exists', 0n)).toBe('retry');
    expect(onWrongExpectedVersion('s', 2, 2n)).toBe('retry');
    expect(onWrongExpectedVersion('s', 'no-stream', NO_STREAM)).toBe('retry');
  });

  it('takes the client error as the client builds it', () => {
    const err = new WrongExpectedVersionError(undefined, { streamName: 'content-ab', expected: NO_STREAM, current: 0n });
    expect(err).toBeInstanceOf(WrongExpectedVersionError);
    expect(onWrongExpectedVersion('content-ab', 'no-stream', err.actualVersion)).toMatchObject({
      stream: 'content-ab',
      expected: 'no-stream',
      actual: 0,
    });
  });
});

describe('EventStoreDB mapping: streams and system events', () => {
  it('prefixes our streams and recognizes only its own', () => {
    const names = new StreamNames('t1-');
    expect(names.esdb('filing-1')).toBe('t1-filing-1');
    expect(names.sequence).toBe('t1-ledger-sequence');
    expect(names.genesis).toBe('t1-ledger-genesis');
    expect(names.ours('t1-filing-1')).toBe('filing-1');
    expect(names.ours('t2-filing-1')).toBeNull();
    expect(names.ours('$ce-t1')).toBeNull();
    expect(new StreamNames().ours('filing-1')).toBe('filing-1');
    expect(new StreamNames().ours('$stats-127.0.0.1:2113')).toBeNull();
    expect(() => new StreamNames('$x')).toThrow(TypeError);
  });

  it('treats $-prefixed streams and types as system events, and reserves the bookkeeping streams', () => {
    expect(isSystemEvent({ streamId: '$settings', type: 'Settings' })).toBe(true);
    expect(isSystemEvent({ streamId: 'filing-1', type: '$>' })).toBe(true);
    expect(isSystemEvent({ streamId: '$$filing-1', type: '$metadata' })).toBe(true);
    expect(isSystemEvent({ streamId: 'filing-1', type: 'WorkFiled' })).toBe(false);
    expect(isReservedStream('ledger-sequence')).toBe(true);
    expect(isReservedStream('ledger-genesis')).toBe(true);
    expect(isReservedStream('filing-1')).toBe(false);
  });
});

describe('EventStoreDB mapping: envelopes', () => {
  const names = new StreamNames('t1-');

  it('round-trips an envelope through ESDB event data and metadata, hash intact', () => {
    const e = body('filing-1', 0);
    const esdb = toEsdbEvent(e, 17);
    expect(esdb).toMatchObject({ id: e.id, type: 'WorkFiled', contentType: 'application/json', data: e.data });
    expect(esdb.metadata).toEqual({
      ledger: { v: 1, stream: 'filing-1', revision: 0, recordedAt: e.recordedAt, prevHash: ZERO_HASH, hash: e.hash, seqHint: 17 },
      meta: e.meta,
    });
    const back = envelopeOf(recorded('t1-filing-1', esdb, 0), names)!;
    expect(back).toEqual({ body: e, seqHint: 17 });
    expect(computeEventHash(back.body, nativeSha256)).toBe(e.hash);
  });

  it('ignores what is not ours: system events, other prefixes, bookkeeping streams, foreign metadata', () => {
    const esdb = toEsdbEvent(body('filing-1', 0), 0);
    expect(envelopeOf(recorded('t2-filing-1', esdb, 0), names)).toBeNull();
    expect(envelopeOf({ ...recorded('t1-filing-1', esdb, 0), type: '$>' }, names)).toBeNull();
    expect(envelopeOf(recorded('t1-ledger-sequence', esdb, 0), names)).toBeNull();
    expect(envelopeOf({ ...recorded('t1-filing-1', esdb, 0), metadata: { $correlationId: 'x' } }, names)).toBeNull();
    expect(envelopeOf({ ...recorded('t1-filing-1', esdb, 0), isJson: false }, names)).toBeNull();
  });

  it('refuses an event whose envelope names another stream or revision than where ESDB stored it', () => {
    const esdb = toEsdbEvent(body('filing-1', 0), 0);
    expect(() => envelopeOf(recorded('t1-filing-2', esdb, 0), names)).toThrow(/carries the envelope of filing-1@0/);
    expect(() => envelopeOf(recorded('t1-filing-1', esdb, 1), names)).toThrow(/carries the envelope/);
  });
});

describe('EventStoreDB mapping: the global-order sequence', () => {
  const candidates = (n: number, firstCommit = 100): Candidate[] =>
    Array.from({ length: n }, (_, i) => ({ body: body(`s-${i}`, 0, ZERO_HASH, i), position: pos(firstCommit + i * 10) }));

  it('numbers a fresh sequence from leafIndex 0, expecting no stream', () => {
    const plan = planSequence(null, candidates(3));
    expect(plan.expectedRevision).toBe(NO_STREAM);
    expect(plan.leaves.map((l) => l.envelope.leafIndex)).toEqual([0, 1, 2]);
    expect(plan.leaves[1].envelope).toMatchObject({ stream: 's-1', revision: 0 });
  });

  it("continues after the tail: expected revision = the tail's leafIndex, skipping what the tail already covers", () => {
    const all = candidates(5);
    const tail: SequencedLeaf = { envelope: { ...all[1].body, leafIndex: 41 }, position: all[1].position };
    const plan = planSequence(tail, all);
    expect(plan.expectedRevision).toBe(41n);
    expect(plan.leaves.map((l) => [l.envelope.stream, l.envelope.leafIndex])).toEqual([
      ['s-2', 42],
      ['s-3', 43],
      ['s-4', 44],
    ]);
  });

  it('plans nothing when caught up, and refuses $all positions that do not increase', () => {
    const all = candidates(2);
    const tail: SequencedLeaf = { envelope: { ...all[1].body, leafIndex: 1 }, position: all[1].position };
    expect(planSequence(tail, all).leaves).toEqual([]);
    expect(() => planSequence(null, [all[1], all[0]])).toThrow(/out of order/);
    expect(() => planSequence(null, [all[0], all[0]])).toThrow(/out of order/);
  });

  it("cuts a batch to one append's size", () => {
    expect(planSequence(null, candidates(SEQUENCE_BATCH_EVENTS + 20)).leaves).toHaveLength(SEQUENCE_BATCH_EVENTS);
    const big = candidates(40).map((c) => ({ ...c, body: { ...c.body, data: { blob: 'x'.repeat(30_000) } } }));
    const plan = planSequence(null, big);
    expect(plan.leaves.length).toBeGreaterThan(0);
    expect(plan.leaves.length).toBeLessThan(40);
    expect(plan.leaves.reduce((n, l) => n + JSON.stringify(l.envelope).length, 0)).toBeLessThan(1024 * 1024);
  });

  it('stores each leaf as a LeafSequenced event whose revision is its leafIndex, with a stable id', () => {
    const [leaf] = planSequence(null, candidates(1)).leaves;
    const event = toSequenceEvent(leaf);
    expect(event.type).toBe(SEQUENCED_TYPE);
    expect(toSequenceEvent(leaf).id).toBe(event.id); // a retried append of the same leaf carries the same id
    expect(event.id).not.toBe(leaf.envelope.id);
    const back = fromSequenceEvent({ revision: 0n, type: event.type, data: JSON.parse(JSON.stringify(event.data)) });
    expect(back).toEqual(leaf);
    expect(() => fromSequenceEvent({ revision: 1n, type: event.type, data: event.data })).toThrow(/holds leafIndex 0/);
    expect(() => fromSequenceEvent({ revision: 0n, type: 'Other', data: event.data })).toThrow(/not a LeafSequenced/);
  });

  it('orders $all positions by commit, then prepare', () => {
    expect(comparePositions(pos(1), pos(2))).toBe(-1);
    expect(comparePositions(pos(2, 1), pos(2, 3))).toBe(-1);
    expect(comparePositions(pos(2, 3), pos(2, 3))).toBe(0);
    expect(comparePositions(pos(3, 0), pos(2, 9))).toBe(1);
  });
});
