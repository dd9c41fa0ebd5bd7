// Ruleset 2 through HTTP on the real SQLite store: a version published now settles its filings by it, a filing filed
// under v1 keeps ruleset 1, and the verifier replays both from the export. A version under rules newer than the build's
// stops it from starting, and, published on a shared PostgreSQL store while it runs, makes it refuse what uses the rules.
import { mkdtempSync, rmSync } from 'node:fs';
import { jest } from '@jest/globals';
import pg from 'pg';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PostgresEventStore } from '../../src/ledger/event-store/postgres-event-store.js';
import { SqliteEventStore } from '../../src/ledger/event-store/sqlite-event-store.js';
import type { JsonObject } from '../../src/verifier/envelope.js';
import { ExportVerifier } from '../../src/verifier/export-verifier.js';
import { refusalLinesOf } from '../../src/common/problem.filter.js';
import { POLICY_V1 } from '../../src/verifier/sandbox-policy.js';
import { actingAs, filingBody, principal, startLedger, type LedgerApp } from '../support/ledger-app.js';
import { openFilesUnder } from '../support/open-files.js';
import { dropSchema, freshSchema, skipWithoutDatabase, testDatabaseUrl } from '../support/pg-schema.js';

type Who = { id: string; key: string };
const iso = (t: number) => new Date(t).toISOString();
const sleepUntil = (t: number) => new Promise((r) => setTimeout(r, Math.max(0, t - Date.now())));
const labels = {
  explicit: { text: 'AI生成', placement: ['bottom-right'], textHeightRatio: 0.06 },
  implicit: { AIGC: { Label: '1', ContentProducer: 'ACME-AI', ProduceID: 'gen-1', ReservedCode1: '', ReservedCode2: '' } },
};

describe('sandbox rules by ruleset', () => {
  let ledger: LedgerApp;
  let admin: Who;
  let alice: Who;
  let bob: Who;
  let carol: Who;
  let dave: Who;
  let rita: Who;
  let victor: Who;
  let audrey: Who;
  let underV1: string;
  let underV2: string;

  const as = (who: Who) => actingAs(ledger, who);
  const file = async (who: Who) => {
    const res = await as(who).post('/v1/filings', filingBody());
    expect(res.status).toBe(201);
    return res.body as { filingId: string; right: Record<string, unknown> };
  };
  const complain = async (complainant: Who, filingId: string, type: string) => {
    const opened = await as(complainant).post('/v1/disputes', { type, filingId, claim: 'This is mine.' });
    expect(opened.status).toBe(201);
    return opened.body.disputeId as string;
  };
  /** Upholds an open complaint against Alice's filing with `remedy`, final at once by an affirmed appeal. */
  const uphold = async (id: string, remedy: string) => {
    for (const [who, path, body] of [
      [rita, 'assign', { reviewerId: rita.id }],
      [alice, 'response', { statement: 'It is mine.' }],
      [rita, 'decision', { outcome: 'upheld', remedy, reasoning: 'The claim holds.' }],
      [alice, 'appeal', { grounds: 'Wrong.' }],
      [victor, 'appeal-decision', { ruling: 'affirm', reasoning: 'Affirmed.' }],
    ] as const) {
      const res = await as(who).post(`/v1/disputes/${id}/${path}`, body);
      if (res.status !== 200) throw new Error(`${path}: ${res.status} ${res.text}`);
    }
  };
  const right = async (filingId: string) => (await as(audrey).get(`/v1/rights/${filingId}`)).body;

  beforeAll(async () => {
    ledger = await startLedger({ settlementIntervalMs: 0 });
    admin = { id: 'admin', key: ledger.adminKey };
    [alice, bob, carol, dave] = await Promise.all(['Alice', 'Bob', 'Carol', 'Dave'].map((n) => principal(ledger, n, ['creator'])));
    [rita, victor] = await Promise.all(['Rita', 'Victor'].map((n) => principal(ledger, n, ['reviewer'])));
    audrey = await principal(ledger, 'Audrey', ['auditor']);
    underV1 = (await file(alice)).filingId;
    // A few seconds ahead, so the requests before it come before it on a loaded machine.
    const effective = Date.now() + 3000;
    const published = await as(admin).post('/v1/policy', { effectiveFrom: iso(effective), parameters: { repeatInfringer: { upheld: 4 } } });
    expect(published.status).toBe(201);
    expect(published.body.parameters).toMatchObject({ ruleset: 2, repeatInfringer: { upheld: 4, windowDays: 365 } });
    await sleepUntil(effective + 50);
    const v2 = await file(alice);
    expect(v2.right).toMatchObject({ policyVersion: 2 });
    underV2 = v2.filingId;
  });
  afterAll(() => ledger.close());

  it('v1 keeps ruleset 1; the version published now records ruleset 2', async () => {
    const policy = (await ledger.http().get('/v1/policy')).body;
    expect(policy.versions.map((v: { version: number; ruleset: number }) => [v.version, v.ruleset])).toEqual([
      [1, 1],
      [2, 2],
    ]);
  });

  it('relabelling lifts a suspend remedy while another complaint is open under ruleset 2; under ruleset 1 it waits', async () => {
    for (const filingId of [underV1, underV2]) {
      expect((await as(alice).post(`/v1/filings/${filingId}/labels`, labels)).status).toBe(201);
      await uphold(await complain(bob, filingId, 'mislabeling'), 'suspend');
      expect(await right(filingId)).toMatchObject({ status: 'suspended', rule: 'dispute-upheld-suspend', flags: [] });
      await complain(carol, filingId, 'infringement');
      const relabelled = { ...labels, explicit: { ...labels.explicit, textHeightRatio: 0.08 } };
      expect((await as(alice).post(`/v1/filings/${filingId}/labels`, relabelled)).status).toBe(201);
    }
    expect(await right(underV1)).toMatchObject({ status: 'suspended', rule: 'dispute-upheld-suspend', flags: ['disputed'] });
    expect(await right(underV2)).toMatchObject({
      status: 'provisional',
      rule: 'relabelled',
      cause: { event: 'LabelsDeclared' },
      flags: ['disputed'],
    });
  });

  it('a ruling upheld once another had ended the right changes nothing and does not count against the former creator', async () => {
    const { filingId } = await file(alice);
    const byCarol = await complain(carol, filingId, 'authorship');
    const byDave = await complain(dave, filingId, 'infringement');
    await uphold(byCarol, 'transfer');
    expect(await right(filingId)).toMatchObject({ status: 'transferred', holder: carol.id });
    await uphold(byDave, 'revoke');
    expect(await right(filingId)).toMatchObject({ status: 'transferred', holder: carol.id });
    // Four rulings upheld against Alice, three of which reached her right: under v2 (four to probation) she is not on it.
    const next = await file(alice);
    expect(next.right).toMatchObject({ policyVersion: 2, flags: [], probation: null });
    expect(await right(next.filingId)).toMatchObject({ flags: [], probation: null });
    const stats = (await as(audrey).get('/v1/stats')).body;
    expect(stats.disputes).toMatchObject({ upheld: 4 });
    expect(stats.repeatInfringement).toMatchObject({ threshold: { upheld: 4 }, repeatInfringers: 0 });
  });

  it('a settlement records the rights by their rulesets, and the verifier replays it from the export', async () => {
    const settled = await as(admin).post('/v1/settlements');
    expect(settled.status).toBe(201);
    expect(settled.body.policyVersion).toBe(2);
    const changes = settled.body.changes as Array<{ filingId: string; to: string }>;
    expect(changes.find((c) => c.filingId === underV1)).toMatchObject({ to: 'suspended' });
    expect(changes.find((c) => c.filingId === underV2)).toBeUndefined(); // provisional again, as it was filed
    const vkey = (await ledger.http().get('/v1/ledger/key')).text.trim();
    const checkpoint = (await ledger.http().get('/v1/ledger/checkpoint')).text;
    const exported = (await as(audrey).get('/v1/ledger/export')).text.split('\n').filter(Boolean);
    const v = new ExportVerifier();
    expect(v.checkCheckpoint(checkpoint, vkey)).toBe(true);
    for (const line of exported) if (!v.push(line)) break;
    expect(v.finish()).toMatchObject({ ok: true });
    expect(v.settlementsAudited).toBe(1);
  });
});

/** A policy version as a newer build would publish it, under ruleset 3, which this build does not know. */
const underRuleset3 = (version: number, parameters: object, effectiveInMs: number) => ({
  type: 'PolicyPublished',
  data: {
    version,
    effectiveFrom: iso(Date.now() + effectiveInMs),
    publishedAt: iso(Date.now()),
    parameters: { ...parameters, ruleset: 3 },
  } as JsonObject,
  meta: { actor: 'admin' },
});

describe('a log holding a version under rules newer than the build', () => {
  it('does not start, naming the version and its ruleset', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'ruleset-newer-'));
    try {
      const first = await startLedger({ dataDir });
      const published = await first
        .http()
        .post('/v1/policy')
        .set('authorization', `Bearer ${first.adminKey}`)
        .send({ effectiveFrom: iso(Date.now() + 3_600_000), parameters: {} });
      expect(published.status).toBe(201);
      const v2 = (await first.http().get('/v1/policy')).body.versions[1];
      expect(v2.ruleset).toBe(2);
      await first.close();
      // Version 3 as a newer build would publish it, under a ruleset this build does not know.
      const store = SqliteEventStore.open(join(dataDir, 'events.sqlite'));
      try {
        const { version: _v, effectiveFrom: _e, ...parameters } = v2 as Record<string, unknown>;
        await store.appendToStream('policy', [underRuleset3(3, parameters, 7_200_000)], 'any');
      } finally {
        await store.close();
      }
      await expect(startLedger({ dataDir })).rejects.toThrow(
        'policy version 3 settles its filings by ruleset 3, newer than this build knows (up to 2): run the build that published it, or a newer one',
      );
      // The start that failed closed what it had opened: no file of the ledger is left open in this process.
      expect(openFilesUnder(dataDir)).toEqual([]);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

const RULESET_UNKNOWN = 'urn:sandbox-ledger:problem:ruleset-unknown';
const NEWER = 'policy version 2 settles its filings by ruleset 3, newer than this build knows (up to 2)';

const url = testDatabaseUrl;
if (!url) skipWithoutDatabase('a version under rules newer than the build, published while it runs (PostgreSQL)');
else {
  describe('a version under rules newer than the build, published while it runs (PostgreSQL)', () => {
    const schema = freshSchema('test_ruleset');
    let ledger: LedgerApp;
    /** Another instance's handle on the same schema: a newer build's, which knows ruleset 3. */
    let other: PostgresEventStore;
    let admin: Who;
    let alice: Who;
    let filingId: string;
    let size: number;

    const refused = (res: { status: number; headers: Record<string, string>; body: { type?: string; detail?: string } }) => {
      expect(res.status).toBe(503);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.body).toMatchObject({ type: RULESET_UNKNOWN, status: 503, version: 2, ruleset: 3, known: 2 });
      expect(res.body.detail).toContain(NEWER);
    };

    /** The server's error lines (context `errors`), kept from the test's output; the rest pass through. */
    const errorLines: string[] = [];
    const spies: Array<{ mockRestore(): void }> = [];

    beforeAll(async () => {
      for (const stream of [process.stdout, process.stderr]) {
        const write = stream.write.bind(stream) as (chunk: unknown, ...rest: unknown[]) => boolean;
        spies.push(
          jest.spyOn(stream, 'write').mockImplementation(((chunk: unknown, ...rest: unknown[]) => {
            if (String(chunk).includes('"context":"errors"')) {
              errorLines.push(String(chunk));
              return true;
            }
            return write(chunk, ...rest);
          }) as typeof process.stdout.write),
        );
      }
      ledger = await startLedger({ store: 'postgres', databaseUrl: url, databaseSchema: schema, logLevel: 'error' });
      other = await PostgresEventStore.open(url, { schema });
      admin = { id: 'admin', key: ledger.adminKey };
      alice = await principal(ledger, 'Alice', ['creator']);
      const filed = await actingAs(ledger, alice).post('/v1/filings', filingBody());
      expect(filed.status).toBe(201);
      filingId = filed.body.filingId;
      // Version 2 as a newer build publishes it, through its own handle on the store, while this instance runs.
      const { version: _v, ...parameters } = POLICY_V1;
      await other.appendToStream('policy', [underRuleset3(2, parameters, 3_600_000)], 'no-stream');
      size = await other.count();
    });
    afterAll(async () => {
      await ledger?.close();
      await other?.close();
      await dropSchema(schema);
      for (const spy of spies) spy.mockRestore();
    });

    it('refuses a filing with 503 ruleset-unknown, naming the version and its ruleset, and appends nothing', async () => {
      refused(await actingAs(ledger, alice).post('/v1/filings', filingBody()));
      expect(await other.count()).toBe(size);
      expect(await ledger.store.count()).toBe(size);
    });

    it('refuses the reads that depend on the rules, and what would write by them', async () => {
      refused(await actingAs(ledger, admin).get(`/v1/rights/${filingId}`));
      refused(await actingAs(ledger, admin).get('/v1/rights'));
      refused(await actingAs(ledger, alice).get(`/v1/filings/${filingId}`));
      refused(await ledger.http().get('/v1/policy'));
      refused(await actingAs(ledger, admin).post('/v1/settlements'));
      refused(await actingAs(ledger, admin).post('/v1/policy', { effectiveFrom: iso(Date.now() + 7_200_000), parameters: {} }));
      expect(await other.count()).toBe(size);
    });

    it('is not ready: /health answers the refusal; it is alive (/health/live), so a liveness probe leaves it be', async () => {
      refused(await ledger.http().get('/health'));
      const live = await ledger.http().get('/health/live');
      expect(live.status).toBe(200);
      expect(live.body).toEqual({ status: 'alive' });
    });

    it('logs the refusal once, then how many more there were: not a line a request', async () => {
      const logged = () => errorLines.filter((line) => line.includes('ruleset-unknown: '));
      for (let i = 0; i < 20; i++) refused(await ledger.http().get('/v1/policy'));
      // The describe's first refusal wrote the one line; those since are counted until the window ends or the server stops.
      expect(logged()).toHaveLength(1);
      expect(logged()[0]).toContain(NEWER);
      // Another application of the process that closes sums up its own refusals, not this one's.
      const neighbour = await startLedger({ logLevel: 'error' });
      await neighbour.close();
      expect(logged()).toHaveLength(1);
      refusalLinesOf(ledger.app.getHttpAdapter().getInstance())!.flush();
      expect(logged()).toHaveLength(2);
      const summary = logged()[1];
      expect(summary).toMatch(/\(the last of (\d+) more like it from /);
      expect(Number(/\(the last of (\d+) more/.exec(summary)![1])).toBeGreaterThanOrEqual(20);
    });

    it('answers the reads that do not depend on the rules', async () => {
      expect((await ledger.http().get('/v1/ledger/checkpoint')).status).toBe(200);
      expect((await ledger.http().get('/v1/ledger/key')).status).toBe(200);
      expect((await actingAs(ledger, alice).get('/v1/filings')).status).toBe(200);
    });

    it('writes no right by rules it does not know: the read models wait for an instance that knows them', async () => {
      const rightRow = async () => {
        const client = new pg.Client({ connectionString: url });
        await client.connect();
        try {
          const { rows } = await client.query(`SELECT "status", "lastLeafIndex" FROM "${schema}"."rights" WHERE "filingId" = $1`, [
            filingId,
          ]);
          return rows[0] as { status: string; lastLeafIndex: number };
        } finally {
          await client.end();
        }
      };
      const before = await rightRow();
      expect(before.status).toBe('provisional');
      // The newer instance withdraws the filing: an event whose right this instance would recompute over the policy stream.
      await other.appendToStream(
        `filing-${filingId}`,
        [
          {
            type: 'FilingWithdrawn',
            data: { filingId, reason: null, withdrawnAt: iso(Date.now()) } as JsonObject,
            meta: { actor: alice.id },
          },
        ],
        'any',
      );
      const after = await other.count();
      // A read that waits for the read models to hold it is refused: this instance's projection stops at the batch.
      const waited = await actingAs(ledger, alice).get(`/v1/filings?minPosition=${after}`);
      expect(waited.status).toBe(503);
      expect(waited.body.type).toMatch(/:(ruleset-unknown|read-models-behind)$/);
      expect(await rightRow()).toEqual(before);
    });
  });
}
