// The event-store contract against a real EventStoreDB / KurrentDB node (TEST_EVENTSTORE_URL, e.g.
// esdb://127.0.0.1:2113?tls=false from `docker compose up eventstore`). Each test gets its own stream prefix on the
// shared node, so it starts empty; nothing is deleted afterwards (ESDB deletes are tombstones anyway).
import { randomBytes } from 'node:crypto';
import { EventStoreDbEventStore } from '../../src/ledger/event-store/eventstoredb-event-store.js';
import type { EventStore } from '../../src/ledger/event-store/event-store.port.js';
import { runEventStoreContract } from '../contract/event-store.contract.js';

const url = process.env.TEST_EVENTSTORE_URL;
const freshPrefix = () => `t${randomBytes(5).toString('hex')}-`;

if (!url) {
  // Straight to stderr: jest drops buffered console output of a suite whose tests are all skipped.
  process.stderr.write(
    '\nSKIPPED: EventStoreDB event-store tests: TEST_EVENTSTORE_URL is not set (e.g. esdb://127.0.0.1:2113?tls=false after `docker compose up eventstore`)\n',
  );
  describe('EventStoreDbEventStore', () => {
    it.skip('skipped: TEST_EVENTSTORE_URL is not set', () => undefined);
  });
} else {
  runEventStoreContract('EventStoreDB', async (options) => {
    const prefix = freshPrefix();
    const opened: EventStore[] = [await EventStoreDbEventStore.open(url, { prefix, ...options })];
    return {
      store: opened[0],
      reopen: async () => {
        opened.push(await EventStoreDbEventStore.open(url, { prefix, ...options }));
        return opened.at(-1)!;
      },
      cleanup: async () => {
        for (const s of opened) await s.close();
      },
    };
  });

  describe('EventStoreDbEventStore (EventStoreDB-specific)', () => {
    const opened: EventStoreDbEventStore[] = [];
    afterEach(async () => {
      for (const s of opened.splice(0)) await s.close();
    });

    it('two clients (two processes) writing concurrently: one contiguous sequence, no event missing or repeated', async () => {
      const prefix = freshPrefix();
      const [a, b] = await Promise.all([1, 2].map(() => EventStoreDbEventStore.open(url, { prefix })));
      opened.push(a, b);
      await Promise.all(
        [a, b].flatMap((store, w) =>
          Array.from({ length: 6 }, async (_, k) => {
            for (let i = 0; i < 5; i++) await store.appendToStream(`w${w}-s${k}`, [{ type: 'T', data: { i }, meta: {} }], 'any');
          }),
        ),
      );
      const all = await a.readAll(0, { limit: 1000 });
      expect(all).toHaveLength(2 * 6 * 5);
      expect(all.map((e) => e.leafIndex)).toEqual(all.map((_, i) => i));
      expect(new Set(all.map((e) => e.id)).size).toBe(all.length);
      expect(await b.readAll(0, { limit: 1000 })).toEqual(all);
    });

    it('refuses appends to its own bookkeeping streams', async () => {
      const store = await EventStoreDbEventStore.open(url, { prefix: freshPrefix() });
      opened.push(store);
      await expect(store.appendToStream('ledger-sequence', [{ type: 'T', data: {}, meta: {} }], 'any')).rejects.toThrow(TypeError);
    });
  });
}
