// An Idempotency-Key survives a crash between the append and the kept response: the command's events carry the key's
// token, so a retry finds them and is told the request was carried out instead of appending again. A claim whose request
// appended nothing is held for its lease, then taken over. The crash is the state it leaves in the stopped server's files.
import { createHash } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { requestFingerprint } from '../../src/ledger/write/idempotency.js';
import { expectRefused, filingBody, principal, startLedger, strongKey, tempDir, type LedgerApp } from '../support/ledger-app.js';

const dataDir = tempDir('idempotency-recovery-');
const adminKey = strongKey();
let ledger: LedgerApp;
let alice: { id: string; key: string };

const restart = async (edit: (db: Database.Database) => void) => {
  await ledger.close();
  const db = new Database(join(dataDir, 'read-models.sqlite'));
  try {
    edit(db);
  } finally {
    db.close();
  }
  ledger = await startLedger({ dataDir, bootstrapAdminKey: adminKey });
};
const file = (key: string, body: Record<string, unknown>) =>
  ledger.http().post('/v1/filings').set('authorization', `Bearer ${alice.key}`).set('idempotency-key', key).send(body);
const record = (db: Database.Database, key: string) =>
  db.prepare('SELECT * FROM idempotency_records WHERE idempotencyKey = ?').get(key) as Record<string, unknown> | undefined;

beforeAll(async () => {
  ledger = await startLedger({ dataDir, bootstrapAdminKey: adminKey });
  alice = await principal(ledger, 'alice', ['creator']);
});
afterAll(async () => {
  await ledger.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('Idempotency-Key across a crash', () => {
  it("puts the key's token in the meta of the command's events", async () => {
    const filed = await file('token-1', filingBody());
    expect(filed.status).toBe(201);
    const [event] = await ledger.store.readAll(filed.body.leafIndex, { limit: 1 });
    expect(event.type).toBe('WorkFiled');
    expect(event.meta).toEqual({ actor: alice.id, idempotency: createHash('sha256').update(`${alice.id}\ntoken-1`).digest('hex') });
    const plain = await ledger.http().post('/v1/filings').set('authorization', `Bearer ${alice.key}`).send(filingBody());
    const [untagged] = await ledger.store.readAll(plain.body.leafIndex, { limit: 1 });
    expect(untagged.meta).toEqual({ actor: alice.id });
  });

  it('answers a retry whose first attempt appended but lost its response with idempotency-key-applied, and appends nothing', async () => {
    const before = await ledger.store.count();
    const first = filingBody();
    const filed = await file('crash-1', first);
    expect(filed.status).toBe(201);
    // The state a crash after the append and before the response was kept leaves: the claim without a response.
    await restart((db) => {
      const changed = db
        .prepare('UPDATE idempotency_records SET statusCode = NULL, body = NULL, logSize = ? WHERE idempotencyKey = ?')
        .run(before, 'crash-1');
      expect(changed.changes).toBe(1);
    });
    const count = await ledger.store.count();
    const body = filingBody({ contentHash: 'b'.repeat(64) }); // a different body is still refused as a reused key
    await expectRefused(ledger, () => file('crash-1', body), 422, 'idempotency-key-reused');
    for (let i = 0; i < 2; i++) {
      const retry = await file('crash-1', first);
      expect(retry.status).toBe(409);
      expect(retry.body).toMatchObject({
        type: 'urn:sandbox-ledger:problem:idempotency-key-applied',
        leafIndex: filed.body.leafIndex,
        eventHash: filed.body.eventHash,
        stream: `filing-${filed.body.filingId}`,
      });
    }
    expect(await ledger.store.count()).toBe(count);
  });

  it('holds a claim whose request appended nothing until its lease ends, then carries the retry out once', async () => {
    const body = filingBody();
    const fingerprint = requestFingerprint('POST', '/v1/filings', body);
    await restart((db) => {
      db.prepare(
        'INSERT INTO idempotency_records (principalId, idempotencyKey, fingerprint, statusCode, body, createdAt, logSize) VALUES (?, ?, ?, NULL, NULL, ?, 0)',
      ).run(alice.id, 'crash-2', fingerprint, new Date().toISOString());
    });
    await expectRefused(ledger, () => file('crash-2', body), 409, 'idempotency-key-in-progress');
    await restart((db) => {
      db.prepare('UPDATE idempotency_records SET createdAt = ? WHERE idempotencyKey = ?').run(
        new Date(Date.now() - 60_000).toISOString(),
        'crash-2',
      );
    });
    const count = await ledger.store.count();
    const taken = await file('crash-2', body);
    expect(taken.status).toBe(201);
    expect(await ledger.store.count()).toBe(count + 2);
    const replay = await file('crash-2', body);
    expect({ status: replay.status, body: replay.body, replayed: replay.headers['idempotent-replayed'] }).toEqual({
      status: 201,
      body: taken.body,
      replayed: 'true',
    });
    const db = new Database(join(dataDir, 'read-models.sqlite'), { readonly: true });
    try {
      expect(record(db, 'crash-2')).toMatchObject({ statusCode: 201, logSize: count });
    } finally {
      db.close();
    }
  });

  it('answers a problem without Ledger-Position when the answer cannot be kept, and a retry is told the request was carried out', async () => {
    await restart((db) =>
      db.exec(`CREATE TRIGGER keep_refused BEFORE UPDATE ON idempotency_records BEGIN SELECT RAISE(ABORT, 'keeping refused'); END`),
    );
    const body = filingBody();
    const before = await ledger.store.count();
    const failed = await file('unkept-1', body);
    expect(failed.status).toBe(500);
    expect(failed.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(failed.body).toMatchObject({ status: 500 });
    expect(failed.headers['ledger-position']).toBeUndefined();
    expect(await ledger.store.count()).toBe(before + 2); // the filing itself is durable
    await restart((db) => db.exec('DROP TRIGGER keep_refused'));
    const retry = await file('unkept-1', body);
    expect(retry.status).toBe(409);
    expect(retry.body).toMatchObject({ type: expect.stringContaining('idempotency-key-applied') as string, leafIndex: before + 1 });
    expect(await ledger.store.count()).toBe(before + 2);
  });

  it('frees the key when the request is refused, so a corrected retry is not blocked', async () => {
    const body = filingBody({ contentHash: 'not-a-hash' });
    await expectRefused(ledger, () => file('refused-1', body), 400, 'validation-failed');
    await expectRefused(ledger, () => file('refused-1', body), 400, 'validation-failed');
    const db = new Database(join(dataDir, 'read-models.sqlite'), { readonly: true });
    try {
      expect(record(db, 'refused-1')).toBeUndefined();
    } finally {
      db.close();
    }
  });
});
