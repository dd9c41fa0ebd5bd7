// A server that restarts loads its near-duplicate index from the filings read model, a page at a time, then from the
// log: filings of before the restart are found (a withdrawn one is not) on the embedded store and on PostgreSQL.
import { randomBytes } from 'node:crypto';
import { NearDuplicateService } from '../../src/settlement/near-duplicates.service.js';
import { filingBody, principal, startLedger, tempDir, type LedgerApp } from '../support/ledger-app.js';
import { dropSchema, freshSchema, skipWithoutDatabase, testDatabaseUrl } from '../support/pg-schema.js';
import type { AppConfig } from '../../src/config.js';
import { rmSync } from 'node:fs';

type Who = { id: string; key: string };
const phash = () => randomBytes(8).toString('hex');
/** `hex` with its first `bits` bits flipped: a near-duplicate at that Hamming distance. */
const flipped = (hex: string, bits: number) => {
  const chars = hex.split('').map((c) => parseInt(c, 16));
  for (let b = 0; b < bits; b++) chars[b >> 2] ^= 8 >> (b & 3);
  return chars.map((c) => c.toString(16)).join('');
};

function restartSuite(store: string, config: () => { overrides: Partial<AppConfig>; remove: () => Promise<void> }) {
  describe(`the near-duplicate index after a restart (${store})`, () => {
    it('finds the filings made before the restart, across pages of the read model, and leaves out a withdrawn one', async () => {
      const { overrides, remove } = config();
      let ledger: LedgerApp | undefined;
      try {
        ledger = await startLedger({ ...overrides, bootstrapAdminKey: `slk_${'k'.repeat(43)}` });
        const alice = await principal(ledger, 'Alice', ['creator']);
        const bob = await principal(ledger, 'Bob', ['creator']);
        const carol = await principal(ledger, 'Carol', ['creator']);
        const file = async (l: LedgerApp, who: Who, hash?: string) => {
          const res = await l
            .http()
            .post('/v1/filings')
            .set('authorization', `Bearer ${who.key}`)
            .send(filingBody(hash === undefined ? {} : { perceptualHash: { scheme: 'phash64', value: hash } }));
          expect(res.status).toBe(201);
          return res.body as { filingId: string; leafIndex: number; right: { flags: string[] } };
        };
        const kept = [phash(), phash(), phash()];
        const gone = phash();
        const filed = [];
        for (const hash of kept) {
          filed.push(await file(ledger, alice, hash));
          await file(ledger, bob); // rows without a hash between them
        }
        const withdrawn = await file(ledger, bob, gone);
        const res = await ledger
          .http()
          .post(`/v1/filings/${withdrawn.filingId}/withdraw`)
          .set('authorization', `Bearer ${bob.key}`)
          .send({});
        expect(res.status).toBe(200);
        await ledger.close();

        ledger = await startLedger({ ...overrides, bootstrapAdminKey: `slk_${'k'.repeat(43)}` });
        ledger.app.get(NearDuplicateService).loadPage = 2; // seven rows: four pages
        for (const [i, hash] of kept.entries()) {
          const copy = await file(ledger, carol, flipped(hash, 3));
          expect(copy.right.flags).toEqual(['similarityReview']);
          const events = (await ledger.http().get(`/v1/filings/${copy.filingId}/history`).set('authorization', `Bearer ${carol.key}`)).body
            .events as Array<{ type: string; data: { candidates?: Array<{ filingId: string; distance: number }> } }>;
          expect(events.find((e) => e.type === 'NearDuplicatesFound')?.data.candidates).toEqual([
            expect.objectContaining({ filingId: filed[i].filingId, distance: 3 }),
          ]);
        }
        expect((await file(ledger, carol, flipped(gone, 1))).right.flags).toEqual([]);
      } finally {
        await ledger?.close();
        await remove();
      }
    });
  });
}

restartSuite('SQLite', () => {
  const dataDir = tempDir();
  return { overrides: { dataDir }, remove: async () => rmSync(dataDir, { recursive: true, force: true }) };
});

if (testDatabaseUrl) {
  restartSuite('PostgreSQL', () => {
    const databaseSchema = freshSchema('test_neardup');
    const dataDir = tempDir(); // the log's keys
    return {
      overrides: { store: 'postgres', databaseUrl: testDatabaseUrl, databaseSchema, dataDir },
      remove: async () => {
        await dropSchema(databaseSchema);
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  });
} else skipWithoutDatabase('the near-duplicate index after a restart (PostgreSQL)');
