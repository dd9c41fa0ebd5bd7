// Group commit in the SQLite store: the appends of one event-loop turn share one transaction and one fsync,
// yet each keeps its own expectation check, its own failure and its own durability.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import Database from 'better-sqlite3';
import canonicalize from 'canonicalize';
import { ConcurrencyError, type NewEvent } from '../../src/ledger/event-store/event-store.port.js';
import { SqliteEventStore } from '../../src/ledger/event-store/sqlite-event-store.js';
import type { EventEnvelope } from '../../src/verifier/envelope.js';

const ROOT = path.join(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '..', '..');
const ZERO = '0'.repeat(64);

const ev = (type: string, n = 0): NewEvent => ({ type, data: { n }, meta: { actor: 'p-1' } });

function independentHash(e: EventEnvelope): string {
  const { v, id, stream, revision, type, data, meta, recordedAt, prevHash } = e;
  return createHash('sha256')
    .update(canonicalize({ v, id, stream, revision, type, data, meta, recordedAt, prevHash })!, 'utf8')
    .digest('hex');
}

/** Positions 0..n-1, and every stream's revisions 0..k with hashes that recompute and chain. */
function expectWholeLog(all: EventEnvelope[]): Map<string, EventEnvelope[]> {
  expect(all.map((e) => e.leafIndex)).toEqual(all.map((_, i) => i));
  const streams = new Map<string, EventEnvelope[]>();
  for (const e of all) streams.set(e.stream, [...(streams.get(e.stream) ?? []), e]);
  for (const events of streams.values()) {
    let prev = ZERO;
    events.forEach((e, i) => {
      expect(e.revision).toBe(i);
      expect(e.prevHash).toBe(prev);
      expect(e.hash).toBe(independentHash(e));
      prev = e.hash;
    });
  }
  return streams;
}

async function readEverything(store: SqliteEventStore): Promise<EventEnvelope[]> {
  const all: EventEnvelope[] = [];
  for (;;) {
    const page = await store.readAll(all.length, { limit: 5000 });
    if (page.length === 0) return all;
    all.push(...page);
  }
}

describe('SQLite group commit', () => {
  let dir: string;
  let file: string;
  const opened: SqliteEventStore[] = [];
  const open = (opts?: Parameters<typeof SqliteEventStore.open>[1]) => {
    const s = SqliteEventStore.open(file, opts);
    opened.push(s);
    return s;
  };

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ledger-group-'));
    file = path.join(dir, 'events.sqlite');
  });
  afterEach(async () => {
    for (const s of opened.splice(0)) await s.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('coalesces the appends of one turn into one commit; later appends in the batch see earlier ones', async () => {
    const store = open();
    const commits: number[] = [];
    store.subscribe((n) => commits.push(n));
    const calls = [
      store.appendToStream('s', [ev('A')], 'no-stream'), // creates s
      store.appendToStream('s', [ev('B')], 0), // sees A
      store.appendToStream('s', [ev('X')], 0), // stale: s is at 1 now
      store.appendToStream('s', [ev('C')], 'stream-exists'),
      store.appendToStream('t', [ev('X')], 'stream-exists'), // t does not exist
      store.appendMulti([
        { stream: 't', expectedRevision: 'no-stream', events: [ev('D'), ev('E')] },
        { stream: 's', expectedRevision: 2, events: [ev('F')] },
      ]),
      store.appendToStream('s', [ev('X')], 'no-stream'),
      store.appendToStream('t', [ev('G')], 1),
    ];
    const outcomes = await Promise.allSettled(calls);
    expect(outcomes.map((o) => o.status)).toEqual([
      'fulfilled',
      'fulfilled',
      'rejected',
      'fulfilled',
      'rejected',
      'fulfilled',
      'rejected',
      'fulfilled',
    ]);
    expect((outcomes[2] as PromiseRejectedResult).reason).toMatchObject({ name: 'ConcurrencyError', stream: 's', expected: 0, actual: 1 });
    expect((outcomes[4] as PromiseRejectedResult).reason).toMatchObject({
      name: 'ConcurrencyError',
      stream: 't',
      expected: 'stream-exists',
      actual: -1,
    });
    expect((outcomes[6] as PromiseRejectedResult).reason).toMatchObject({
      name: 'ConcurrencyError',
      stream: 's',
      expected: 'no-stream',
      actual: 3,
    });
    expect(commits).toEqual([7]); // one commit for the whole turn
    const all = await store.readAll(0);
    expect(all.map((e) => e.type)).toEqual(['A', 'B', 'C', 'D', 'E', 'F', 'G']);
    const streams = expectWholeLog(all);
    expect(streams.get('s')!.map((e) => e.type)).toEqual(['A', 'B', 'C', 'F']);
    // Each resolved result is exactly what was stored, at the positions it names.
    const fulfilled = outcomes.flatMap((o) => (o.status === 'fulfilled' ? o.value.events : []));
    expect(fulfilled).toEqual(all);
  });

  it('200 concurrent commands, one in five with a wrong expectation: exactly those fail; positions contiguous; chains whole', async () => {
    const store = open();
    const streams = Array.from({ length: 40 }, (_, i) => `m-${i}`);
    await Promise.all(streams.map((s) => store.appendToStream(s, [ev('Init')], 'no-stream')));
    const revision = new Map(streams.map((s) => [s, 0]));
    const calls = Array.from({ length: 200 }, (_, i) => {
      const s = streams[(i * 7) % streams.length];
      const wrong = i % 5 === 3;
      const expected = wrong ? revision.get(s)! + 5 : revision.get(s)!;
      if (!wrong) revision.set(s, revision.get(s)! + (1 + (i % 2))); // in call order: each sees the ones before it
      return { s, wrong, expected, p: store.appendToStream(s, i % 2 ? [ev('One', i), ev('Two', i)] : [ev('One', i)], expected) };
    });
    const outcomes = await Promise.allSettled(calls.map((c) => c.p));
    outcomes.forEach((o, i) => {
      if (calls[i].wrong) {
        expect(o.status).toBe('rejected');
        expect((o as PromiseRejectedResult).reason).toBeInstanceOf(ConcurrencyError);
        expect((o as PromiseRejectedResult).reason).toMatchObject({ stream: calls[i].s, expected: calls[i].expected });
      } else expect(o.status).toBe('fulfilled');
    });
    const all = await store.readAll(0, { limit: 10_000 });
    expect(all).toHaveLength(40 + 160 * 1.5);
    const byStream = expectWholeLog(all);
    for (const s of streams) expect(byStream.get(s)!.at(-1)!.revision).toBe(revision.get(s));
  });

  it('a command that fails inside the batch (after inserting part of itself) is rolled back alone', async () => {
    const store = open();
    // Another connection installs a trigger that refuses one event type: the failure comes from SQLite, mid-command.
    const admin = new Database(file);
    admin.exec(`CREATE TRIGGER poison BEFORE INSERT ON events WHEN NEW.type = 'Poison' BEGIN SELECT RAISE(ABORT, 'poisoned'); END`);
    admin.close();
    const outcomes = await Promise.allSettled([
      store.appendToStream('p-1', [ev('A')], 'no-stream'),
      store.appendMulti([
        { stream: 'p-2', expectedRevision: 'no-stream', events: [ev('Fine'), ev('Fine')] }, // inserted, then rolled back
        { stream: 'p-3', expectedRevision: 'no-stream', events: [ev('Poison')] },
      ]),
      store.appendToStream('p-1', [ev('B')], 0),
      store.appendToStream('p-2', [ev('C')], 'no-stream'), // p-2 is still free: the failed command left no trace
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    expect(String((outcomes[1] as PromiseRejectedResult).reason)).toMatch(/poisoned/);
    const all = await store.readAll(0);
    expect(all.map((e) => [e.stream, e.type, e.leafIndex])).toEqual([
      ['p-1', 'A', 0],
      ['p-1', 'B', 1],
      ['p-2', 'C', 2],
    ]);
    expectWholeLog(all);
  });

  it('when SQLite rolls the whole transaction back, every command of the batch fails and nothing is stored; the store goes on', async () => {
    const store = open();
    await store.appendToStream('r-0', [ev('Before')], 'no-stream');
    const admin = new Database(file);
    admin.exec(`CREATE TRIGGER doom BEFORE INSERT ON events WHEN NEW.type = 'Doom' BEGIN SELECT RAISE(ROLLBACK, 'doomed'); END`);
    const outcomes = await Promise.allSettled([
      store.appendToStream('r-1', [ev('A')], 'no-stream'),
      store.appendToStream('r-2', [ev('Doom')], 'no-stream'),
      store.appendToStream('r-3', [ev('B')], 'no-stream'),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected', 'rejected']);
    expect(await store.count()).toBe(1);
    admin.exec('DROP TRIGGER doom');
    admin.close();
    const r = await store.appendToStream('r-1', [ev('After')], 'no-stream');
    expect(r.lastPosition).toBe(1);
    expectWholeLog(await store.readAll(0));
  });

  it('caps a commit at maxBatch commands and writes the rest in the next turn', async () => {
    const store = open({ maxBatch: 10 });
    const commits: number[] = [];
    store.subscribe((n) => commits.push(n));
    await Promise.all(Array.from({ length: 35 }, (_, i) => store.appendToStream(`cap-${i}`, [ev('C')], 'no-stream')));
    expect(commits).toEqual([10, 20, 30, 35]);
    expectWholeLog(await store.readAll(0));
  });

  it("serialises data when the append is called: later changes to the caller's objects do not reach the log", async () => {
    const store = open();
    const data = { title: 'as given' };
    const p = store.appendToStream('snap', [{ type: 'T', data, meta: {} }], 'no-stream');
    data.title = 'changed before the commit';
    expect((await p).events[0].data).toEqual({ title: 'as given' });
    expect((await store.readStream('snap'))[0].data).toEqual({ title: 'as given' });
  });

  it('close() commits the appends already queued and refuses later ones', async () => {
    const store = open();
    const queued = store.appendToStream('late', [ev('Q')], 'no-stream');
    await store.close();
    await expect(queued).resolves.toMatchObject({ lastPosition: 0 });
    await expect(store.appendToStream('later', [ev('Q')], 'no-stream')).rejects.toThrow(/closed/);
    const again = open();
    expect((await again.readStream('late')).map((e) => e.type)).toEqual(['Q']);
  });

  it('a crash mid-batch leaves only whole commands, and every acknowledged command is there', async () => {
    const child = path.join(ROOT, 'test', 'ledger', 'group-commit-child.mjs');
    if (!fs.existsSync(path.join(ROOT, 'dist', 'ledger', 'event-store', 'sqlite-event-store.js')))
      throw new Error('dist/ is missing: run `npm run build` (npm test builds it first)');
    const acked = new Map<number, Array<{ leafIndex: number; stream: string; hash: string }>>();
    for (let cycle = 0; cycle < 3; cycle++) {
      const proc = spawn(process.execPath, [child, file, String(cycle * 1_000_000)], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
      let buffered = '';
      let stderr = '';
      const enough = 400 + cycle * 300; // commands acknowledged in this cycle before the kill
      let seen = 0;
      const exited = new Promise<NodeJS.Signals | null>((resolve) => proc.on('exit', (_code, signal) => resolve(signal)));
      await new Promise<void>((resolve, reject) => {
        proc.stderr.on('data', (d) => {
          stderr += d;
        });
        proc.on('exit', () => reject(new Error(`child exited before the kill: ${stderr}`)));
        proc.stdout.on('data', (d: Buffer) => {
          buffered += d.toString();
          const lines = buffered.split('\n');
          buffered = lines.pop()!;
          for (const line of lines) {
            const { cmd, events } = JSON.parse(line);
            acked.set(cmd, events);
            seen++;
          }
          if (seen >= enough && proc.exitCode === null && !proc.killed) {
            proc.kill('SIGKILL'); // lands while the next rounds are being planned, written or fsynced
            resolve();
          }
        });
      });
      expect(await exited).toBe('SIGKILL');

      const store = open();
      const all = await readEverything(store);
      const streams = expectWholeLog(all);
      expect([...streams.keys()].filter((s) => s.startsWith('never-'))).toEqual([]);
      // Whole commands only: each command's three events are all stored, or none is.
      const parts = new Map<number, number>();
      for (const e of all) parts.set(e.data.cmd as number, (parts.get(e.data.cmd as number) ?? 0) + 1);
      for (const [cmd, n] of parts) expect([cmd, n]).toEqual([cmd, 3]);
      // Durable once acknowledged: every printed command is stored exactly where and as it was reported.
      const byIndex = new Map(all.map((e) => [e.leafIndex, e]));
      for (const events of acked.values()) {
        for (const e of events) expect(byIndex.get(e.leafIndex)).toMatchObject({ stream: e.stream, hash: e.hash });
      }
      await store.close();
      opened.splice(opened.indexOf(store), 1);
    }
    expect(acked.size).toBeGreaterThanOrEqual(400 + 700 + 1000);
  });
});
