// The event-store contract on a real PostgreSQL (TEST_DATABASE_URL), each test in its own fresh schema,
// plus the PostgreSQL-specific promise: several processes writing, readers never see a gap.
import pg from 'pg';
import { PostgresEventStore, statements } from '../../src/ledger/event-store/postgres-event-store.js';
import { CommitClock } from '../../src/ledger/event-store/append-planning.js';
import type { EventStore } from '../../src/ledger/event-store/event-store.port.js';
import type { EventEnvelope } from '../../src/verifier/envelope.js';
import { runEventStoreContract } from '../contract/event-store.contract.js';
import { dropSchema, freshSchema, skipWithoutDatabase, testDatabaseUrl } from '../support/pg-schema.js';

const url = testDatabaseUrl;

if (!url) skipWithoutDatabase('PostgreSQL event-store tests');
else {
  runEventStoreContract('PostgreSQL', async (options) => {
    const schema = freshSchema();
    const opened: EventStore[] = [await PostgresEventStore.open(url, { schema, ...options })];
    return {
      store: opened[0],
      reopen: async () => {
        opened.push(await PostgresEventStore.open(url, { schema, ...options }));
        return opened.at(-1)!;
      },
      cleanup: async () => {
        for (const s of opened) await s.close();
        await dropSchema(schema);
      },
    };
  });

  describe('PostgresEventStore (PostgreSQL-specific)', () => {
    let schema: string;
    const opened: PostgresEventStore[] = [];

    beforeEach(() => {
      schema = freshSchema();
    });
    afterEach(async () => {
      for (const s of opened.splice(0)) await s.close();
      await dropSchema(schema);
    });

    it("takes up the log's last time when it reads the log's size: an instance behind another's clock states no earlier time", async () => {
      const ahead = await PostgresEventStore.open(url, { schema, clock: new CommitClock(() => Date.UTC(2026, 5, 1, 12, 30)) });
      const behind = new CommitClock(() => Date.UTC(2026, 5, 1, 12));
      const idle = await PostgresEventStore.open(url, { schema, clock: behind });
      opened.push(ahead, idle);
      expect(await idle.count()).toBe(0);
      await ahead.appendToStream('s', [{ type: 'T', data: {}, meta: {} }], 'no-stream');
      expect(behind.current().toISOString()).toBe('2026-06-01T12:00:00.000Z');
      expect(await idle.count()).toBe(1);
      expect(behind.current().toISOString()).toBe('2026-06-01T12:30:00.000Z');
    });

    it('rejects a schema name that is not a plain identifier', async () => {
      await expect(PostgresEventStore.open(url, { schema: 'x"; DROP TABLE y; --' })).rejects.toThrow(TypeError);
    });

    it('two pools (two processes) writing concurrently: contiguous positions, and a polling reader never sees a gap', async () => {
      // Both open at once on a fresh schema: creating the schema and table must not race either.
      const [p1, p2, reader] = await Promise.all([1, 2, 3].map(() => PostgresEventStore.open(url, { schema })));
      opened.push(p1, p2, reader);

      let writing = true;
      const writer = async (store: PostgresEventStore, name: string) => {
        for (let i = 0; i < 15; i++) {
          await store.appendToStream(
            name,
            [{ type: 'T', data: { i }, meta: {} }, ...(i % 2 ? [] : [{ type: 'U', data: { i }, meta: {} }])],
            'any',
          );
        }
      };
      const writers = Promise.all(
        [p1, p2].flatMap((store, w) => Array.from({ length: 8 }, (_, k) => writer(store, `proc${w}-stream${k}`))),
      ).finally(() => {
        writing = false;
      });

      // The reader tails the log as a projection would: each page must start exactly where the last one ended.
      const tail: EventEnvelope[] = [];
      let polls = 0;
      try {
        while (writing || tail.length < (await reader.count())) {
          const page = await reader.readAll(tail.length, { limit: 50 });
          polls++;
          page.forEach((e, i) => expect(e.leafIndex).toBe(tail.length + i));
          tail.push(...page);
          if (polls % 10 === 0) {
            const snapshot = await reader.readAll(0, { limit: 100000 });
            snapshot.forEach((e, i) => expect(e.leafIndex).toBe(i));
          }
        }
      } finally {
        await writers.catch(() => undefined); // a failed check must not leave writers running into closed pools
      }
      await writers;

      const total = 2 * 8 * (15 + 8);
      expect(await reader.count()).toBe(total);
      expect(tail).toHaveLength(total);
      expect(tail).toEqual(await reader.readAll(0, { limit: total }));
      expect(new Set(tail.map((e) => e.id)).size).toBe(total);
      for (const name of new Set(tail.map((e) => e.stream))) {
        const events = tail.filter((e) => e.stream === name);
        events.forEach((e, r) => {
          expect(e.revision).toBe(r);
          expect(e.prevHash).toBe(r === 0 ? '0'.repeat(64) : events[r - 1].hash);
        });
      }
      expect(polls).toBeGreaterThan(1); // the reader really interleaved with the writers
    });

    it('stream reads probe the index even with a plan made while the table was small (a generic plan is kept as the log grows)', async () => {
      const store = await PostgresEventStore.open(url, { schema });
      opened.push(store);
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        // The plan PostgreSQL caches for a named statement is made from the table as it was (here: nearly empty), and
        // kept until the table is analysed again; the log then grows by thousands of events a second.
        for (let i = 0; i < 10; i++) await store.appendToStream(`small-${i}`, [{ type: 'T', data: { i }, meta: {} }], 'no-stream');
        await client.query('SET plan_cache_mode = force_generic_plan');
        await client.query(`PREPARE read_streams(text[]) AS ${statements(`"${schema}".events`, schema).readStreams.text}`);
        await client.query(`EXECUTE read_streams(ARRAY['small-1'])`);
        for (let i = 0; i < 40; i++) {
          const appends = Array.from({ length: 50 }, (_, k) => ({
            stream: `grown-${i}-${k}`,
            events: [{ type: 'T', data: { i, k, pad: 'x'.repeat(200) }, meta: {} }],
            expectedRevision: 'no-stream' as const,
          }));
          await store.appendMulti(appends);
        }
        const plan = (await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN EXECUTE read_streams(ARRAY['grown-3-7', 'small-2'])`)).rows
          .map((r) => r['QUERY PLAN'])
          .join('\n');
        // An index scan or, once autovacuum has analysed the grown table, a bitmap scan of the same index: either way
        // the index is probed by stream, never the whole table read.
        expect(plan).toMatch(/(Index (Only )?Scan using \S+ on events|Bitmap Index Scan on \S+)/);
        expect(plan).toMatch(/Index Cond: \(stream = /);
        expect(plan).not.toMatch(/Seq Scan on events/);
        const { rows } = await client.query<{ stream: string }>(`EXECUTE read_streams(ARRAY['grown-3-7', 'small-2'])`);
        expect(rows.map((r) => r.stream).sort()).toEqual(['grown-3-7', 'small-2']);
      } finally {
        await client.end();
      }
    });

    it('stream reads asked for together: each caller gets its own stream, in revision order, in objects of its own', async () => {
      const [writer, reader] = await Promise.all([1, 2].map(() => PostgresEventStore.open(url, { schema })));
      opened.push(writer, reader);
      for (let s = 0; s < 30; s++) {
        await writer.appendMulti([
          {
            stream: `s${s}`,
            expectedRevision: 'no-stream',
            events: Array.from({ length: 1 + (s % 4) }, (_, i) => ({ type: 'T', data: { s, i }, meta: {} })),
          },
        ]);
      }
      // 30 streams, each read three times, plus a stream that does not exist: all asked for in one turn.
      const names = [...Array.from({ length: 90 }, (_, k) => `s${k % 30}`), 'nothing'];
      const results = await Promise.all(names.map((n) => reader.readStream(n)));
      results.forEach((events, k) => {
        if (names[k] === 'nothing') return expect(events).toEqual([]);
        const s = k % 30;
        expect(events.map((e) => [e.stream, e.revision, e.data])).toEqual(
          Array.from({ length: 1 + (s % 4) }, (_, i) => [`s${s}`, i, { s, i }]),
        );
      });
      (results[0][0].data as { s: number }).s = 999; // one caller changing what it got
      expect(results[30][0].data).toEqual({ s: 0, i: 0 });
      // A read asked for once another process's append has resolved sees it, even among reads of the same turn.
      const appended = await writer.appendToStream('s0', [{ type: 'T', data: { s: 0, i: 1 }, meta: {} }], 0);
      const [after] = await Promise.all([reader.readStream('s0'), reader.readStream('s1')]);
      expect(after.at(-1)).toEqual(appended.events[0]);
    });

    it('two pools racing on one stream: the lock serializes them, exactly one no-stream append wins', async () => {
      const [p1, p2] = await Promise.all([1, 2].map(() => PostgresEventStore.open(url, { schema })));
      opened.push(p1, p2);
      const outcomes = await Promise.allSettled(
        Array.from({ length: 20 }, (_, i) =>
          (i % 2 ? p1 : p2).appendToStream('shared', [{ type: 'T', data: { i }, meta: {} }], 'no-stream'),
        ),
      );
      expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
      expect(await p1.count()).toBe(1);
    });
  });
}
