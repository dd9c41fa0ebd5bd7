// Two real app instances on one PostgreSQL schema (two processes' worth of pools, locks and timers): a global
// order without gaps under concurrent writers, one log sequencer, followers that serve proofs and receipts,
// and a takeover when the sequencer goes away. Skipped, with a notice, when TEST_DATABASE_URL is unset.
import { jest } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { MERKLE_LOG } from '../../src/ledger/ledger.tokens.js';
import type { MerkleLog } from '../../src/ledger/log/merkle-log.js';
import { advisoryLockKey } from '../../src/ledger/event-store/postgres-support.js';
import { verifyCheckpoint } from '../../src/verifier/checkpoint.js';
import { hashLeaf, verifyConsistency } from '../../src/verifier/rfc6962.js';
import { verifyReceipt } from '../../src/verifier/tlog-proof.js';
import { filingBody, principal, startLedger, strongKey, type LedgerApp } from '../support/ledger-app.js';
import { dropSchema, freshSchema, skipWithoutDatabase, testDatabaseUrl } from '../support/pg-schema.js';

const url = testDatabaseUrl;
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const unhex = (s: string) => new Uint8Array(Buffer.from(s, 'hex'));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const sequencer = (l: LedgerApp) => l.app.get<MerkleLog>(MERKLE_LOG);

async function until(what: string, check: () => Promise<boolean> | boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

if (!url) skipWithoutDatabase('several app instances on one PostgreSQL store');
else {
  describe('several app instances on one PostgreSQL store', () => {
    const schema = freshSchema('test_shared');
    const shared = {
      store: 'postgres' as const,
      databaseUrl: url,
      databaseSchema: schema,
      origin: 'shared.test/log',
      // Every instance of one log signs with its keys: Ed25519 and ML-DSA-44 (another key of either refuses to start).
      signingKey: randomBytes(32).toString('base64'),
      mlDsaKey: randomBytes(32).toString('base64'),
      bootstrapAdminKey: strongKey(),
      sequencerRetryMs: 100,
      // On demand only: a follower's receipt then depends on nudging the sequencer (NOTIFY), not on a timer.
      checkpointIntervalMs: 0,
    };
    const instances: LedgerApp[] = [];
    const db = new pg.Pool({ connectionString: url, max: 2 });
    let creator: { id: string; key: string };
    let vkey: string;

    beforeAll(async () => {
      // Both start at once on an empty schema: schema, tables, migrations and the admin bootstrap must not race.
      instances.push(...(await Promise.all([startLedger(shared), startLedger(shared)])));
      creator = await principal(instances[0], 'Alice', ['creator']);
      vkey = (await instances[1].http().get('/v1/ledger/key')).text.trim();
    });
    afterAll(async () => {
      for (const l of instances) await l.close().catch(() => undefined);
      await db.end();
      await dropSchema(schema);
    });

    const file = (l: LedgerApp) => l.http().post('/v1/filings').set('authorization', `Bearer ${creator.key}`).send(filingBody());

    it('elects exactly one sequencer, and registered one admin between them', async () => {
      expect(instances.map((l) => sequencer(l).isSequencer).sort()).toEqual([false, true]);
      // /health says which one it is.
      const healths = await Promise.all(instances.map(async (l) => (await l.http().get('/health')).body));
      expect(healths.map((h) => h.sequencer)).toEqual(instances.map((l) => sequencer(l).isSequencer));
      const admins = await db.query(`SELECT count(*)::int AS n FROM "${schema}".principals WHERE "isAdmin"`);
      expect(admins.rows[0].n).toBe(1);
      expect((await instances[0].http().get('/v1/ledger/key')).text.trim()).toBe(vkey);
    });

    it('an instance asked nothing keeps its read models up with what the other writes (/health projectedTo)', async () => {
      // The writer is the sequencer: the idle one reads the log for nothing else.
      const writer = instances.find((l) => sequencer(l).isSequencer)!;
      const idle = instances.find((l) => l !== writer)!;
      for (let i = 0; i < 3; i++) expect((await file(writer)).status).toBe(201);
      const logSize = await writer.store.count();
      await until('the writer to apply its own events', async () => (await writer.http().get('/health')).body.projectedTo === logSize);
      const reads = jest.spyOn(idle.store, 'readAll');
      try {
        // Only /health is asked of the idle one, which reads no read model and applies nothing itself.
        await until('the idle instance to take up what the other applied', async () => {
          const health = (await idle.http().get('/health')).body;
          return health.logSize === logSize && health.projectedTo === logSize;
        });
        // Taken up from the shared checkpoint: none of those events was read again.
        expect(reads).not.toHaveBeenCalled();
      } finally {
        reads.mockRestore();
      }
    });

    it('files concurrently through both: contiguous positions, every filing present, the tree never skips a leaf', async () => {
      const results = await Promise.all(
        Array.from({ length: 16 }, async (_, client) => {
          const out = [];
          for (let i = 0; i < 6; i++) {
            const res = await file(instances[(client + i) % 2]);
            expect(res.status).toBe(201);
            out.push(res.body as { filingId: string; leafIndex: number; eventHash: string });
          }
          return out;
        }),
      );
      const filed = results.flat();

      const events = await instances[1].store.readAll(0, { limit: 10_000 });
      expect(events.map((e) => e.leafIndex)).toEqual(events.map((_, i) => i));
      expect(await instances[0].store.count()).toBe(events.length);
      for (const f of filed) {
        expect(events[f.leafIndex]).toMatchObject({ type: 'WorkFiled', hash: f.eventHash, stream: `filing-${f.filingId}` });
      }
      // Read models are shared: each instance reads what the other filed.
      for (const f of filed.slice(0, 8)) {
        for (const l of instances)
          expect((await l.http().get(`/v1/filings/${f.filingId}`).set('authorization', `Bearer ${creator.key}`)).status).toBe(200);
      }

      // The sequencer integrates the other instance's events too: leaf i is the hash of event i, no gap, no repeat.
      await until(
        'the tree to cover the log',
        async () => Number((await db.query(`SELECT size FROM "${schema}".merkle_tree`)).rows[0].size) === events.length,
      );
      const leaves = await db.query<{ idx: string; hash: Buffer }>(
        `SELECT idx, hash FROM "${schema}".merkle_nodes WHERE level = 0 ORDER BY idx`,
      );
      expect(leaves.rows.map((r) => Number(r.idx))).toEqual(events.map((_, i) => i));
      leaves.rows.forEach((r, i) => expect(hex(r.hash)).toBe(hex(hashLeaf(unhex(events[i].hash)))));
    });

    it('the follower serves proofs and receipts from the shared tree; checkpoints come from the sequencer alone and stay consistent', async () => {
      const follower = instances.find((l) => !sequencer(l).isSequencer)!;
      const fresh = (await file(follower)).body;
      const receipt = await follower.http().get(`/v1/filings/${fresh.filingId}/receipt`).set('authorization', `Bearer ${creator.key}`);
      expect(receipt.status).toBe(200);
      expect(verifyReceipt(receipt.body, vkey)).toEqual({ ok: true });
      const size = receipt.body.treeSize;
      const proof = await follower.http().get('/v1/ledger/proof/inclusion').query({ leafIndex: 0, treeSize: size });
      expect(proof.status).toBe(200);

      const history = (await follower.http().get('/v1/ledger/checkpoints').query({ limit: 1000 })).body.items as Array<{
        treeSize: number;
        note: string;
      }>;
      expect(history.length).toBeGreaterThan(0);
      const ordered = history.reverse();
      for (const c of ordered) expect(verifyCheckpoint(c.note, vkey).ok).toBe(true);
      for (let i = 1; i < ordered.length; i++) {
        const [a, b] = [verifyCheckpoint(ordered[i - 1].note, vkey), verifyCheckpoint(ordered[i].note, vkey)];
        if (!a.ok || !b.ok) throw new Error('checkpoint did not verify');
        expect(b.checkpoint.treeSize).toBeGreaterThan(a.checkpoint.treeSize);
        const c = await follower
          .http()
          .get('/v1/ledger/proof/consistency')
          .query({ from: a.checkpoint.treeSize, to: b.checkpoint.treeSize });
        expect(
          verifyConsistency(
            a.checkpoint.treeSize,
            b.checkpoint.treeSize,
            c.body.hashes.map(unhex),
            a.checkpoint.rootHash,
            b.checkpoint.rootHash,
          ),
        ).toBe(true);
      }
    });

    it('when the sequencer stops, the follower takes over and continues the same log', async () => {
      const leaderIndex = instances.findIndex((l) => sequencer(l).isSequencer);
      const [leader] = instances.splice(leaderIndex, 1);
      const survivor = instances[0];
      const before = verifyCheckpoint((await survivor.http().get('/v1/ledger/checkpoint')).text, vkey);
      if (!before.ok) throw new Error(before.reason);
      await leader.close();
      await until('the follower to take over', () => sequencer(survivor).isSequencer);

      const after = (await file(survivor)).body;
      const receipt = await survivor.http().get(`/v1/filings/${after.filingId}/receipt`).set('authorization', `Bearer ${creator.key}`);
      expect(verifyReceipt(receipt.body, vkey)).toEqual({ ok: true });
      const now = verifyCheckpoint((await survivor.http().get('/v1/ledger/checkpoint')).text, vkey);
      if (!now.ok) throw new Error(now.reason);
      expect(now.checkpoint.treeSize).toBe(await survivor.store.count());
      const c = await survivor
        .http()
        .get('/v1/ledger/proof/consistency')
        .query({ from: before.checkpoint.treeSize, to: now.checkpoint.treeSize });
      expect(
        verifyConsistency(
          before.checkpoint.treeSize,
          now.checkpoint.treeSize,
          c.body.hashes.map(unhex),
          before.checkpoint.rootHash,
          now.checkpoint.rootHash,
        ),
      ).toBe(true);
    });

    it('a follower whose sequencer is stuck answers a receipt with 503 and Retry-After, never with its own signature', async () => {
      // Stand in for a hung sequencer: hold its lock from a plain connection, so the new instance stays a follower.
      const survivor = instances[0];
      await survivor.close();
      instances.length = 0;
      const hung = new pg.Client({ connectionString: url });
      await hung.connect();
      try {
        await hung.query('SELECT pg_advisory_lock($1::bigint)', [advisoryLockKey(`sandbox-ledger/sequencer:${schema}`)]);
        const follower = await startLedger({ ...shared, sequencerWaitMs: 300 });
        instances.push(follower);
        expect(sequencer(follower).isSequencer).toBe(false);
        const filed = (await file(follower)).body;
        const receipt = await follower.http().get(`/v1/filings/${filed.filingId}/receipt`).set('authorization', `Bearer ${creator.key}`);
        expect(receipt.status).toBe(503);
        expect(receipt.headers['retry-after']).toBe('1');
        expect(receipt.headers['content-type']).toMatch(/^application\/problem\+json/);
        const latest = await db.query(`SELECT max(tree_size)::int AS n FROM "${schema}".merkle_checkpoints`);
        expect(latest.rows[0].n).toBeLessThanOrEqual(filed.leafIndex);
      } finally {
        await hung.end();
      }
      await until('the follower to take over from the released lock', () => sequencer(instances[0]).isSequencer);
    });
  });
}
