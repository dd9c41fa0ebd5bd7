// Filing end to end through HTTP on the real SQLite store.
import { createHash } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import canonicalize from 'canonicalize';
import { filingBody, principal, startLedger, type LedgerApp } from '../support/ledger-app.js';

const hashOf = (e: Record<string, unknown>) =>
  createHash('sha256')
    .update(
      canonicalize({
        v: e.v,
        id: e.id,
        stream: e.stream,
        revision: e.revision,
        type: e.type,
        data: e.data,
        meta: e.meta,
        recordedAt: e.recordedAt,
        prevHash: e.prevHash,
      })!,
    )
    .digest('hex');

describe('filing a work', () => {
  let ledger: LedgerApp;
  let alice: { id: string; key: string };
  let bob: { id: string; key: string };

  beforeAll(async () => {
    ledger = await startLedger();
    alice = await principal(ledger, 'Alice', ['creator']);
    bob = await principal(ledger, 'Bob', ['creator']);
  });
  afterAll(() => ledger.close());

  it('files, reads back, and shows a history whose hashes and chain recompute independently', async () => {
    const body = filingBody();
    const filed = await ledger.http().post('/v1/filings').set('authorization', `Bearer ${alice.key}`).send(body);
    expect(filed.status).toBe(201);
    expect(filed.body).toMatchObject({
      filingId: expect.any(String),
      leafIndex: expect.any(Number),
      eventHash: expect.stringMatching(/^[0-9a-f]{64}$/),
      receiptUrl: `/v1/filings/${filed.body.filingId}/receipt`,
    });
    expect(filed.body.right).toMatchObject({ status: 'provisional', holder: alice.id, policyVersion: 1 });
    expect(Date.parse(filed.body.right.labelDueAt) - Date.parse(filed.body.right.since)).toBe(7 * 86_400_000);

    // Read-your-writes: the read model shows the filing as soon as the 201 arrives.
    const read = await ledger.http().get(`/v1/filings/${filed.body.filingId}`).set('authorization', `Bearer ${alice.key}`);
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({
      filingId: filed.body.filingId,
      contentHash: body.contentHash,
      creator: alice.id,
      status: 'active',
      leafIndex: filed.body.leafIndex,
      eventHash: filed.body.eventHash,
      labels: { state: 'none' },
      perceptualHash: body.perceptualHash,
    });
    expect(read.body.generation).toMatchObject({ seed: '18446744073709551615', iterations: 14, tool: { name: 'Stable Diffusion' } });

    const withdrawn = await ledger
      .http()
      .post(`/v1/filings/${filed.body.filingId}/withdraw`)
      .set('authorization', `Bearer ${alice.key}`)
      .send({ reason: 'published elsewhere' });
    expect(withdrawn.status).toBe(200);
    expect(withdrawn.body.status).toBe('withdrawn');

    const history = await ledger.http().get(`/v1/filings/${filed.body.filingId}/history`).set('authorization', `Bearer ${alice.key}`);
    expect(history.status).toBe(200);
    const events = history.body.events as Array<Record<string, any>>;
    expect(events.map((e) => e.type)).toEqual(['WorkFiled', 'FilingWithdrawn']);
    let prev = '0'.repeat(64);
    events.forEach((e, i) => {
      expect(e.revision).toBe(i);
      expect(e.stream).toBe(`filing-${filed.body.filingId}`);
      expect(e.prevHash).toBe(prev);
      expect(hashOf(e)).toBe(e.hash);
      expect(e.meta.actor).toBe(alice.id);
      prev = e.hash;
    });
    expect(events[0].hash).toBe(filed.body.eventHash);
    expect(events[0].leafIndex).toBe(filed.body.leafIndex);
    expect(events[1].leafIndex).toBeGreaterThan(events[0].leafIndex);

    const after = await ledger.http().get(`/v1/filings/${filed.body.filingId}`).set('authorization', `Bearer ${alice.key}`);
    expect(after.body).toMatchObject({ status: 'withdrawn', withdrawReason: 'published elsewhere' });
  });

  it('records an optional member given as null as one left out (a seed of null is no seed, not the text "null")', async () => {
    const base = filingBody();
    const generation = {
      ...(base.generation as Record<string, unknown>),
      tool: { name: 'Stable Diffusion', version: null, provider: null },
      negativePromptHash: null,
      parameters: null,
      seed: null,
      iterations: null,
    };
    const filed = await ledger
      .http()
      .post('/v1/filings')
      .set('authorization', `Bearer ${alice.key}`)
      .send({ ...base, generation });
    expect(filed.status).toBe(201);
    const history = await ledger.http().get(`/v1/filings/${filed.body.filingId}/history`).set('authorization', `Bearer ${alice.key}`);
    expect(history.body.events[0].data.generation).toMatchObject({
      tool: { name: 'Stable Diffusion', version: null, provider: null },
      negativePromptHash: null,
      parametersHash: null,
      parameters: null,
      seed: null,
      iterations: null,
    });
    // A seed given as a number is recorded as its digits.
    const numbered = { ...filingBody(), generation: { ...(base.generation as Record<string, unknown>), seed: 42 } };
    const second = await ledger.http().post('/v1/filings').set('authorization', `Bearer ${alice.key}`).send(numbered);
    const read = await ledger.http().get(`/v1/filings/${second.body.filingId}`).set('authorization', `Bearer ${alice.key}`);
    expect(read.body.generation.seed).toBe('42');
  });

  it("records a process evidence item's time in UTC, as the ledger writes every time", async () => {
    const body = filingBody({ processEvidence: [{ sha256: 'c'.repeat(64), kind: 'draft', createdAt: '2026-11-28T18:30+08:00' }] });
    const filed = await ledger.http().post('/v1/filings').set('authorization', `Bearer ${alice.key}`).send(body);
    expect(filed.status).toBe(201);
    const history = await ledger.http().get(`/v1/filings/${filed.body.filingId}/history`).set('authorization', `Bearer ${alice.key}`);
    expect(history.body.events[0].data.processEvidence).toEqual([
      { sha256: 'c'.repeat(64), kind: 'draft', description: null, createdAt: '2026-11-28T10:30:00.000Z' },
    ]);
  });

  it('answers the public content lookup without a key', async () => {
    const body = filingBody();
    const filed = await ledger.http().post('/v1/filings').set('authorization', `Bearer ${alice.key}`).send(body);
    const res = await ledger.http().get(`/v1/public/content/${body.contentHash}`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ filed: true, filingId: filed.body.filingId, leafIndex: filed.body.leafIndex, status: 'active' });
    expect(res.headers['x-ratelimit-limit']).toBeDefined();
    const missing = await ledger.http().get(`/v1/public/content/${'0'.repeat(64)}`);
    expect(missing.status).toBe(404);
    expect(missing.headers['content-type']).toMatch(/^application\/problem\+json/);
  });

  it("lists a creator's own filings with cursor pagination", async () => {
    const carol = await principal(ledger, 'Carol', ['creator']);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++)
      ids.push((await ledger.http().post('/v1/filings').set('authorization', `Bearer ${carol.key}`).send(filingBody())).body.filingId);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res: any = await ledger
        .http()
        .get('/v1/filings')
        .query({ limit: 2, ...(cursor ? { cursor } : {}) })
        .set('authorization', `Bearer ${carol.key}`);
      expect(res.status).toBe(200);
      expect(res.body.items.length).toBeLessThanOrEqual(2);
      seen.push(
        ...res.body.items.map((f: { filingId: string; creator: string }) => {
          expect(f.creator).toBe(carol.id);
          return f.filingId;
        }),
      );
      cursor = res.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual(ids);
    const other = await ledger.http().get('/v1/filings').query({ creator: alice.id }).set('authorization', `Bearer ${carol.key}`);
    expect(other.status).toBe(403);
    // `me` names the principal asking, as in the disputes list; an id in capitals is the same id; anything else is refused.
    const list = (creator: string) =>
      ledger.http().get('/v1/filings').query({ creator, limit: 100 }).set('authorization', `Bearer ${carol.key}`);
    const mine = await list('me');
    expect([mine.status, mine.body.items.map((f: { filingId: string }) => f.filingId)]).toEqual([200, ids]);
    expect((await list(carol.id.toUpperCase())).body.items).toHaveLength(ids.length);
    for (const bad of ['-'.repeat(36), 'myself', `${carol.id}x`]) {
      const res = await list(bad);
      expect([res.status, res.body.detail]).toEqual([400, 'creator must be me or a principal id']);
    }
  });

  it('gives exactly one 201 when 50 requests by two creators race for the same content', async () => {
    const body = filingBody();
    const before = await ledger.store.count();
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        ledger
          .http()
          .post('/v1/filings')
          .set('authorization', `Bearer ${(i % 2 ? alice : bob).key}`)
          .send(body),
      ),
    );
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(49);
    const winner = results.find((r) => r.status === 201)!.body.filingId;
    for (const r of results.filter((x) => x.status === 409)) {
      expect(r.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(r.body).toMatchObject({ status: 409, priorFilingId: winner });
    }
    const appended = await ledger.store.readAll(before, { limit: 1000 });
    expect(appended.filter((e) => e.type === 'WorkFiled' && e.data.contentHash === body.contentHash)).toHaveLength(1);
    expect(appended).toHaveLength(2); // the reservation and the filing, nothing from the 49 refusals
  });

  it('replays the first response for a repeated Idempotency-Key and appends one event', async () => {
    const body = filingBody();
    const before = await ledger.store.count();
    const send = () =>
      ledger.http().post('/v1/filings').set('authorization', `Bearer ${alice.key}`).set('idempotency-key', 'retry-1').send(body);
    const [a, b] = await Promise.all([send(), send()]);
    const c = await send();
    expect([a.status, b.status, c.status]).toEqual([201, 201, 201]);
    expect(b.body).toEqual(a.body);
    expect(c.body).toEqual(a.body);
    expect(c.headers['idempotent-replayed']).toBe('true');
    expect(await ledger.store.count()).toBe(before + 2);
    // Every answer, the replays too, names the log position the one filing reached.
    expect([a, b, c].map((r) => r.headers['ledger-position'])).toEqual(Array(3).fill(String(before + 2)));
    const reused = await ledger
      .http()
      .post('/v1/filings')
      .set('authorization', `Bearer ${alice.key}`)
      .set('idempotency-key', 'retry-1')
      .send(filingBody());
    expect(reused.status).toBe(422);
    expect(await ledger.store.count()).toBe(before + 2);
  });

  it('refuses an Idempotency-Key sent twice, or holding a space, saying so, and appends nothing; a key holding a comma is one key', async () => {
    const post = (keys: string[]) =>
      new Promise<{ status: number; body: { type?: string; detail?: string } }>((resolve, reject) => {
        const text = JSON.stringify(filingBody());
        const req = httpRequest(`${ledger.url}/v1/filings`, {
          method: 'POST',
          headers: { authorization: `Bearer ${alice.key}`, 'content-type': 'application/json', 'idempotency-key': keys },
        });
        req.on('response', (res) => {
          let data = '';
          res.on('data', (chunk: Buffer) => (data += chunk.toString()));
          res.on('end', () => resolve({ status: res.statusCode!, body: JSON.parse(data) as { type?: string; detail?: string } }));
        });
        req.on('error', reject);
        req.end(text);
      });
    const before = await ledger.store.count();
    const twice = await post(['twice-a', 'twice-b']);
    expect(twice).toEqual({
      status: 400,
      body: expect.objectContaining({
        type: 'urn:sandbox-ledger:problem:invalid-idempotency-key',
        detail: 'Idempotency-Key is given more than once; give it once',
      }),
    });
    // A space, or a 256th character, is refused as well, and the answer says which characters a key may hold.
    for (const key of ['bad key', 'x'.repeat(256)])
      expect(await post([key])).toEqual({
        status: 400,
        body: expect.objectContaining({
          type: 'urn:sandbox-ledger:problem:invalid-idempotency-key',
          detail: 'Idempotency-Key must be 1 to 255 visible ASCII characters, with no space',
        }),
      });
    expect(await ledger.store.count()).toBe(before);
    expect((await post(['one,key'])).status).toBe(201);
  });
});
