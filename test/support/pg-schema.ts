// Fresh PostgreSQL schemas for tests that run on TEST_DATABASE_URL, and the one skip notice when it is unset.
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export const testDatabaseUrl = process.env.TEST_DATABASE_URL || undefined;

export const freshSchema = (prefix = 'test_ledger') => `${prefix}_${randomBytes(6).toString('hex')}`;

export async function dropSchema(schema: string, url = testDatabaseUrl): Promise<void> {
  if (!url) return;
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}

/** Straight to stderr: jest drops buffered console output of a suite whose tests are all skipped. */
export function skipWithoutDatabase(suite: string): void {
  process.stderr.write(`\nSKIPPED: ${suite}: TEST_DATABASE_URL is not set (e.g. postgres://postgres@127.0.0.1:5432/test)\n`);
  describe(suite, () => {
    it.skip('skipped: TEST_DATABASE_URL is not set', () => undefined);
  });
}
