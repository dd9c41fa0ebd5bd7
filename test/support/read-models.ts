// The read models of a SQLite data dir as plain data, to compare a resumed projection with a full rebuild.
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { ApiKeyView, PrincipalView } from '../../src/auth/principal-view.entity.js';
import { DisputeView } from '../../src/disputes/dispute-view.entity.js';
import { CopyView } from '../../src/filing/copy-view.entity.js';
import { FilingView } from '../../src/filing/filing-view.entity.js';
import { LEDGER_ENTITIES } from '../../src/ledger/read-models/read-store.js';
import { RightView } from '../../src/settlement/right-view.entity.js';

/** Every read-model entity the application registers (the ledger's own and each domain module's). */
export const ALL_READ_MODEL_ENTITIES = [...LEDGER_ENTITIES, FilingView, CopyView, PrincipalView, ApiKeyView, DisputeView, RightView];

/** Every table but the migration bookkeeping, rows as JSON sorted, so the order of insertion does not matter. */
export function dumpReadModels(dataDir: string): Record<string, string[]> {
  const db = new Database(join(dataDir, 'read-models.sqlite'), { readonly: true, fileMustExist: true });
  try {
    const tables = db
      .prepare(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT IN ('migrations', 'typeorm_metadata') ORDER BY name",
      )
      .pluck()
      .all() as string[];
    return Object.fromEntries(
      tables.map((t) => [t, (db.prepare(`SELECT * FROM "${t}"`).all() as unknown[]).map((r) => JSON.stringify(r)).sort()]),
    );
  } finally {
    db.close();
  }
}
