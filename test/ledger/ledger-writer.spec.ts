// The writer's retries on a real SQLite store that admits what the server admits: an attempt that reads the time it
// states anew is tried again when its commit came too long after that time; one that does not is refused at once.
import { CommitClock } from '../../src/ledger/event-store/append-planning.js';
import { admitLedgerEvent, InadmissibleEventError, StaleTimeError } from '../../src/ledger/event-store/event-admission.js';
import { SqliteEventStore } from '../../src/ledger/event-store/sqlite-event-store.js';
import { LedgerWriter } from '../../src/ledger/write/ledger-writer.js';
import { workFiledData } from '../verifier/fixture.js';

const MINUTE = 60_000;

describe('LedgerWriter.retrying, on a store that admits only what verify takes', () => {
  let now: number;
  let clock: CommitClock;
  let store: SqliteEventStore;
  let writer: LedgerWriter;
  beforeEach(() => {
    now = Date.UTC(2026, 5, 1, 12);
    clock = new CommitClock(() => now);
    store = SqliteEventStore.open(':memory:', { clock, admit: admitLedgerEvent });
    writer = new LedgerWriter(store);
  });
  afterEach(() => store.close());

  /** Files a work stating the time the clock gives when the attempt starts; the first `stalls` attempts stall 11 minutes. */
  const filing = (id: string, stalls: number) => {
    let attempts = 0;
    const attempt = async () => {
      attempts++;
      const filedAt = clock.current().toISOString();
      if (attempts <= stalls) now += 11 * MINUTE;
      const events = [{ type: 'WorkFiled', data: workFiledData(id, filedAt), meta: { actor: 'user-1' } }];
      return writer.append([{ stream: `filing-${id}`, expectedRevision: 'no-stream', events }]);
    };
    return { attempt, attempts: () => attempts };
  };

  it('tries again an attempt that reads its time anew, and commits it stating the new time', async () => {
    const f = filing('01900000-0000-7000-8000-000000000001', 1);
    const result = await writer.retrying(2, f.attempt, true);
    expect(f.attempts()).toBe(2);
    expect(result.events[0].data.filedAt).toBe(new Date(now).toISOString());
    expect(await store.count()).toBe(1);
  });

  it('without readsTime, does not try a stale commit again, and nothing is appended', async () => {
    const f = filing('01900000-0000-7000-8000-000000000002', 1);
    await expect(writer.retrying(2, f.attempt)).rejects.toBeInstanceOf(StaleTimeError);
    expect(f.attempts()).toBe(1);
    expect(await store.count()).toBe(0);
  });

  it('gives up once its retries are spent', async () => {
    const f = filing('01900000-0000-7000-8000-000000000003', 3);
    await expect(writer.retrying(2, f.attempt, true)).rejects.toMatchObject({ code: 'stale-time' });
    expect(f.attempts()).toBe(3);
    expect(await store.count()).toBe(0);
  });

  it('refuses a commit whose recordedAt verify cannot read (a clock past the year 9999), and nothing is appended', async () => {
    now = Date.UTC(10000, 0, 1);
    const f = filing('01900000-0000-7000-8000-000000000004', 0);
    const refusal = writer.retrying(2, f.attempt, true);
    await expect(refusal).rejects.toBeInstanceOf(InadmissibleEventError);
    await expect(refusal).rejects.toThrow('recordedAt "+010000-01-01T00:00:00.000Z" is not an ISO-8601 UTC time');
    expect(f.attempts()).toBe(1);
    expect(await store.count()).toBe(0);
  });
});
