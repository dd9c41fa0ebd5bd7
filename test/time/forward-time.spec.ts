// Time in the log only moves forward: the commit clock never steps back, and the verifier names the leaf or checkpoint that does.
import { signCheckpoint } from '../../src/verifier/checkpoint.js';
import type { EventEnvelope } from '../../src/verifier/envelope.js';
import { verifyExport } from '../../src/verifier/export-verifier.js';
import { CommitClock } from '../../src/ledger/event-store/append-planning.js';
import { SqliteEventStore } from '../../src/ledger/event-store/sqlite-event-store.js';
import { observeLogTime } from '../../src/ledger/ledger-clock.js';
import { eventTimeFault } from '../../src/verifier/event-time.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rootFromLeafHashes } from '../support/merkle-tree.js';
import { amendment, buildLog, rechain, leafHashesOf, ndjson, newSigner, ORIGIN, sampleLog } from '../verifier/fixture.js';

const signer = newSigner();
const log = sampleLog();
const T0 = Date.UTC(2026, 0, 1) / 1000;

const checkpointAt = (events: EventEnvelope[], size: number, time: number) =>
  signCheckpoint(
    { origin: ORIGIN, treeSize: size, rootHash: rootFromLeafHashes(leafHashesOf(events.slice(0, size))), time },
    signer.key.secretKey,
  );

describe('CommitClock', () => {
  it('never goes back when the system clock steps back, nor behind the previous event', () => {
    let now = 10_000;
    const clock = new CommitClock(() => now);
    expect(clock.next()).toBe(10_000);
    now = 9_000; // the clock steps back a second
    expect(clock.next()).toBe(10_000);
    now = 10_500;
    expect(clock.next()).toBe(10_500);
    expect(clock.next(new Date(20_000).toISOString())).toBe(20_000);
    now = 30_000;
    expect(clock.next(new Date(20_000).toISOString())).toBe(30_000);
  });

  it('gives a store that sees a clock step back the previous time, and a new store the last stored time', async () => {
    let now = Date.UTC(2026, 5, 1, 12, 0, 10);
    const store = SqliteEventStore.open(':memory:', { clock: new CommitClock(() => now) });
    const first = await store.appendToStream('s', [{ type: 'T', data: {}, meta: {} }], 'any');
    now -= 60_000;
    const second = await store.appendToStream('s', [{ type: 'T', data: {}, meta: {} }], 'any');
    expect(second.events[0].recordedAt).toBe(first.events[0].recordedAt);
    await store.close();
  });
});

describe("the time a command states, by the commit clock (the server's ledgerNow)", () => {
  const MINUTE = 60_000;
  /** A filing decided at the clock's current time and committed by it, as a server does: its fault, if any. */
  async function fileAndCommit(store: SqliteEventStore, clock: CommitClock, id: string) {
    const filedAt = clock.current().toISOString();
    const { events } = await store.appendToStream(
      `filing-${id}`,
      [{ type: 'WorkFiled', data: { filingId: id, filedAt }, meta: {} }],
      'no-stream',
    );
    return eventTimeFault(events[0], Date.parse(events[0].recordedAt));
  }

  it('is never earlier than a time the clock gave or saw, so a step back of the system clock does not part it from its commit', async () => {
    let now = Date.UTC(2026, 5, 1, 12);
    const clock = new CommitClock(() => now);
    const store = SqliteEventStore.open(':memory:', { clock });
    try {
      expect(await fileAndCommit(store, clock, 'a')).toBeUndefined();
      now -= 20 * MINUTE; // NTP steps the system clock back 20 minutes
      expect(clock.current().getTime()).toBe(Date.UTC(2026, 5, 1, 12));
      expect(await fileAndCommit(store, clock, 'b')).toBeUndefined();
      // The system clock read as such would have stated a time 20 minutes before the commit: verify refuses that.
      const { events } = await store.appendToStream(
        'filing-c',
        [{ type: 'WorkFiled', data: { filingId: 'c', filedAt: new Date(now).toISOString() }, meta: {} }],
        'no-stream',
      );
      expect(eventTimeFault(events[0], Date.parse(events[0].recordedAt))).toMatchObject({ problem: 'before' });
    } finally {
      await store.close();
    }
  });

  it("learns the log's last time when a store opens (observeLogTime) and as the log is read, so a restart behind it or another instance ahead does not part them", async () => {
    let ahead = Date.UTC(2026, 5, 1, 12, 30);
    const dir = mkdtempSync(join(tmpdir(), 'ledger-clock-'));
    try {
      // An instance whose clock is 30 minutes ahead wrote the log's last events.
      const other = SqliteEventStore.open(join(dir, 'events.sqlite'), { clock: new CommitClock(() => ahead++) });
      await other.appendToStream('s', [{ type: 'T', data: {}, meta: {} }], 'any');
      await other.close();
      const behind = new CommitClock(() => Date.UTC(2026, 5, 1, 12));
      const store = SqliteEventStore.open(join(dir, 'events.sqlite'), { clock: behind });
      try {
        expect(await fileAndCommit(store, behind, 'without')).toMatchObject({ problem: 'before' });
        await observeLogTime(store, behind);
        expect(behind.current().toISOString()).toBe((await store.readAll(1, { limit: 1 }))[0].recordedAt);
        expect(await fileAndCommit(store, behind, 'with')).toBeUndefined();
      } finally {
        await store.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the verifier checks that time moves forward', () => {
  it('accepts the honest log', () => {
    expect(verifyExport(ndjson(log), [checkpointAt(log, 12, T0 + 12)], signer.vkey)).toMatchObject({ ok: true });
  });

  it('names the leaf a backdated, re-hashed and re-signed filing lands on', () => {
    const events = structuredClone(log);
    events[7].recordedAt = new Date(Date.parse(events[6].recordedAt) - 60_000).toISOString();
    const forged = rechain(events, 7);
    const result = verifyExport(ndjson(forged), [checkpointAt(forged, 12, T0 + 12)], signer.vkey);
    expect(result).toMatchObject({ ok: false, leafIndex: 7 });
    expect((result as { reason: string }).reason).toMatch(
      /^recordedAt 2025-12-31T23:59:06.000Z is earlier than leaf 6's 2026-01-01T00:00:06.000Z/,
    );
  });

  it('refuses a recordedAt that is not an ISO-8601 UTC time', () => {
    const events = structuredClone(log);
    events[3].recordedAt = 'yesterday';
    expect(verifyExport(ndjson(rechain(events, 3)), [], signer.vkey)).toMatchObject({ ok: false, leafIndex: 3 });
  });

  it('refuses a checkpoint older than the leaves it covers', () => {
    const result = verifyExport(ndjson(log), [checkpointAt(log, 12, T0 + 5)], signer.vkey);
    expect(result).toMatchObject({ ok: false, leafIndex: null });
    expect((result as { reason: string }).reason).toMatch(
      /^checkpoint of size 12 has time \d+ \(2026-01-01T00:00:05Z\), earlier than leaf 11 it covers/,
    );
  });

  it('refuses a checkpoint older than a smaller checkpoint', () => {
    const result = verifyExport(ndjson(log), [checkpointAt(log, 5, T0 + 100), checkpointAt(log, 12, T0 + 50)], signer.vkey);
    expect(result).toMatchObject({ ok: false, leafIndex: null });
    expect((result as { reason: string }).reason).toMatch(/^checkpoint of size 12 .* earlier than the checkpoint of size 5/);
  });

  it('accepts a checkpoint in the same second as its last leaf', () => {
    const events = buildLog([amendment('a', 1)]);
    events[0].recordedAt = '2026-01-01T00:00:00.999Z';
    const [e] = rechain(events, 0);
    expect(verifyExport(ndjson([e]), [checkpointAt([e], 1, T0)], signer.vkey)).toMatchObject({ ok: true });
  });
});
