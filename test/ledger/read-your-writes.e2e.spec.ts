// Read-your-writes by log position: a write is answered from its events once durable, with the log size it reached;
// reads wait (bounded) for the read models to cover the position they need.
import { ProjectionRunner } from '../../src/ledger/read-models/projection-runner.js';
import { filingBody, principal, startLedger, type LedgerApp } from '../support/ledger-app.js';

/** Holds the projection runner's transactions until the returned function is called: the read models stay behind. */
function holdReadModels(ledger: LedgerApp): () => void {
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  void ledger.app.get(ProjectionRunner).exclusive(() => held);
  return release;
}

describe('read-your-writes by log position', () => {
  let ledger: LedgerApp;
  let alice: { id: string; key: string };
  let bob: { id: string; key: string };

  beforeAll(async () => {
    ledger = await startLedger({ readWaitMs: 300 });
    alice = await principal(ledger, 'Alice', ['creator']);
    bob = await principal(ledger, 'Bob', ['auditor']);
  });
  afterAll(() => ledger.close());

  const file = (who: { key: string }) => ledger.http().post('/v1/filings').set('authorization', `Bearer ${who.key}`).send(filingBody());
  const read = (who: { key: string }, id: string) => ledger.http().get(`/v1/filings/${id}`).set('authorization', `Bearer ${who.key}`);

  it('answers a write with the log size it reached, and a later read sees it', async () => {
    const res = await file(alice);
    expect(res.status).toBe(201);
    const position = Number(res.headers['ledger-position']);
    expect(position).toBe(res.body.leafIndex + 1);
    expect(position).toBe(await ledger.store.count());
    expect(res.body.right).toMatchObject({ status: 'provisional', holder: alice.id });
    expect((await read(alice, res.body.filingId)).body).toMatchObject({ filingId: res.body.filingId, status: 'active' });
  });

  it('acknowledges a filing while the read models are behind; reads wait for it, then answer 503 with Retry-After', async () => {
    const release = holdReadModels(ledger);
    let filed;
    try {
      filed = await file(alice);
      expect(filed.status).toBe(201); // durable, answered without the read models
      expect(filed.body.right).toMatchObject({ status: 'provisional', rule: expect.any(String) });
      const behind = await read(alice, filed.body.filingId);
      expect(behind.status).toBe(503);
      expect(behind.headers['retry-after']).toBe('1');
      expect(behind.body).toMatchObject({
        type: expect.stringContaining('read-models-behind'),
        position: Number(filed.headers['ledger-position']),
      });
      // Another principal's read waits for every acknowledged write too (LEDGER_READ_AFTER=log).
      expect((await read(bob, filed.body.filingId)).status).toBe(503);
    } finally {
      release();
    }
    const after = await read(bob, filed.body.filingId);
    expect(after.status).toBe(200);
    expect(after.body.filingId).toBe(filed.body.filingId);
  });

  it('takes a minimum position from the Min-Position header or the minPosition query parameter', async () => {
    const size = await ledger.store.count();
    const list = await ledger.http().get(`/v1/filings?limit=5&minPosition=${size}`).set('authorization', `Bearer ${alice.key}`);
    expect(list.status).toBe(200);
    const ahead = await ledger
      .http()
      .get('/v1/filings')
      .set('authorization', `Bearer ${alice.key}`)
      .set('min-position', String(size + 5));
    expect(ahead.status).toBe(400);
    expect(ahead.body.type).toContain('min-position-ahead');
    const bad = await ledger.http().get('/v1/filings?minPosition=-1').set('authorization', `Bearer ${alice.key}`);
    expect(bad.status).toBe(400);
    expect(bad.body.type).toContain('invalid-min-position');
  });

  it('refuses a minPosition given twice, and names a position no log reaches as beyond the log', async () => {
    const asked = (query: string) => ledger.http().get(`/v1/filings?${query}`).set('authorization', `Bearer ${alice.key}`);
    for (const twice of ['minPosition=abc&minPosition=1', 'minPosition=1&minPosition=abc', 'minPosition=999999&minPosition=1']) {
      const res = await asked(twice);
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({
        type: expect.stringContaining('invalid-min-position'),
        detail: expect.stringContaining('more than once'),
      });
    }
    for (const far of ['9007199254740991', '12345678901234567890123', '000000000000000000000099999999']) {
      const res = await asked(`minPosition=${far}`);
      expect(res.status).toBe(400);
      expect(res.body.type).toContain('min-position-ahead');
    }
    const padded = await asked(`minPosition=${'0'.repeat(20)}1`);
    expect(padded.status).toBe(200);
    // Two Min-Position header lines reach the server as one value, joined with ", " (as Node joins them).
    const twoHeaders = await ledger.http().get('/v1/filings').set('authorization', `Bearer ${alice.key}`).set('min-position', '1, 2');
    expect(twoHeaders.status).toBe(400);
    expect(twoHeaders.body.detail).toContain('Min-Position is given more than once');
  });

  it("replays an Idempotency-Key's answer to a retry that names a position to wait for, with the first answer's position", async () => {
    const body = filingBody();
    const send = (query = '') =>
      ledger.http().post(`/v1/filings${query}`).set('authorization', `Bearer ${alice.key}`).set('idempotency-key', 'ryw-retry').send(body);
    const first = await send();
    expect(first.status).toBe(201);
    const position = first.headers['ledger-position'];
    const retry = await send(`?minPosition=${position}`);
    expect(retry.status).toBe(201);
    expect(retry.headers).toMatchObject({ 'idempotent-replayed': 'true', 'ledger-position': position });
    expect(retry.body).toEqual(first.body);
  });
});

describe('read-your-writes while the read models fail to apply a batch', () => {
  let ledger: LedgerApp;
  let alice: { id: string; key: string };

  beforeAll(async () => {
    // SQLite, whose trigger below makes the read models' next insert into `filings` fail in the database itself.
    ledger = await startLedger({ readWaitMs: 300, store: 'sqlite' });
    alice = await principal(ledger, 'Alice', ['creator']);
  });
  afterAll(() => ledger.close());

  const runner = () => ledger.app.get(ProjectionRunner);
  const read = (id: string) => ledger.http().get(`/v1/filings/${id}`).set('authorization', `Bearer ${alice.key}`);

  it("answers a reader 503 with Retry-After, not the runner's error, and the write's own reads once the batch applies", async () => {
    await runner().exclusive((em) =>
      em.query(`CREATE TRIGGER refuse_filings BEFORE INSERT ON filings BEGIN SELECT RAISE(ABORT, 'refused for the test'); END`),
    );
    let filingId: string;
    try {
      const filed = await ledger.http().post('/v1/filings').set('authorization', `Bearer ${alice.key}`).send(filingBody());
      expect(filed.status).toBe(201); // durable: the read models are not on the write path
      filingId = filed.body.filingId as string;
      const position = Number(filed.headers['ledger-position']);
      for (let i = 0; i < 3; i++) {
        const behind = await read(filingId);
        expect(behind.status).toBe(503);
        expect(behind.headers['retry-after']).toBe('1');
        expect(behind.body).toMatchObject({ type: expect.stringContaining('read-models-behind'), position });
        expect(runner().position).toBeLessThan(position);
      }
    } finally {
      await runner().exclusive((em) => em.query('DROP TRIGGER refuse_filings'));
    }
    // A reader waiting starts the runner again at once (on its own it tries again a second after a failure).
    let after = await read(filingId);
    for (let i = 0; i < 50 && after.status === 503; i++) {
      await new Promise((r) => setTimeout(r, 100));
      after = await read(filingId);
    }
    expect(after.status).toBe(200);
    expect(after.body.filingId).toBe(filingId);
  });
});

describe('read-your-writes for the principal alone (LEDGER_READ_AFTER=own)', () => {
  let ledger: LedgerApp;
  let alice: { id: string; key: string };
  let bob: { id: string; key: string };

  beforeAll(async () => {
    ledger = await startLedger({ readWaitMs: 300, readAfter: 'own' });
    alice = await principal(ledger, 'Alice', ['creator']);
    bob = await principal(ledger, 'Bob', ['auditor']);
  });
  afterAll(() => ledger.close());

  it("waits for the principal's own last write, not for others', unless asked", async () => {
    const release = holdReadModels(ledger);
    try {
      const filed = await ledger.http().post('/v1/filings').set('authorization', `Bearer ${alice.key}`).send(filingBody());
      expect(filed.status).toBe(201);
      const list = (who: { key: string }) => ledger.http().get('/v1/filings').set('authorization', `Bearer ${who.key}`);
      expect((await list(alice)).status).toBe(503);
      const others = await list(bob);
      expect(others.status).toBe(200);
      expect(others.body.items.map((f: { filingId: string }) => f.filingId)).not.toContain(filed.body.filingId);
      expect((await list(bob).set('min-position', filed.headers['ledger-position'])).status).toBe(503);
    } finally {
      release();
    }
  });
});
