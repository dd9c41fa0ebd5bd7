// The one contract every EventStore (SQLite, PostgreSQL, EventStoreDB) must pass. Hashes are recomputed here
// with node:crypto + canonicalize, independently of the code under test.
import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import type { AdmitEvent } from '../../src/ledger/event-store/append-planning.js';
import { ConcurrencyError } from '../../src/ledger/event-store/event-store.port.js';
import type { EventStore, ExpectedRevision, NewEvent } from '../../src/ledger/event-store/event-store.port.js';
import type { EventEnvelope } from '../../src/verifier/envelope.js';

export interface ContractFixture {
  store: EventStore;
  /** Opens the same underlying storage again (after the test closed `store`). */
  reopen?: () => Promise<EventStore>;
  /** Closes whatever is still open and removes the storage. */
  cleanup: () => Promise<void>;
}

const ZERO = '0'.repeat(64);
const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const ISO_MS_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

const ev = (type: string, n = 0): NewEvent => ({ type, data: { n, nested: { list: [1, 'two', null, true] } }, meta: { actor: 'p-1' } });
const evs = (count: number, type = 'Tested'): NewEvent[] => Array.from({ length: count }, (_, i) => ev(type, i));

/** The event hash = hex SHA-256 of the JCS form of {v,id,stream,revision,type,data,meta,recordedAt,prevHash}. */
function independentHash(e: EventEnvelope): string {
  const { v, id, stream, revision, type, data, meta, recordedAt, prevHash } = e;
  const text = canonicalize({ v, id, stream, revision, type, data, meta, recordedAt, prevHash });
  return createHash('sha256').update(text!, 'utf8').digest('hex');
}

/** Checks one stream's envelopes: shape, revisions 0..n-1, hash, and the prevHash chain. */
function expectValidChain(events: EventEnvelope[], stream: string): void {
  let prev = ZERO;
  events.forEach((e, i) => {
    expect(e.v).toBe(1);
    expect(e.stream).toBe(stream);
    expect(e.revision).toBe(i);
    expect(e.id).toMatch(UUID_V7);
    expect(e.recordedAt).toMatch(ISO_MS_UTC);
    expect(new Date(e.recordedAt).toISOString()).toBe(e.recordedAt);
    expect(e.prevHash).toBe(prev);
    expect(e.hash).toBe(independentHash(e));
    prev = e.hash;
  });
}

function expectContiguousLog(all: EventEnvelope[]): void {
  expect(all.map((e) => e.leafIndex)).toEqual(all.map((_, i) => i));
  expect(new Set(all.map((e) => e.id)).size).toBe(all.length);
  const streams = new Map<string, EventEnvelope[]>();
  for (const e of all) streams.set(e.stream, [...(streams.get(e.stream) ?? []), e]);
  for (const [stream, events] of streams) expectValidChain(events, stream);
}

async function expectConflict(p: Promise<unknown>, stream: string, expected: ExpectedRevision, actual: number): Promise<void> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ConcurrencyError);
  expect(err).toMatchObject({ name: 'ConcurrencyError', stream, expected, actual });
}

/** What a store is opened with beyond its storage. */
export interface ContractOptions {
  admit?: AdmitEvent;
}

export function runEventStoreContract(name: string, factory: (options?: ContractOptions) => Promise<ContractFixture>): void {
  describe(`EventStore contract: ${name}`, () => {
    let fx: ContractFixture;
    let store: EventStore;

    beforeEach(async () => {
      fx = await factory();
      store = fx.store;
    });
    afterEach(async () => {
      await fx.cleanup();
    });

    /** Asserts a rejected append changed nothing: same count, same stream contents. */
    async function expectUnchanged(stream: string, attempt: () => Promise<void>): Promise<void> {
      const count = await store.count();
      const before = await store.readStream(stream);
      await attempt();
      expect(await store.count()).toBe(count);
      expect(await store.readStream(stream)).toEqual(before);
    }

    it('starts empty and answers ping', async () => {
      await expect(store.ping()).resolves.toBeUndefined();
      expect(await store.count()).toBe(0);
      expect(await store.readAll(0)).toEqual([]);
      expect(await store.readStream('nothing-here')).toEqual([]);
    });

    it('no-stream: creates a new stream; rejects an existing one with its last revision', async () => {
      const r = await store.appendToStream('s-1', evs(2), 'no-stream');
      expect(r.lastPosition).toBe(1);
      expect(r.nextRevisions).toEqual({ 's-1': 1 });
      expect(r.events.map((e) => [e.revision, e.leafIndex])).toEqual([
        [0, 0],
        [1, 1],
      ]);
      expect(r.events[0].prevHash).toBe(ZERO);
      expect(await store.readStream('s-1')).toEqual(r.events);
      await expectUnchanged('s-1', () => expectConflict(store.appendToStream('s-1', [ev('X')], 'no-stream'), 's-1', 'no-stream', 1));
    });

    it('stream-exists: rejects a missing stream with actual -1; appends to an existing one', async () => {
      await expectUnchanged('s-2', () =>
        expectConflict(store.appendToStream('s-2', [ev('X')], 'stream-exists'), 's-2', 'stream-exists', -1),
      );
      expect(await store.readStream('s-2')).toEqual([]);
      await store.appendToStream('s-2', [ev('A')], 'no-stream');
      const r = await store.appendToStream('s-2', [ev('B')], 'stream-exists');
      expect(r.events[0].revision).toBe(1);
      expect(r.nextRevisions).toEqual({ 's-2': 1 });
    });

    it('any: appends to a missing and to an existing stream', async () => {
      const a = await store.appendToStream('s-3', [ev('A')], 'any');
      const b = await store.appendToStream('s-3', [ev('B')], 'any');
      expect([a.events[0].revision, b.events[0].revision]).toEqual([0, 1]);
      expect(b.events[0].prevHash).toBe(a.events[0].hash);
    });

    it('revision n: appends when the last revision is n; otherwise reports the actual one', async () => {
      await expectUnchanged('s-4', () => expectConflict(store.appendToStream('s-4', [ev('X')], 0), 's-4', 0, -1));
      await store.appendToStream('s-4', evs(3), 'no-stream');
      await expectUnchanged('s-4', () => expectConflict(store.appendToStream('s-4', [ev('X')], 1), 's-4', 1, 2));
      await expectUnchanged('s-4', () => expectConflict(store.appendToStream('s-4', [ev('X')], 3), 's-4', 3, 2));
      const r = await store.appendToStream('s-4', [ev('Y')], 2);
      expect(r.events[0].revision).toBe(3);
      expect(r.nextRevisions).toEqual({ 's-4': 3 });
      expectValidChain(await store.readStream('s-4'), 's-4');
    });

    it('chains prevHash per stream; every hash recomputes independently; appended = read back', async () => {
      const appended: EventEnvelope[] = [];
      for (let i = 0; i < 4; i++) {
        appended.push(...(await store.appendToStream('chain-a', evs(i + 1), i === 0 ? 'no-stream' : 'any')).events);
        appended.push(...(await store.appendToStream('chain-b', [ev('B', i)], 'any')).events);
      }
      const a = await store.readStream('chain-a');
      expect(a).toHaveLength(10);
      expectValidChain(a, 'chain-a');
      expectValidChain(await store.readStream('chain-b'), 'chain-b');
      expect(await store.readAll(0)).toEqual(appended);
    });

    it('what an append returns cannot be changed by its caller: readAll still answers the events as committed', async () => {
      const r = await store.appendMulti([
        { stream: 'kept-a', expectedRevision: 'no-stream', events: evs(2) },
        { stream: 'kept-b', expectedRevision: 'no-stream', events: [ev('B')] },
      ]);
      const committed = JSON.parse(JSON.stringify(r.events)) as EventEnvelope[];
      try {
        (r.events[0].data as { nested: { list: unknown[] } }).nested.list.push('changed');
        (r.events[1] as { hash: string }).hash = ZERO;
        (r.events[2].meta as { actor: string }).actor = 'someone else';
      } catch {
        /* refused outright: as good */
      }
      expect(await store.readAll(0)).toEqual(committed);
      expect(await store.readAll(1, { limit: 1 })).toEqual([committed[1]]);
      expectContiguousLog(await store.readAll(0));
    });

    it('stores data and meta so that the read-back envelope hashes to its hash', async () => {
      const data = {
        z: 1,
        a: [1.5, -0.25, 1e21, 2 ** 53 - 1, 0],
        ünï: 'cödé ✓ 𝄞 "quoted" \\ \n\t\u0000 \u2028',
        nested: { deep: { deeper: [{}, [], null, false] } },
        empty: '',
        escapes: '\\ud800 \\u0041', // the text of \u escapes (a backslash, then letters), not the characters
      };
      const meta = { actor: 'p-2', ip: '127.0.0.1', '': 'empty key' };
      const r = await store.appendToStream('data-1', [{ type: 'WorkFiled', data, meta }], 'no-stream');
      const [back] = await store.readStream('data-1');
      expect(back.data).toEqual(data);
      expect(back.meta).toEqual(meta);
      expect(back).toEqual(r.events[0]);
      expect(back.hash).toBe(independentHash(back));
    });

    it('numbers leafIndex 0..n-1 in readAll across several streams', async () => {
      for (let i = 0; i < 12; i++) await store.appendToStream(`multi-${i % 3}`, evs(1 + (i % 2)), 'any');
      const all = await store.readAll(0);
      expect(all).toHaveLength(18);
      expect(await store.count()).toBe(18);
      expectContiguousLog(all);
    });

    it('readAll from a middle position, with a limit, and past the end', async () => {
      await store.appendToStream('ra', evs(10), 'no-stream');
      const all = await store.readAll(0);
      expect((await store.readAll(4)).map((e) => e.leafIndex)).toEqual([4, 5, 6, 7, 8, 9]);
      expect(await store.readAll(3, { limit: 2 })).toEqual(all.slice(3, 5));
      expect(await store.readAll(9, { limit: 5 })).toEqual(all.slice(9));
      expect(await store.readAll(10)).toEqual([]);
      expect(await store.readAll(1000)).toEqual([]);
    });

    it('readAll returns at most 1000 events by default', async () => {
      const r = await store.appendToStream('big', evs(1001), 'no-stream');
      expect(r.lastPosition).toBe(1000);
      const page = await store.readAll(0);
      expect(page).toHaveLength(1000);
      expect(page[999].leafIndex).toBe(999);
      expect((await store.readAll(1000)).map((e) => e.leafIndex)).toEqual([1000]);
      expectValidChain(await store.readStream('big'), 'big');
    });

    it('appendMulti commits several streams atomically in one contiguous run', async () => {
      await store.appendToStream('other', [ev('O')], 'no-stream');
      const r = await store.appendMulti([
        { stream: 'content-abc', expectedRevision: 'no-stream', events: [ev('ContentReserved')] },
        { stream: 'filing-1', expectedRevision: 'no-stream', events: evs(2, 'WorkFiled') },
      ]);
      expect(r.events.map((e) => [e.stream, e.revision, e.leafIndex])).toEqual([
        ['content-abc', 0, 1],
        ['filing-1', 0, 2],
        ['filing-1', 1, 3],
      ]);
      expect(r.nextRevisions).toEqual({ 'content-abc': 0, 'filing-1': 1 });
      expect(r.lastPosition).toBe(3);
      expect(await store.readAll(1)).toEqual(r.events);
    });

    it('names the first stream, in the order given, whose expectation fails, and writes nothing', async () => {
      await store.appendToStream('taken-a', [ev('ContentReserved')], 'no-stream');
      await store.appendToStream('taken-b', evs(3), 'no-stream');
      const count = await store.count();
      const appends = (...streams: Array<[string, ExpectedRevision]>) =>
        store.appendMulti(streams.map(([stream, expectedRevision]) => ({ stream, expectedRevision, events: evs(2) })));
      await expectConflict(appends(['free-1', 'no-stream'], ['taken-a', 'no-stream'], ['taken-b', 5]), 'taken-a', 'no-stream', 0);
      await expectConflict(appends(['free-2', 'any'], ['taken-b', 5], ['taken-a', 'no-stream']), 'taken-b', 5, 2);
      await expectConflict(appends(['free-3', 'no-stream'], ['free-4', 'no-stream'], ['taken-b', 'no-stream']), 'taken-b', 'no-stream', 2);
      await expectConflict(appends(['taken-b', 2], ['taken-a', 'no-stream']), 'taken-a', 'no-stream', 0);
      expect(await store.count()).toBe(count);
      for (const stream of ['free-1', 'free-2', 'free-3', 'free-4']) expect(await store.readStream(stream)).toEqual([]);
      // Sent in one turn of the event loop (one group commit where the store groups them): a command refused so leaves
      // its neighbours' appends written.
      const [first, refused, last] = await Promise.allSettled([
        appends(['free-5', 'no-stream']),
        appends(['free-6', 'no-stream'], ['taken-a', 'no-stream']),
        appends(['free-7', 'no-stream']),
      ]);
      expect([first.status, refused.status, last.status]).toEqual(['fulfilled', 'rejected', 'fulfilled']);
      expect((refused as PromiseRejectedResult).reason).toMatchObject({ name: 'ConcurrencyError', stream: 'taken-a', actual: 0 });
      expect(await store.count()).toBe(count + 4);
      expect((await store.readStream('free-6')).length).toBe(0);
    });

    it('appendMulti writes nothing to any stream when one expectation fails', async () => {
      await store.appendToStream('content-dup', [ev('ContentReserved')], 'no-stream');
      const count = await store.count();
      await expectConflict(
        store.appendMulti([
          { stream: 'filing-2', expectedRevision: 'no-stream', events: evs(2, 'WorkFiled') },
          { stream: 'content-dup', expectedRevision: 'no-stream', events: [ev('ContentReserved')] },
        ]),
        'content-dup',
        'no-stream',
        0,
      );
      expect(await store.count()).toBe(count);
      expect(await store.readStream('filing-2')).toEqual([]);
      expect(await store.readStream('content-dup')).toHaveLength(1);
      // The failed attempt left no trace: the next append still lands at the next position.
      const next = await store.appendToStream('filing-2', [ev('WorkFiled')], 'no-stream');
      expect(next.lastPosition).toBe(count);
      expectContiguousLog(await store.readAll(0));
    });

    it('appendMulti to the same stream twice chains the second append onto the first', async () => {
      const r = await store.appendMulti([
        { stream: 'twice', expectedRevision: 'no-stream', events: [ev('A')] },
        { stream: 'twice', expectedRevision: 0, events: [ev('B')] },
      ]);
      expect(r.nextRevisions).toEqual({ twice: 1 });
      expectValidChain(await store.readStream('twice'), 'twice');
    });

    it('50 concurrent no-stream appends to one stream: exactly one wins', async () => {
      const outcomes = await Promise.allSettled(
        Array.from({ length: 50 }, (_, i) => store.appendToStream('race', [ev('Raced', i)], 'no-stream')),
      );
      const won = outcomes.filter((o) => o.status === 'fulfilled');
      const lost = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
      expect(won).toHaveLength(1);
      expect(lost).toHaveLength(49);
      for (const l of lost) expect(l.reason).toMatchObject({ name: 'ConcurrencyError', stream: 'race', actual: 0 });
      expect(await store.readStream('race')).toHaveLength(1);
      expect(await store.count()).toBe(1);
    });

    it('concurrent appends to different streams get contiguous positions without gaps or repeats', async () => {
      const streams = Array.from({ length: 10 }, (_, i) => `par-${i}`);
      await Promise.all(
        streams.map(async (s) => {
          let last = -1;
          for (let i = 0; i < 5; i++) {
            const r = await store.appendToStream(s, evs(1 + (i % 3)), i === 0 ? 'no-stream' : last);
            last = r.nextRevisions[s];
          }
        }),
      );
      const all = await store.readAll(0);
      expect(all).toHaveLength(10 * (1 + 2 + 3 + 1 + 2));
      expectContiguousLog(all);
    });

    it('concurrent appends with some wrong expectations: exactly those fail, the others commit contiguously', async () => {
      const streams = Array.from({ length: 30 }, (_, i) => `mixed-${i}`);
      for (const [i, s] of streams.entries()) await store.appendToStream(s, evs(1 + (i % 3)), 'no-stream');
      const last = (i: number) => i % 3; // each stream's last revision
      const wrong = new Set([1, 4, 5, 11, 17, 18, 26]);
      const outcomes = await Promise.allSettled(
        streams.map((s, i) => store.appendToStream(s, [ev('Next', i)], wrong.has(i) ? last(i) + 1 : last(i))),
      );
      outcomes.forEach((o, i) => {
        if (wrong.has(i))
          expect(o).toMatchObject({
            status: 'rejected',
            reason: { name: 'ConcurrencyError', stream: streams[i], expected: last(i) + 1, actual: last(i) },
          });
        else expect(o.status).toBe('fulfilled');
      });
      for (const [i, s] of streams.entries()) expect(await store.readStream(s)).toHaveLength(last(i) + 1 + (wrong.has(i) ? 0 : 1));
      expectContiguousLog(await store.readAll(0));
    });

    it('data and meta are what their JSON text reads back as, and the hash covers that', async () => {
      const values: Array<Record<string, unknown>> = [
        { z: 1, a: { y: [3, undefined, { d: 1, c: 2 }], x: null }, m: 'é\u20ac\ud83d\ude00', when: new Date(0), gone: undefined },
        { nan: NaN, inf: -Infinity, neg: -0, big: 1e21, tiny: 5e-324, 10: 'ten', 2: 'two', '': 'empty' },
        JSON.parse('{"b":1,"__proto__":{"x":1},"a":[{"__proto__":2}]}') as Record<string, unknown>,
        { nested: { toJSON: () => ({ q: 2, p: 1 }) }, flag: false },
        { list: Object.assign([{ d: 1, c: 2 }], { toJSON: () => ({ b: 1, a: 2 }) }) },
      ];
      const appended = await store.appendMulti(
        values.map((data, i) => ({
          stream: `rt-${i}`,
          expectedRevision: 'no-stream' as const,
          events: [{ type: 'RoundTrip', data: data as never, meta: { i, by: data } as never }],
        })),
      );
      for (const [i, value] of values.entries()) {
        const readBack: unknown = JSON.parse(JSON.stringify(value));
        const [stored] = await store.readStream(`rt-${i}`);
        expect(stored.data).toStrictEqual(readBack);
        expect(stored.meta).toStrictEqual({ i, by: readBack });
        expect(stored.hash).toBe(independentHash(stored));
        expect(appended.events[i]).toEqual(stored);
      }
      expectContiguousLog(await store.readAll(0));
    });

    it('an append whose data cannot be serialised fails alone; concurrent neighbours commit', async () => {
      const cyclic: Record<string, unknown> = {};
      cyclic.self = cyclic;
      const bad = [
        { n: 1n },
        cyclic,
        {
          toJSON: () => {
            throw new Error('no JSON form');
          },
        },
        { toJSON: () => 'not an object' },
      ];
      const outcomes = await Promise.allSettled([
        store.appendToStream('ser-ok-1', [ev('A')], 'no-stream'),
        ...bad.map((data, i) => store.appendToStream(`ser-bad-${i}`, [{ type: 'Bad', data: data as never, meta: {} }], 'no-stream')),
        store.appendToStream('ser-ok-2', [ev('B')], 'no-stream'),
      ]);
      expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', ...bad.map(() => 'rejected'), 'fulfilled']);
      for (let i = 0; i < bad.length; i++) expect(await store.readStream(`ser-bad-${i}`)).toEqual([]);
      expect(await store.count()).toBe(2);
      expectContiguousLog(await store.readAll(0));
    });

    it('an event its admission refuses fails its command alone, writing nothing of it; concurrent neighbours commit', async () => {
      const admitted = await factory({
        admit: (e) => {
          if (e.type === 'Refused') throw new RangeError(`no ${e.type} at ${e.recordedAt}`);
        },
      });
      try {
        const s = admitted.store;
        await s.appendToStream('adm-a', [ev('A')], 'no-stream');
        const outcomes = await Promise.allSettled([
          s.appendToStream('adm-a', [ev('A', 1)], 0),
          // The refused event comes second, in the command's second stream: the first stream's event goes too.
          s.appendMulti([
            { stream: 'adm-b', expectedRevision: 'no-stream', events: [ev('B')] },
            { stream: 'adm-a', expectedRevision: 'any', events: [ev('A', 2), ev('Refused')] },
          ]),
          s.appendToStream('adm-c', evs(2), 'no-stream'),
          // In the same batch, after the refusal: the refused command's first stream was never written.
          s.appendToStream('adm-b', [ev('B', 1)], 'no-stream'),
        ]);
        expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
        const refusal = (outcomes[1] as PromiseRejectedResult).reason as Error;
        expect(refusal).toBeInstanceOf(RangeError);
        expect(refusal.message).toMatch(/^no Refused at \d{4}-/); // asked with the envelope, its recordedAt set
        expect((await s.readStream('adm-b')).map((e) => [e.revision, e.data.n])).toEqual([[0, 1]]);
        expect((await s.readStream('adm-a')).map((e) => e.data.n)).toEqual([0, 1]);
        expect(await s.count()).toBe(5);
        expectContiguousLog(await s.readAll(0));
      } finally {
        await admitted.cleanup();
      }
    });

    it('subscribe: listeners get growing log sizes after commits; a throwing listener breaks nothing', async () => {
      const sizes: number[] = [];
      const unsubscribe = store.subscribe((n) => sizes.push(n));
      const unsubscribeBad = store.subscribe(() => {
        throw new Error('listener bug');
      });
      await store.appendToStream('sub', evs(2), 'no-stream');
      await Promise.all(Array.from({ length: 5 }, (_, i) => store.appendToStream(`sub-${i}`, [ev('S')], 'no-stream')));
      await store.appendMulti([{ stream: 'sub', expectedRevision: 1, events: [ev('S')] }]);
      expect(sizes[0]).toBe(2);
      expect(sizes.at(-1)).toBe(8);
      expect(sizes.at(-1)).toBe(await store.count());
      for (let i = 1; i < sizes.length; i++) expect(sizes[i]).toBeGreaterThan(sizes[i - 1]);
      unsubscribe();
      unsubscribeBad();
      await store.appendToStream('sub', [ev('S')], 'any');
      expect(sizes.at(-1)).toBe(8);
    });

    it('rejects empty appends and malformed calls with a TypeError, writing nothing', async () => {
      await store.appendToStream('e', [ev('A')], 'no-stream');
      await expect(store.appendToStream('e', [], 'any')).rejects.toThrow(TypeError);
      await expect(store.appendToStream('e2', [], 'no-stream')).rejects.toThrow(TypeError);
      await expect(store.appendMulti([])).rejects.toThrow(TypeError);
      await expect(
        store.appendMulti([
          { stream: 'e3', expectedRevision: 'no-stream', events: [ev('A')] },
          { stream: 'e4', expectedRevision: 'no-stream', events: [] },
        ]),
      ).rejects.toThrow(TypeError);
      await expect(store.appendToStream('e', [ev('A')], -1 as ExpectedRevision)).rejects.toThrow(TypeError);
      expect(await store.count()).toBe(1);
      expect(await store.readStream('e3')).toEqual([]);
    });

    it('is durable across close and reopen', async () => {
      if (!fx.reopen) return; // the fixture cannot reopen its storage: nothing to check
      await store.appendToStream('dur-a', evs(3), 'no-stream');
      await store.appendMulti([
        { stream: 'dur-b', expectedRevision: 'no-stream', events: evs(2) },
        { stream: 'dur-a', expectedRevision: 2, events: [ev('A')] },
      ]);
      const before = await store.readAll(0);
      await store.close();
      const again = await fx.reopen();
      try {
        expect(await again.count()).toBe(6);
        const after = await again.readAll(0);
        expect(after).toEqual(before);
        expectContiguousLog(after);
        // The reopened store continues the chains and the log.
        const r = await again.appendToStream('dur-b', [ev('B')], 1);
        expect(r.events[0]).toMatchObject({ revision: 2, leafIndex: 6, prevHash: before[4].hash });
      } finally {
        await again.close();
      }
    });
  });
}
