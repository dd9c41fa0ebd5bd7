// The whole application on PostgreSQL (LEDGER_STORE=postgres): events, read models, the Merkle tree and its
// checkpoints all in one fresh schema. Skipped, with a notice, when TEST_DATABASE_URL is unset.
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import pg from 'pg';
import { pgConnection } from '../../src/ledger/event-store/postgres-support.js';
import { ExportVerifier } from '../../src/verifier/export-verifier.js';
import { verifyReceipt } from '../../src/verifier/tlog-proof.js';
import { fetchExport, filingBody, principal, startLedger, type LedgerApp } from '../support/ledger-app.js';
import { dropSchema, freshSchema, skipWithoutDatabase, testDatabaseUrl } from '../support/pg-schema.js';

const url = testDatabaseUrl;

if (!url) skipWithoutDatabase('the application on PostgreSQL');
else {
  describe('the application on PostgreSQL (LEDGER_STORE=postgres)', () => {
    const schema = freshSchema('test_app');
    let ledger: LedgerApp;
    let alice: { id: string; key: string };
    let auditor: { id: string; key: string };

    beforeAll(async () => {
      ledger = await startLedger({
        store: 'postgres',
        databaseUrl: url,
        databaseSchema: schema,
        origin: 'pg.test/log',
        checkpointIntervalMs: 0,
      });
      alice = await principal(ledger, 'Alice', ['creator']);
      auditor = await principal(ledger, 'Audrey', ['auditor']);
    });
    afterAll(async () => {
      await ledger?.close();
      await dropSchema(schema);
    });

    it('files works, refuses 19 of 20 racing duplicates, reads back, and hands out receipts that verify offline', async () => {
      const filed = [];
      for (let i = 0; i < 3; i++) {
        const res = await ledger.http().post('/v1/filings').set('authorization', `Bearer ${alice.key}`).send(filingBody());
        expect(res.status).toBe(201);
        filed.push(res.body);
      }

      const body = filingBody();
      const race = await Promise.all(
        Array.from({ length: 20 }, () => ledger.http().post('/v1/filings').set('authorization', `Bearer ${alice.key}`).send(body)),
      );
      expect(race.map((r) => r.status).sort()).toEqual([201, ...Array(19).fill(409)]);
      const winner = race.find((r) => r.status === 201)!.body;
      for (const lost of race.filter((r) => r.status === 409)) {
        expect(lost.headers['content-type']).toMatch(/^application\/problem\+json/);
        // The 409 names the winner's own WorkFiled: its time and leaf, as every other answer does.
        expect(lost.body).toMatchObject({ priorFilingId: winner.filingId, priorLeafIndex: winner.leafIndex, priorFiledAt: winner.filedAt });
      }

      const read = await ledger.http().get(`/v1/filings/${winner.filingId}`).set('authorization', `Bearer ${alice.key}`);
      expect(read.status).toBe(200);
      expect(read.body).toMatchObject({
        filingId: winner.filingId,
        contentHash: body.contentHash,
        leafIndex: winner.leafIndex,
        eventHash: winner.eventHash,
        status: 'active',
      });
      expect(read.body.generation).toEqual(expect.objectContaining({ iterations: 14 }));
      const list = await ledger.http().get('/v1/filings').query({ limit: 2 }).set('authorization', `Bearer ${alice.key}`);
      expect(list.body.items.map((f: { filingId: string }) => f.filingId)).toEqual(filed.slice(0, 2).map((f) => f.filingId));
      const page2 = await ledger
        .http()
        .get('/v1/filings')
        .query({ limit: 10, cursor: list.body.nextCursor })
        .set('authorization', `Bearer ${alice.key}`);
      expect(page2.body.items.map((f: { filingId: string }) => f.filingId)).toEqual([filed[2].filingId, winner.filingId]);
      const pub = await ledger.http().get(`/v1/public/content/${body.contentHash}`);
      expect(pub.body).toMatchObject({ filed: true, filingId: winner.filingId });

      const vkey = (await ledger.http().get('/v1/ledger/key')).text.trim();
      for (const f of [filed[0], winner]) {
        const receipt = await ledger.http().get(`/v1/filings/${f.filingId}/receipt`).set('authorization', `Bearer ${alice.key}`);
        expect(receipt.status).toBe(200);
        expect(receipt.body).toMatchObject({ leafIndex: f.leafIndex, entry: { hash: f.eventHash, type: 'WorkFiled' } });
        expect(verifyReceipt(receipt.body, vkey)).toEqual({ ok: true });
        const text = await ledger
          .http()
          .get(`/v1/filings/${f.filingId}/receipt`)
          .set('authorization', `Bearer ${alice.key}`)
          .set('accept', 'text/plain');
        expect(verifyReceipt(text.text, vkey)).toEqual({ ok: true });
      }
    });

    it('exports a log that the offline verifier accepts against a signed checkpoint', async () => {
      const vkey = (await ledger.http().get('/v1/ledger/key')).text.trim();
      const checkpoint = (await ledger.http().get('/v1/ledger/checkpoint')).text;
      const res = await fetchExport(ledger, auditor.key);
      expect(res.status).toBe(200);
      const lines = (res.body as string).split('\n').filter(Boolean);
      expect(lines).toHaveLength(await ledger.store.count());
      const verifier = new ExportVerifier();
      expect(verifier.checkCheckpoint(checkpoint, vkey)).toBe(true);
      for (const line of lines) verifier.push(line);
      expect(verifier.finish()).toMatchObject({ ok: true, treeSize: lines.length, checkpointsChecked: 1 });
      const history = await ledger.http().get('/v1/ledger/checkpoints');
      expect(history.body.items[0].treeSize).toBe(lines.length);
    });

    it('keeps events, read models, the Merkle tree and checkpoints in the one schema', async () => {
      const { default: pg } = await import('pg');
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        const { rows } = await client.query<{ table_name: string }>(
          'SELECT table_name FROM information_schema.tables WHERE table_schema = $1',
          [schema],
        );
        expect(rows.map((r) => r.table_name)).toEqual(
          expect.arrayContaining([
            'events',
            'filings',
            'principals',
            'projection_checkpoints',
            'migrations',
            'merkle_nodes',
            'merkle_checkpoints',
          ]),
        );
      } finally {
        await client.end();
      }
    });

    it('names each of its connections in pg_stat_activity by the part that holds it, unless the URL names them', async () => {
      const client = new pg.Client({ connectionString: url, application_name: 'the test' });
      await client.connect();
      try {
        const { rows } = await client.query<{ name: string; port: number }>(
          'SELECT application_name AS name, client_port AS port FROM pg_stat_activity WHERE datname = current_database()',
        );
        // This process's connections: the ledger's, and the test's own.
        const ports = ownLocalPorts();
        const names = new Set(rows.filter((r) => ports.has(r.port) && r.name !== 'the test').map((r) => r.name));
        expect([...names].filter((n) => !/^sandbox-ledger (events|read-models|merkle|sequencer|lock|migrations)$/.test(n))).toEqual([]);
        for (const part of ['events', 'read-models', 'merkle']) expect(names).toContain(`sandbox-ledger ${part}`);
      } finally {
        await client.end();
      }
      const nameOf = async (connection: pg.ClientConfig) => {
        const c = new pg.Client(connection);
        await c.connect();
        try {
          return (await c.query<{ application_name: string }>('SHOW application_name')).rows[0].application_name;
        } finally {
          await c.end();
        }
      };
      expect(await nameOf(pgConnection(url, 'events'))).toBe('sandbox-ledger events');
      const named = new URL(url);
      named.searchParams.set('application_name', 'the operator');
      expect(await nameOf(pgConnection(named.href, 'events'))).toBe('the operator');
    });
  });
}

/** The local TCP ports of this process's sockets (its connections to PostgreSQL among them), from /proc. */
function ownLocalPorts(): Set<number> {
  const inodes = new Set<string>();
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      const inode = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/self/fd/${fd}`))?.[1];
      if (inode) inodes.add(inode);
    } catch {
      /* closed meanwhile */
    }
  }
  const ports = new Set<number>();
  for (const table of ['/proc/self/net/tcp', '/proc/self/net/tcp6'])
    for (const line of readFileSync(table, 'utf8').split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols.length > 9 && inodes.has(cols[9])) ports.add(parseInt(cols[1].split(':')[1], 16));
    }
  return ports;
}
