// The rights read model over a batch that names more filings and creators than one SQL statement binds (SQLite takes
// 32,766 parameters): a rebuild applies 50,000 events at a time, and a ledger with many creators fills a batch with
// theirs. The runner, the projections, the event store and the read models are the real ones, on SQLite.
import 'reflect-metadata';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DataSource } from 'typeorm';
import { PrincipalsProjection } from '../../src/auth/principals.projection.js';
import { loadConfig } from '../../src/config.js';
import { DisputesProjection } from '../../src/disputes/disputes.projection.js';
import { FilingsProjection } from '../../src/filing/filings.projection.js';
import { LabelsProjection } from '../../src/labeling/labels.projection.js';
import { SqliteEventStore } from '../../src/ledger/event-store/sqlite-event-store.js';
import { ProjectionRunner } from '../../src/ledger/read-models/projection-runner.js';
import { openReadModels, readModelOptions } from '../../src/ledger/read-models/read-store.js';
import { RightView } from '../../src/settlement/right-view.entity.js';
import { RightsProjection } from '../../src/settlement/rights.projection.js';
import { day, fileComplaint, fileWork } from '../support/ledger-commands.js';
import type { LogEntry, LoggedEvent } from '../support/projection-spec.js';
import { ALL_READ_MODEL_ENTITIES } from '../support/read-models.js';

describe('the rights read model', () => {
  let dir: string;
  let store: SqliteEventStore;
  let db: DataSource;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ledger-rights-'));
    store = SqliteEventStore.open(join(dir, 'events.sqlite'), { synchronous: 'NORMAL' });
    db = await openReadModels(readModelOptions(loadConfig({}, { dataDir: dir }), ALL_READ_MODEL_ENTITIES));
  });

  afterAll(async () => {
    await db?.destroy();
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('takes a batch of 17,000 filings by as many creators, and finds the complaint against the last of them', async () => {
    const filings = 17_000;
    const log: LoggedEvent[] = [];
    for (let i = 0; i < filings; i++) log.push(...fileWork(`f-${i}`, `creator-${i}`, day(0))([])); // each on streams of its own
    const last = `f-${filings - 1}`;
    const target: LogEntry[] = log.filter((e) => e.data.filingId === last).map((e, leafIndex) => ({ ...e, leafIndex }));
    log.push(...fileComplaint('d-1', last, 'complainant', day(1))(target));
    await store.appendMulti(
      log.map((e) => ({ stream: e.stream, expectedRevision: 'any' as const, events: [{ type: e.type, data: e.data, meta: {} }] })),
    );
    expect(await store.count()).toBe(2 * filings + 1);

    const runner = new ProjectionRunner(store, db, [
      new FilingsProjection(store),
      new LabelsProjection(),
      new DisputesProjection(),
      new RightsProjection(store),
      new PrincipalsProjection(),
    ]);
    try {
      await runner.rebuild(); // one batch: 34,001 events, 17,000 filings and creators
    } finally {
      runner.stop(); // no retry after a failed batch
    }
    expect(runner.position).toBe(2 * filings + 1);
    // The rebuild's WAL is brought back to nothing at its end, the checkpoint thread's checkpoints notwithstanding.
    expect(statSync(join(dir, 'read-models.sqlite-wal')).size).toBe(0);

    const rights = db.getRepository(RightView);
    expect(await rights.count()).toBe(filings);
    expect(await rights.findOneByOrFail({ filingId: last })).toMatchObject({ creator: `creator-${filings - 1}`, disputed: true });
    expect(await rights.countBy({ disputed: true })).toBe(1);
  });
});
