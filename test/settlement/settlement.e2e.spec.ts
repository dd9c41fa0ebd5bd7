// The sandbox end to end through HTTP on the real SQLite store: near-duplicates, rights for any instant, repeat
// infringers, settlement runs recorded on the chain and audited by the verifier, governance figures.
import { randomBytes } from 'node:crypto';
import { computeEventHash, type EventEnvelope } from '../../src/verifier/envelope.js';
import { DataSource } from 'typeorm';
import { DisputeView } from '../../src/disputes/dispute-view.entity.js';
import { ProjectionRunner } from '../../src/ledger/read-models/projection-runner.js';
import { ApiKeyView, PrincipalView } from '../../src/auth/principal-view.entity.js';
import { FilingView } from '../../src/filing/filing-view.entity.js';
import { RightView } from '../../src/settlement/right-view.entity.js';
import { FILING_SAFEGUARDS, type FilingSafeguards } from '../../src/filing/filing-safeguards.js';
import { ExportVerifier } from '../../src/verifier/export-verifier.js';
import { expectRefused, filingBody, principal, startLedger, type LedgerApp } from '../support/ledger-app.js';
import { commitFiling, filingDetails } from '../support/filing-commits.js';
import { verifyWholeLedger } from '../support/whole-ledger.js';

type Who = { id: string; key: string };
const DAY = 86_400_000;
const iso = (t: number) => new Date(t).toISOString();

/** `hex` with `bits` bits flipped from bit `from` on: a near-duplicate at exactly that Hamming distance. */
const flipped = (hex: string, bits: number, from = 0) => {
  const chars = hex.split('').map((c) => parseInt(c, 16));
  for (let b = from; b < from + bits; b++) chars[b >> 2] ^= 8 >> (b & 3);
  return chars.map((c) => c.toString(16)).join('');
};
const phash = () => randomBytes(8).toString('hex');
const labels = {
  explicit: { text: 'AI生成', placement: ['bottom-right'], textHeightRatio: 0.06 },
  implicit: { AIGC: { Label: '1', ContentProducer: 'ACME-AI', ProduceID: 'gen-1', ReservedCode1: '', ReservedCode2: '' } },
};

describe('sandbox settlement', () => {
  let ledger: LedgerApp;
  let alice: Who;
  let bob: Who;
  let carol: Who;
  let dave: Who;
  let rex: Who;
  let rita: Who;
  let victor: Who;
  let audrey: Who;
  let admin: Who;

  const as = (who: Who) => ({
    post: (path: string, body: object = {}) => ledger.http().post(path).set('authorization', `Bearer ${who.key}`).send(body),
    get: (path: string, query: Record<string, string | number> = {}) =>
      ledger.http().get(path).query(query).set('authorization', `Bearer ${who.key}`),
  });
  const file = async (who: Who, hash: string | null = phash(), scheme = 'phash64') => {
    const res = await as(who).post('/v1/filings', filingBody({ perceptualHash: hash === null ? undefined : { scheme, value: hash } }));
    expect(res.status).toBe(201);
    return res.body as { filingId: string; leafIndex: number; recordedAt: string; right: Record<string, any> };
  };
  const refused = (send: Parameters<typeof expectRefused>[1], status: number, code: string) => expectRefused(ledger, send, status, code);
  /** A complaint by `complainant` upheld with `remedy` and made final at once by an affirmed appeal. */
  const uphold = async (filingId: string, respondent: Who, complainant: Who, remedy = 'revoke', type = 'infringement') => {
    const opened = await as(complainant).post('/v1/disputes', { type, filingId, claim: 'This copies my work.' });
    expect(opened.status).toBe(201);
    const id = opened.body.disputeId;
    for (const [who, path, body] of [
      [rita, 'assign', { reviewerId: rita.id }],
      [respondent, 'response', { statement: 'It is mine.' }],
      [rita, 'decision', { outcome: 'upheld', remedy, reasoning: 'Copied.' }],
      [respondent, 'appeal', { grounds: 'Wrong.' }],
      [victor, 'appeal-decision', { ruling: 'affirm', reasoning: 'Affirmed.' }],
    ] as const)
      expect((await as(who).post(`/v1/disputes/${id}/${path}`, body)).status).toBe(200);
    return id as string;
  };

  beforeAll(async () => {
    ledger = await startLedger({ settlementIntervalMs: 0 });
    admin = { id: 'admin', key: ledger.adminKey };
    alice = await principal(ledger, 'Alice', ['creator']);
    bob = await principal(ledger, 'Bob', ['creator']);
    carol = await principal(ledger, 'Carol', ['creator']);
    dave = await principal(ledger, 'Dave', ['creator']);
    rex = await principal(ledger, 'Rex', ['creator', 'reviewer']);
    rita = await principal(ledger, 'Rita', ['reviewer']);
    victor = await principal(ledger, 'Victor', ['reviewer']);
    audrey = await principal(ledger, 'Audrey', ['auditor']);
  });
  afterAll(() => ledger.close());

  describe('near-duplicates', () => {
    it("flags a near-duplicate of someone else's earlier filing in the same commit, and a reviewer clears it", async () => {
      const hash = phash();
      const original = await file(alice, hash);
      expect(original.right).toMatchObject({
        status: 'provisional',
        flags: [],
        similarity: null,
        policyVersion: 1,
        rule: 'filing-accepted',
      });
      // The same creator re-filing a variant is no near-duplicate of someone else's work.
      const variant = await file(alice, flipped(hash, 2, 40));
      expect(variant.right.flags).toEqual([]);

      const copy = await file(bob, flipped(hash, 5));
      expect(copy.right).toMatchObject({
        status: 'provisional',
        flags: ['similarityReview'],
        similarity: {
          review: 'pending',
          candidates: [
            { filingId: original.filingId, creator: alice.id, distance: 5, leafIndex: original.leafIndex },
            { filingId: variant.filingId, creator: alice.id, distance: 7, leafIndex: variant.leafIndex },
          ],
        },
      });
      const history = await as(bob).get(`/v1/filings/${copy.filingId}/history`);
      expect(history.body.events.map((e: EventEnvelope) => [e.type, e.leafIndex])).toEqual([
        ['WorkFiled', copy.leafIndex],
        ['NearDuplicatesFound', copy.leafIndex + 1],
      ]);
      // Found by the screening, so in WorkFiled's commit: not a follow-up for a filing that landed meanwhile.
      expect(history.body.events[1].recordedAt).toBe(history.body.events[0].recordedAt);
      expect(history.body.events[1].meta).toEqual({ actor: bob.id });
      expect(history.body.events[1].data).toMatchObject({ scheme: 'phash64', threshold: 8, policyVersion: 1 });
      // Beyond the threshold (9 > 8 bits) is no candidate.
      expect((await file(carol, flipped(hash, 9, 20))).right.flags).toEqual([]);

      const clear =
        (who: Who, body: object, id = copy.filingId) =>
        () =>
          as(who).post(`/v1/filings/${id}/similarity-clearance`, body);
      const ok = { flag: 'similarityReview', decision: 'cleared', reasoning: 'Different composition; the shared hash bits are the sky.' };
      await refused(clear(bob, ok), 403, 'role-required');
      await refused(clear(audrey, ok), 403, 'role-required');
      await refused(clear(rita, { ...ok, flag: 'probation' }), 409, 'flag-not-raised');
      await refused(clear(rita, { ...ok, decision: 'maybe' }), 400, 'validation-failed');
      await refused(clear(rita, { ...ok, extra: true }), 400, 'validation-failed');
      await refused(clear(rita, { ...ok, reasoning: '  ' }), 400, 'validation-failed');
      await refused(clear(rita, ok, '0190a0b0-0000-7000-8000-000000000000'), 404, 'filing-not-found');
      const own = await file(rex, flipped(hash, 1, 63));
      expect(own.right.flags).toEqual(['similarityReview']);
      await refused(clear(rex, ok, own.filingId), 403, 'reviewer-is-creator');

      const cleared = await clear(rita, ok)();
      expect(cleared.status).toBe(200);
      expect(cleared.body).toMatchObject({
        filingId: copy.filingId,
        flag: 'similarityReview',
        decision: 'cleared',
        reviewedBy: rita.id,
        reviewedAt: expect.any(String),
        right: { flags: [], similarity: { review: 'cleared' } },
      });
      // The refusal names the review that stands, for a client to say it in its own words.
      await expect(refused(clear(victor, { ...ok, decision: 'confirmed' }), 409, 'flag-already-reviewed')).resolves.toMatchObject({
        flag: 'similarityReview',
        decision: 'cleared',
        reviewedAt: cleared.body.reviewedAt,
      });

      // Cleared and labelled, it is confirmed once the quiet period is over.
      expect((await as(bob).post(`/v1/filings/${copy.filingId}/labels`, labels)).status).toBe(201);
      const later = await as(bob).get(`/v1/rights/${copy.filingId}`, { asOf: iso(Date.parse(copy.recordedAt) + 31 * DAY) });
      expect(later.body).toMatchObject({ status: 'confirmed', rule: 'quiet-period-over', flags: [] });
      const flaggedList = await as(audrey).get('/v1/rights', { flag: 'similarityReview' });
      expect(flaggedList.body.items.map((r: { filingId: string }) => r.filingId)).toEqual([own.filingId]);
    });

    it('flags whichever of two concurrent near-duplicate filings lands later in the log', async () => {
      for (let round = 0; round < 5; round++) {
        const hash = phash();
        const [a, b] = await Promise.all([file(carol, hash), file(dave, flipped(hash, 3))]);
        const [first, second] = a.leafIndex < b.leafIndex ? [a, b] : [b, a];
        expect(first.right.flags).toEqual([]);
        expect(second.right).toMatchObject({
          flags: ['similarityReview'],
          similarity: { candidates: [{ filingId: first.filingId, distance: 3 }] },
        });
        const history = await as(audrey).get(`/v1/filings/${second.filingId}/history`);
        expect(history.body.events.filter((e: EventEnvelope) => e.type === 'NearDuplicatesFound')).toHaveLength(1);
      }
    });

    it("records a filing committed between another's screening and its commit as a follow-up candidate", async () => {
      const safeguards = ledger.app.get<FilingSafeguards>(FILING_SAFEGUARDS);
      const hash = phash();
      const now = new Date();
      const late = filingDetails(dave.id, flipped(hash, 2));
      const screening = await safeguards.screen(late, now);
      expect(screening.events).toEqual([]);
      const early = await file(carol, hash); // commits after the screening, before the late filing
      const filed = await commitFiling(ledger.store, late, now);
      const right = await safeguards.afterFiled(late, filed, screening);
      expect(right).toMatchObject({ flags: ['similarityReview'], similarity: { candidates: [{ filingId: early.filingId, distance: 2 }] } });
      const stream = await ledger.store.readStream(`filing-${late.filingId}`);
      expect(stream.map((e) => [e.type, e.meta.cause ?? null])).toEqual([
        ['WorkFiled', null],
        ['NearDuplicatesFound', 'concurrent-filing'],
      ]);
    });

    it('a screening compares with every filing this process has committed, whatever wrote it', async () => {
      const safeguards = ledger.app.get<FilingSafeguards>(FILING_SAFEGUARDS);
      const hash = phash();
      const now = new Date();
      const earlier = filingDetails(carol.id, hash);
      await safeguards.screen(earlier, now); // the index is current up to here
      const filed = await commitFiling(ledger.store, earlier, now);
      const screening = await safeguards.screen(filingDetails(dave.id, flipped(hash, 2)), now);
      expect(screening.position).toBeGreaterThan(filed.leafIndex);
      expect(screening.events).toMatchObject([
        { type: 'NearDuplicatesFound', data: { candidates: [{ filingId: earlier.filingId, distance: 2 }] } },
      ]);
    });

    it('compares pdq256 and simhash64 under their own thresholds', async () => {
      const pdq = randomBytes(32).toString('hex');
      await file(alice, pdq, 'pdq256');
      expect((await file(bob, flipped(pdq, 31), 'pdq256')).right.flags).toEqual(['similarityReview']);
      expect((await file(carol, flipped(pdq, 32, 100), 'pdq256')).right.flags).toEqual([]);
      const sim = phash();
      await file(alice, sim, 'simhash64');
      expect((await file(bob, flipped(sim, 3), 'simhash64')).right.flags).toEqual(['similarityReview']);
      expect((await file(carol, flipped(sim, 4, 40), 'simhash64')).right.flags).toEqual([]);
      // Same bits under another scheme are not compared.
      expect((await file(dave, sim, 'phash64')).right.flags).toEqual([]);
    });
  });

  describe('the right of a filing at any instant', () => {
    it('answers past and future instants deterministically', async () => {
      const labelled = await file(carol, null);
      expect((await as(carol).post(`/v1/filings/${labelled.filingId}/labels`, labels)).status).toBe(201);
      const unlabelled = await file(carol, null);
      const filedAt = Date.parse(labelled.recordedAt);
      const right = (id: string, asOf: number) => as(carol).get(`/v1/rights/${id}`, { asOf: iso(asOf) });

      await refused(() => right(labelled.filingId, filedAt - 60_000), 404, 'right-not-yet-open');
      expect((await right(labelled.filingId, filedAt + 1000)).body).toMatchObject({
        status: 'provisional',
        holder: carol.id,
        flags: [],
        policyVersion: 1,
      });
      const confirmed = await right(labelled.filingId, filedAt + 30 * DAY);
      expect(confirmed.body).toMatchObject({ status: 'confirmed', rule: 'quiet-period-over', cause: { deadline: 'quietUntil' } });
      expect((await right(labelled.filingId, filedAt + 30 * DAY)).body).toEqual(confirmed.body);
      expect((await right(labelled.filingId, filedAt + 761 * DAY)).body).toMatchObject({ status: 'expired', rule: 'term-ended' });
      expect((await right(unlabelled.filingId, filedAt + 8 * DAY)).body).toMatchObject({
        status: 'suspended',
        rule: 'labels-overdue',
        flags: ['labelOverdue'],
      });
      expect((await as(carol).get(`/v1/rights/${unlabelled.filingId}`)).body).toMatchObject({ status: 'provisional', flags: [] });

      await refused(() => as(dave).get('/v1/rights/0190a0b0-0000-7000-8000-000000000000'), 404, 'filing-not-found');
      // Another creator may not read it, at any instant (what is refused is who asks, before whether it was open then).
      await refused(() => as(dave).get(`/v1/rights/${labelled.filingId}`, { asOf: iso(filedAt - 60_000) }), 403, 'not-owner');
      await refused(() => as(dave).get(`/v1/rights/${labelled.filingId}`), 403, 'not-owner');
      await refused(() => as(dave).get(`/v1/rights/${labelled.filingId}`, { asOf: 'yesterday' }), 400, 'validation-failed');
      await refused(() => as(dave).get(`/v1/rights/${labelled.filingId}`, { asOf: '2027-01-01T00:00:00' }), 400, 'validation-failed');
      await refused(() => ledger.http().get(`/v1/rights/${labelled.filingId}`), 401, 'missing-key');
    });
  });

  describe('repeat infringers', () => {
    it('three upheld disputes within 365 days put the creator on probation until a reviewer clears a new filing', async () => {
      for (let i = 0; i < 3; i++) {
        const infringing = await file(dave, null);
        await uphold(infringing.filingId, dave, alice);
      }
      const next = await file(dave, null);
      expect(next.right).toMatchObject({
        status: 'provisional',
        flags: ['probation'],
        probation: { upheld: 3, windowDays: 365, review: 'pending' },
      });
      expect((await as(dave).post(`/v1/filings/${next.filingId}/labels`, labels)).status).toBe(201);
      const quiet = iso(Date.parse(next.recordedAt) + 31 * DAY);
      expect((await as(dave).get(`/v1/rights/${next.filingId}`, { asOf: quiet })).body).toMatchObject({
        status: 'provisional',
        flags: ['probation'],
      });

      const review = await as(rita).post(`/v1/filings/${next.filingId}/similarity-clearance`, {
        flag: 'probation',
        decision: 'cleared',
        reasoning: 'Process records are complete and original.',
      });
      expect(review.status).toBe(200);
      expect(review.body.right).toMatchObject({ flags: [], probation: { review: 'cleared' } });
      expect((await as(dave).get(`/v1/rights/${next.filingId}`, { asOf: quiet })).body).toMatchObject({ status: 'confirmed', flags: [] });
      // Before the clearance (an instant in the past) the flag still held.
      expect((await as(dave).get(`/v1/rights/${next.filingId}`, { asOf: next.recordedAt })).body.flags).toEqual(['probation']);
    });
  });

  describe('settlement runs', () => {
    let withdrawn: string;
    let revoked: string;
    let transferred: string;

    it("records RightsSettled with each right's from → to and rule on the settlements stream", async () => {
      withdrawn = (await file(carol, null)).filingId;
      expect((await as(carol).post(`/v1/filings/${withdrawn}/withdraw`, {})).status).toBe(200);
      revoked = (await file(bob, null)).filingId;
      await uphold(revoked, bob, carol, 'revoke');
      transferred = (await file(bob, null)).filingId;
      await uphold(transferred, bob, carol, 'transfer', 'authorship');

      const before = await ledger.store.count();
      const run = await as(admin).post('/v1/settlements');
      expect(run.status).toBe(201);
      expect(await ledger.store.count()).toBe(before + 1);
      expect(run.body).toMatchObject({
        recorded: true,
        trigger: 'admin',
        policyVersion: 1,
        policyVersions: [1],
        logSize: before,
        leafIndex: before,
        revision: 0,
      });
      const changes = Object.fromEntries(run.body.changes.map((c: any) => [c.filingId, c]));
      expect(changes[withdrawn]).toMatchObject({
        from: 'provisional',
        to: 'withdrawn',
        rule: 'filing-withdrawn',
        holder: carol.id,
        cause: { event: 'FilingWithdrawn' },
      });
      expect(changes[revoked]).toMatchObject({
        from: 'provisional',
        to: 'revoked',
        rule: 'dispute-upheld-revoke',
        cause: { event: 'AppealDecided' },
      });
      expect(changes[transferred]).toMatchObject({
        from: 'provisional',
        to: 'transferred',
        rule: 'dispute-upheld-transfer',
        holder: carol.id,
      });
      // Dave's three revoked filings from the repeat-infringer test are in it too; nothing else changed.
      expect(run.body.changes.every((c: any) => ['withdrawn', 'revoked', 'transferred'].includes(c.to))).toBe(true);

      const listed = await as(audrey).get('/v1/settlements');
      expect(listed.status).toBe(200);
      expect(listed.body.items).toHaveLength(1);
      expect(listed.body.items[0]).toMatchObject({ revision: 0, leafIndex: before, actor: expect.any(String), changes: run.body.changes });
      const transferredNow = await as(audrey).get('/v1/rights', { holder: carol.id, status: 'transferred' });
      expect(transferredNow.body.items.map((r: { filingId: string }) => r.filingId)).toEqual([transferred]);

      // Nothing changed since: an admin's run is still recorded, with no changes.
      const again = await as(admin).post('/v1/settlements');
      expect(again.body).toMatchObject({ recorded: true, changes: [], revision: 1 });
    });

    it('refuses a run in the future, one earlier than the previous, and anyone but an admin, appending nothing', async () => {
      await refused(() => as(admin).post('/v1/settlements', { asOf: iso(Date.now() + DAY) }), 422, 'as-of-in-future');
      await refused(() => as(admin).post('/v1/settlements', { asOf: iso(Date.now() - DAY) }), 409, 'settlement-out-of-order');
      await refused(() => as(admin).post('/v1/settlements', { asOf: 'now' }), 400, 'validation-failed');
      await refused(() => as(admin).post('/v1/settlements', { force: true }), 400, 'validation-failed');
      await refused(() => as(rita).post('/v1/settlements'), 403, 'role-required');
      await refused(() => as(audrey).post('/v1/settlements'), 403, 'role-required');
      await refused(() => as(bob).get('/v1/settlements'), 403, 'role-required');
    });

    it('replays idempotently with the same Idempotency-Key', async () => {
      const send = () =>
        ledger
          .http()
          .post('/v1/settlements')
          .set('authorization', `Bearer ${ledger.adminKey}`)
          .set('idempotency-key', 'settle-once')
          .send({});
      const first = await send();
      const before = await ledger.store.count();
      const second = await send();
      expect(second.body).toEqual(first.body);
      expect(await ledger.store.count()).toBe(before);
    });

    it('the verifier audits every recorded settlement in a real export, and names a forged one by its leaf', async () => {
      const vkey = (await ledger.http().get('/v1/ledger/key')).text.trim();
      const checkpoint = (await ledger.http().get('/v1/ledger/checkpoint')).text;
      const exported = (await as(audrey).get('/v1/ledger/export')).text.split('\n').filter(Boolean);
      const verify = (lines: string[]) => {
        const v = new ExportVerifier();
        expect(v.checkCheckpoint(checkpoint, vkey)).toBe(true);
        for (const line of lines) if (!v.push(line)) break;
        return { result: v.finish(), audited: v.settlementsAudited };
      };
      const honest = verify(exported);
      expect(honest.result).toMatchObject({ ok: true });
      expect(honest.audited).toBe(3);

      // Forge the first settlement: revoked → confirmed, its hash recomputed and the settlements chain re-linked.
      const events: EventEnvelope[] = exported.map((l) => JSON.parse(l));
      const settlements = events.filter((e) => e.stream === 'settlements');
      const forged = settlements[0];
      const change = (forged.data.changes as Array<Record<string, string>>).find((c) => c.filingId === revoked)!;
      change.to = 'confirmed';
      let prev = forged.prevHash;
      for (const e of settlements) {
        e.prevHash = prev;
        e.hash = computeEventHash(e);
        prev = e.hash;
      }
      const tampered = verify(events.map((e) => JSON.stringify(e)));
      expect(tampered.result).toEqual({
        ok: false,
        leafIndex: forged.leafIndex,
        reason: expect.stringMatching(
          new RegExp(
            `right ${revoked} is recorded as provisional → confirmed .*the rules give provisional → revoked \\(dispute-upheld-revoke`,
          ),
        ),
        code: 'settlement',
        settlement: expect.objectContaining({
          rule: 'right',
          filingId: revoked,
          recorded: expect.objectContaining({ from: 'provisional', to: 'confirmed' }),
          expected: expect.objectContaining({ from: 'provisional', to: 'revoked', rule: 'dispute-upheld-revoke' }),
        }),
      });
    });
  });

  describe('the rights read model', () => {
    it('is rebuilt from the events to the same rows', async () => {
      const rows = () =>
        ledger.app
          .get(DataSource)
          .getRepository(RightView)
          .find({ order: { leafIndex: 'ASC' } });
      const before = await rows();
      expect(before.length).toBeGreaterThan(20);
      await ledger.app.get(ProjectionRunner).rebuild();
      expect(await rows()).toEqual(before);
    });

    it('is the same whether the runner applies the log in one batch, a few events at a time or one by one', async () => {
      const db = ledger.app.get(DataSource);
      const dump = async () =>
        Object.fromEntries(
          await Promise.all(
            [FilingView, PrincipalView, ApiKeyView, DisputeView, RightView].map(
              async (table) => [table.name, (await db.getRepository(table).find()).map((row) => JSON.stringify(row)).sort()] as const,
            ),
          ),
        );
      const applied = await dump();
      expect(applied.DisputeView.length).toBeGreaterThan(3);
      for (const batchSize of [1, 7, 10_000]) {
        await ledger.app.get(ProjectionRunner).withBatchSize(batchSize).rebuild();
        expect(await dump()).toEqual(applied);
      }
    });
  });

  describe('scheduled settlement', () => {
    it('runs on the configured interval and records only runs that change something', async () => {
      const scheduled = await startLedger({ settlementIntervalMs: 150 });
      try {
        const erin = await principal(scheduled, 'Erin', ['creator']);
        const filed = await scheduled.http().post('/v1/filings').set('authorization', `Bearer ${erin.key}`).send(filingBody());
        await new Promise((r) => setTimeout(r, 400));
        expect(await scheduled.store.readStream('settlements')).toEqual([]);
        await scheduled.http().post(`/v1/filings/${filed.body.filingId}/withdraw`).set('authorization', `Bearer ${erin.key}`).send({});
        let records: EventEnvelope[] = [];
        for (let i = 0; i < 40 && records.length === 0; i++) {
          await new Promise((r) => setTimeout(r, 50));
          records = await scheduled.store.readStream('settlements');
        }
        expect(records).toHaveLength(1);
        expect(records[0]).toMatchObject({
          type: 'RightsSettled',
          meta: { actor: 'system:schedule' },
          data: { trigger: 'schedule', changes: [{ filingId: filed.body.filingId, from: 'provisional', to: 'withdrawn' }] },
        });
        await new Promise((r) => setTimeout(r, 400));
        expect(await scheduled.store.readStream('settlements')).toHaveLength(1);
      } finally {
        await scheduled.close();
      }
    });
  });

  describe('governance figures', () => {
    it('reports filings by status, labels, disputes, repeat infringement and similarity flags to reviewers, auditors and admins', async () => {
      await refused(() => as(bob).get('/v1/stats'), 403, 'role-required');
      const res = await as(audrey).get('/v1/stats');
      expect(res.status).toBe(200);
      const s = res.body;
      expect(s.filings.total).toBe(Object.values(s.filings.byStatus as Record<string, number>).reduce((a, b) => a + b, 0));
      expect(s.filings.byStatus).toMatchObject({ withdrawn: 1, transferred: 1, revoked: 4 });
      expect(s.disputes).toMatchObject({ total: 5, upheld: 5, rejected: 0, upheldRate: 1, returnedForAiEvidence: 0 });
      expect(s.disputes.byType.infringement).toMatchObject({ total: 4, upheld: 4 });
      expect(s.disputes.byType.authorship).toMatchObject({ total: 1, upheld: 1 });
      expect(s.disputes.medianTimeToDecision.ms).toBeGreaterThanOrEqual(0);
      expect(s.repeatInfringement).toMatchObject({
        threshold: { upheld: 3, windowDays: 365 },
        repeatInfringers: 1,
        filingsUnderProbation: 1,
      });
      expect(s.similarity).toMatchObject({ flagged: 10, cleared: 1, pending: 9 });
      expect(s.labels.due).toBe(0);
      expect((await as(rita).get('/v1/stats')).status).toBe(200);
      expect((await as(admin).get('/v1/stats')).status).toBe(200);
    });
  });

  it('leaves a ledger that verifies whole, each time the rules read within its commit', async () => {
    const { result, events } = await verifyWholeLedger(ledger);
    expect(result).toMatchObject({ ok: true, treeSize: events.length });
    expect([...new Set(events.map((e) => e.type))]).toEqual(
      expect.arrayContaining(['WorkFiled', 'NearDuplicatesFound', 'FlagReviewed', 'RightsSettled']),
    );
  });
});

describe('the follow-up comparison with filings committed during a screening', () => {
  let ledger: LedgerApp;
  let alice: Who;
  let bob: Who;
  let carol: Who;
  let dave: Who;
  const as = (who: Who) => ({
    post: (path: string, body: object = {}) => ledger.http().post(path).set('authorization', `Bearer ${who.key}`).send(body),
  });
  const file = async (who: Who, hash: string, scheme = 'phash64') => {
    const res = await as(who).post('/v1/filings', filingBody({ perceptualHash: { scheme, value: hash } }));
    expect(res.status).toBe(201);
    return res.body as { filingId: string };
  };

  beforeAll(async () => {
    ledger = await startLedger({ settlementIntervalMs: 0 });
    [alice, bob, carol, dave] = await Promise.all(['Alice', 'Bob', 'Carol', 'Dave'].map((name) => principal(ledger, name, ['creator'])));
  });
  afterAll(() => ledger.close());

  it("leaves out the late filer's own filings, withdrawn ones, other schemes and distant hashes", async () => {
    const safeguards = ledger.app.get<FilingSafeguards>(FILING_SAFEGUARDS);
    const hash = phash();
    const now = new Date();
    const late = filingDetails(dave.id, hash);
    const screening = await safeguards.screen(late, now);
    // Committed after the screening, before the late filing:
    await file(carol, flipped(hash, 9)); // `far`: beyond the phash64 threshold of 8
    const nearer = await file(alice, flipped(hash, 1));
    await file(dave, flipped(hash, 1, 10)); // `own`: the late filing's creator's own work
    const withdrawn = await file(bob, flipped(hash, 1, 20));
    expect((await as(bob).post(`/v1/filings/${withdrawn.filingId}/withdraw`)).status).toBe(200);
    await file(carol, hash.repeat(4), 'pdq256');
    const near = await file(carol, flipped(hash, 8, 30));
    const filed = await commitFiling(ledger.store, late, now);
    const right = await safeguards.afterFiled(late, filed, screening);
    // Exactly these two, nearest first: not `far`, `own`, `withdrawn` nor the pdq256 filing.
    expect((right.similarity?.candidates ?? []).map((c) => [c.filingId, c.distance])).toEqual([
      [nearer.filingId, 1],
      [near.filingId, 8],
    ]);
  });
});
