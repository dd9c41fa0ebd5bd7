// A right's row keeps the next instant at which the rules change it by time alone (a deadline: labels due, the quiet
// period's end, an appeal window's close, the term's end), so that a settlement brings up to date every row whose
// deadline has passed, not only those whose status or holder it records as changed. TypeORM's portable API: SQLite and
// PostgreSQL.
import { TableColumn, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';
import { tableNamed } from '../keyed-read.js';

const TABLE = 'rights';

export class RightChangesAt1799600000000 implements MigrationInterface {
  name = 'RightChangesAt1799600000000';

  async up(q: QueryRunner): Promise<void> {
    await q.addColumn(TABLE, new TableColumn({ name: 'changesAt', type: 'varchar', length: '32', isNullable: true }));
    // Unique with the filing id (which is): a rebuild keeps unique indexes, and each settlement it replays reads by this one.
    await q.createIndex(TABLE, new TableIndex({ columnNames: ['changesAt', 'filingId'], isUnique: true }));
    // Rows written before: the earliest deadline each row names after its asOf (labels due, the quiet period's end, the
    // term's end, the appeal window of a decision against it), computed here rather than by a settlement recomputing
    // every right in one batch. A deadline this misses (a fact dated after its row) leaves the row as it was before.
    const driver = q.connection.driver;
    const c = (column: string) => driver.escape(column);
    const rows = (await q.query(
      `SELECT ${['filingId', 'asOf', 'labelDueAt', 'quietUntil', 'expiresAt'].map(c).join(', ')} FROM ${tableNamed(driver, TABLE)}
       WHERE ${c('status')} NOT IN ('revoked', 'transferred', 'withdrawn', 'expired')`,
    )) as Array<{ filingId: string; asOf: string; labelDueAt: string; quietUntil: string; expiresAt: string | null }>;
    const windows = (await q.query(
      `SELECT ${c('filingId')}, ${c('appealUntil')} FROM ${tableNamed(driver, 'disputes')} WHERE ${c('status')} = 'decided' AND ${c('appealUntil')} IS NOT NULL`,
    )) as Array<{ filingId: string; appealUntil: string }>;
    const appeals = new Map<string, string[]>();
    for (const w of windows) appeals.set(w.filingId, [...(appeals.get(w.filingId) ?? []), w.appealUntil]);
    for (const r of rows) {
      const ahead = [r.labelDueAt, r.quietUntil, r.expiresAt, ...(appeals.get(r.filingId) ?? [])].filter(
        (t): t is string => t !== null && t > r.asOf,
      );
      if (ahead.length === 0) continue;
      const [text, parameters] = driver.escapeQueryWithParameters(
        `UPDATE ${tableNamed(driver, TABLE)} SET ${c('changesAt')} = :at WHERE ${c('filingId')} = :id`,
        { at: ahead.sort()[0], id: r.filingId },
      );
      await q.query(text, parameters);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropIndex(TABLE, new TableIndex({ columnNames: ['changesAt', 'filingId'], isUnique: true }));
    await q.dropColumn(TABLE, 'changesAt');
  }
}
