// Given / when / then for read-model projections: events appended to a real SQLite event store, applied by the real
// projection runner to a real SQLite read-model database, rows read back.
import 'reflect-metadata';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DataSource, EntityTarget, ObjectLiteral } from 'typeorm';
import { ApiKeyView, PrincipalView } from '../../src/auth/principal-view.entity.js';
import { loadConfig } from '../../src/config.js';
import { DisputeView } from '../../src/disputes/dispute-view.entity.js';
import { CopyView } from '../../src/filing/copy-view.entity.js';
import { FilingView } from '../../src/filing/filing-view.entity.js';
import type { EventStore } from '../../src/ledger/event-store/event-store.port.js';
import { SqliteEventStore } from '../../src/ledger/event-store/sqlite-event-store.js';
import type { Projection } from '../../src/ledger/read-models/projection.js';
import { ProjectionRunner } from '../../src/ledger/read-models/projection-runner.js';
import { openReadModels, readModelOptions } from '../../src/ledger/read-models/read-store.js';
import { RightView } from '../../src/settlement/right-view.entity.js';
import type { EventEnvelope, JsonObject } from '../../src/verifier/envelope.js';
import { ALL_READ_MODEL_ENTITIES } from './read-models.js';

/** An event to append, on its stream. */
export interface LoggedEvent {
  stream: string;
  type: string;
  data: JsonObject;
}
/** An event of the log as a command sees it before deciding: what was appended before it, in log order. */
export interface LogEntry extends LoggedEvent {
  leafIndex: number;
}
/**
 * What a step appends: events as they are, or a command decided against the log up to that point (as a handler reads
 * its stream before deciding), which may give several events.
 */
export type Entry = LoggedEvent | readonly LoggedEvent[] | Command;
export type Command = (log: readonly LogEntry[]) => LoggedEvent[];

/** Every read-model table, its rows in primary-key order. */
export interface ReadModelRows {
  filings: FilingView[];
  principals: PrincipalView[];
  api_keys: ApiKeyView[];
  disputes: DisputeView[];
  rights: RightView[];
  copies: CopyView[];
}

const TABLES: { [T in keyof ReadModelRows]: [EntityTarget<ObjectLiteral>, string] } = {
  filings: [FilingView, 'filingId'],
  principals: [PrincipalView, 'principalId'],
  api_keys: [ApiKeyView, 'keyId'],
  disputes: [DisputeView, 'disputeId'],
  rights: [RightView, 'filingId'],
  copies: [CopyView, 'leafIndex'],
};

/** The rows a scenario expects, table by table (a table left out is not checked); each row lists only the columns that matter. */
export type ExpectedRows = { [T in keyof ReadModelRows]?: Array<Partial<ReadModelRows[T][number]>> };

export interface Outcome {
  rows: ReadModelRows;
  /** Every event of the log, as stored (leafIndex, hash, recordedAt). */
  log: EventEnvelope[];
}

type Step = { entries: Entry[]; restart: boolean };

/** More events than any scenario appends. */
const WHOLE_LOG = { limit: 100_000 };

/** The projections under test, built afresh for each runner over the event store they may read. */
export type ProjectionFactory = (store: EventStore) => Projection[];

/**
 * Scenarios over these projections. Each `given` or `when` is one commit to the event store, applied by the runner as
 * one batch; `then` checks the rows, then that a replay of the whole log into empty read models gives the same rows
 * whether it applies the log in one batch or one event per batch, then `invariant`, which every scenario's rows satisfy.
 */
export function projectionSpec(projections: ProjectionFactory, invariant: (outcome: Outcome) => void = () => {}) {
  return {
    given: (...entries: Entry[]) => new Scenario(projections, invariant).given(...entries),
    when: (...entries: Entry[]) => new Scenario(projections, invariant).when(...entries),
  };
}

export class Scenario {
  private readonly steps: Step[] = [];
  private restartNext = false;

  constructor(
    private readonly projections: ProjectionFactory,
    private readonly invariant: (outcome: Outcome) => void,
  ) {}

  /** History: appended in one commit and applied as one batch. */
  given(...entries: Entry[]): this {
    return this.step(entries);
  }

  /** The events under test: appended in one commit and applied as one batch after those before. */
  when(...entries: Entry[]): this {
    return this.step(entries);
  }

  /** The next step is applied by a new runner with new projection instances on the same read models (a process restart). */
  afterRestart(): this {
    this.restartNext = true;
    return this;
  }

  /** Runs the scenario, checks the rows and the replays, and returns the rows and the log for further checks. */
  async then(expected: ExpectedRows): Promise<Outcome> {
    // `await scenario` without `.then(rows)` would land here with the promise's callbacks.
    if (typeof expected === 'function') throw new TypeError('end a projection scenario with .then(rows)');
    const dir = mkdtempSync(join(tmpdir(), 'ledger-projection-'));
    const store = SqliteEventStore.open(join(dir, 'events.sqlite'), { synchronous: 'NORMAL' });
    const opened: DataSource[] = [];
    const runners: ProjectionRunner[] = [];
    const runner = async (db: DataSource, batchSize?: number) => {
      const started = new ProjectionRunner(store, db, this.projections(store), batchSize);
      runners.push(started);
      await started.start();
      return started;
    };
    try {
      const db = await readModels(join(dir, 'read-models'), opened);
      let current = await runner(db);
      for (const step of this.steps) {
        if (step.restart) {
          current.stop();
          current = await runner(db);
        }
        await append(store, step.entries);
        await current.catchUp();
        expect(current.position).toBe(await store.count());
      }
      const rows = await readRows(db);
      const checked = Object.fromEntries(Object.keys(expected).map((t) => [t, rows[t as keyof ReadModelRows]]));
      expect(checked).toMatchObject(expected);
      for (const batchSize of [undefined, 1]) {
        const replayDb = await readModels(join(dir, `replay-${batchSize ?? 'whole'}`), opened);
        await runner(replayDb, batchSize);
        const replayed = await readRows(replayDb);
        try {
          expect(replayed).toEqual(rows);
        } catch (err) {
          const how = batchSize ? `in batches of ${batchSize}` : 'in one batch';
          (err as Error).message = `the log replayed ${how} gives other rows:\n${(err as Error).message}`;
          throw err;
        }
      }
      const outcome = { rows, log: await store.readAll(0, WHOLE_LOG) };
      this.invariant(outcome);
      return outcome;
    } finally {
      for (const r of runners) r.stop();
      for (const db of opened) await db.destroy();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }

  private step(entries: Entry[]): this {
    this.steps.push({ entries, restart: this.restartNext });
    this.restartNext = false;
    return this;
  }
}

async function readModels(dataDir: string, opened: DataSource[]): Promise<DataSource> {
  mkdirSync(dataDir, { recursive: true });
  const db = await openReadModels(readModelOptions(loadConfig({}, { dataDir }), ALL_READ_MODEL_ENTITIES));
  opened.push(db);
  return db;
}

/** Decides the step's commands in order against the log so far, then appends every event in one commit. */
async function append(store: EventStore, entries: Entry[]): Promise<void> {
  const log: LogEntry[] = (await store.readAll(0, WHOLE_LOG)).map((e) => ({
    stream: e.stream,
    type: e.type,
    data: e.data,
    leafIndex: e.leafIndex,
  }));
  const before = log.length;
  for (const entry of entries) {
    const events = typeof entry === 'function' ? entry(log) : Array.isArray(entry) ? entry : [entry as LoggedEvent];
    for (const e of events) log.push({ ...e, leafIndex: log.length });
  }
  const appended = log.slice(before);
  if (appended.length === 0) return;
  await store.appendMulti(
    appended.map((e) => ({
      stream: e.stream,
      expectedRevision: 'any' as const,
      events: [{ type: e.type, data: e.data, meta: {} }],
    })),
  );
}

async function readRows(db: DataSource): Promise<ReadModelRows> {
  const rows = {} as Record<string, unknown[]>;
  for (const [table, [entity, key]] of Object.entries(TABLES)) {
    rows[table] = await db.getRepository(entity).find({ order: { [key]: 'ASC' } });
  }
  return rows as unknown as ReadModelRows;
}
