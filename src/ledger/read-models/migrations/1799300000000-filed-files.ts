// A work filed with its file shows what the ledger found in it: type, size, perceptual hash, provenance, AI signals.
import { TableColumn, type MigrationInterface, type QueryRunner } from 'typeorm';

export class FiledFiles1799300000000 implements MigrationInterface {
  name = 'FiledFiles1799300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.addColumn('filings', new TableColumn({ name: 'file', type: 'text', isNullable: true }));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropColumn('filings', 'file');
  }
}
