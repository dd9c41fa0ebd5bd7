// The rights projection's cache of rule events, on the real SQLite store: it answers what the store holds below the
// last batch it took in, and starts over when a batch does not follow the previous one.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventStore } from '../../src/ledger/event-store/sqlite-event-store.js';
import { RuleStreamCache } from '../../src/settlement/right-events.js';
import { ruleEvent } from '../../src/verifier/rights-events.js';

describe('RuleStreamCache', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rule-cache-'));
  const store = SqliteEventStore.open(join(dir, 'events.sqlite'));
  afterAll(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const filed = (filingId: string) => ({
    type: 'WorkFiled',
    data: { filingId, creator: 'c', filedAt: '2026-01-01T00:00:00.000Z', title: 'big' },
    meta: {},
  });
  const labelled = (filingId: string) => ({
    type: 'LabelsDeclared',
    data: { filingId, declaredAt: '2026-01-02T00:00:00.000Z', explicit: {} },
    meta: {},
  });
  /** What the store holds of the stream below `end`, as the rules read it. */
  const expected = async (stream: string, end: number, from: SqliteEventStore = store) =>
    (await from.readStream(stream)).filter((e) => e.leafIndex < end).map(ruleEvent);

  it('answers from the batches it took in, from the store for other streams, and starts over after a gap', async () => {
    await store.appendToStream('filing-a', [filed('a')], 'no-stream');
    await store.appendToStream('filing-b', [filed('b')], 'no-stream');
    await store.appendToStream('other', [{ type: 'Noted', data: {}, meta: {} }], 'no-stream');
    const cache = new RuleStreamCache(store, 4);
    cache.advance(await store.readAll(0));
    expect(await cache.read('filing-a')).toEqual(await expected('filing-a', 3));
    expect((await cache.read('filing-a'))[0].data).toEqual({ filingId: 'a', creator: 'c', filedAt: '2026-01-01T00:00:00.000Z' });

    // Events after the last batch are not answered until a batch brings them, even for a stream read from the store now.
    await store.appendToStream('filing-a', [labelled('a')], 0);
    await store.appendToStream('filing-c', [filed('c')], 'no-stream');
    expect(await cache.read('filing-c')).toEqual([]);
    cache.advance(await store.readAll(3));
    for (const s of ['filing-a', 'filing-b', 'filing-c']) expect(await cache.read(s)).toEqual(await expected(s, 5));

    // A batch that skips events (applied elsewhere) empties the cache: the streams are read again.
    await store.appendToStream('filing-b', [labelled('b')], 0);
    await store.appendToStream('filing-a', [labelled('a')], 1);
    cache.advance(await store.readAll(6));
    for (const s of ['filing-a', 'filing-b', 'filing-c']) expect(await cache.read(s)).toEqual(await expected(s, 7));
  });

  it('holds only streams that begin with a rule event, at most its capacity or four times the last batch', async () => {
    const dir2 = mkdtempSync(join(tmpdir(), 'rule-cache-size-'));
    const own = SqliteEventStore.open(join(dir2, 'events.sqlite'));
    try {
      // Ten filings, each with the content reservation written beside it (a stream the rules never read).
      for (let i = 0; i < 10; i++) {
        await own.appendMulti([
          { stream: `filing-f${i}`, expectedRevision: 'no-stream', events: [filed(`f${i}`)] },
          {
            stream: `content-${i}`,
            expectedRevision: 'no-stream',
            events: [{ type: 'ContentReserved', data: { filingId: `f${i}` }, meta: {} }],
          },
        ]);
      }
      const all = await own.readAll(0, { limit: 100 });
      expect(all).toHaveLength(20);

      // One event per batch, as a server following its commits applies them: at most 4 streams (capacity 4).
      const small = new RuleStreamCache(own, 4);
      for (const e of all) {
        small.advance([e]);
        expect(small.size).toBeLessThanOrEqual(4);
      }
      expect(small.size).toBe(4);
      // The latest filings are answered from memory, the earlier ones from the store, the same either way.
      for (const i of [0, 9]) expect(await small.read(`filing-f${i}`)).toEqual(await expected(`filing-f${i}`, 20, own));

      // One batch of 20 events may hold 80 streams: every filing is held, and no content stream.
      const large = new RuleStreamCache(own, 4);
      large.advance(all);
      expect(large.size).toBe(10);
    } finally {
      await own.close();
      rmSync(dir2, { recursive: true, force: true });
    }
  });
});
