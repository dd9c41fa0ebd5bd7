// Disputes end to end through HTTP on the real SQLite store: AI evidence returned, the full lifecycle, concurrency, the queue.
import { createHash, randomBytes } from 'node:crypto';
import canonicalize from 'canonicalize';
import { ProjectionRunner } from '../../src/ledger/read-models/projection-runner.js';
import { actingAs, expectRefused, filingBody, principal, startLedger, type LedgerApp } from '../support/ledger-app.js';

type Who = { id: string; key: string };
const DAY = 86_400_000;
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
const sha = () => randomBytes(32).toString('hex');

describe('disputes', () => {
  let ledger: LedgerApp;
  let alice: Who;
  let bob: Who;
  let carol: Who;
  let dave: Who;
  let rita: Who;
  let victor: Who;
  let audrey: Who;

  const as = (who: Who) => actingAs(ledger, who);
  const file = async (who: Who, overrides: Record<string, unknown> = {}) => {
    const body = filingBody(overrides);
    const res = await as(who).post('/v1/filings', body);
    expect(res.status).toBe(201);
    return { filingId: res.body.filingId as string, contentHash: body.contentHash as string };
  };
  const refused = (send: Parameters<typeof expectRefused>[1], status: number, code: string) => expectRefused(ledger, send, status, code);

  beforeAll(async () => {
    ledger = await startLedger();
    alice = await principal(ledger, 'Alice', ['creator']);
    bob = await principal(ledger, 'Bob', ['creator']);
    carol = await principal(ledger, 'Carol', ['creator']);
    dave = await principal(ledger, 'Dave', ['creator']);
    rita = await principal(ledger, 'Rita', ['reviewer']);
    victor = await principal(ledger, 'Victor', ['reviewer']);
    audrey = await principal(ledger, 'Audrey', ['auditor']);
  });
  afterAll(() => ledger.close());

  it('returns AI evidence, then takes a proper priority complaint from filing to final, every step in the hash-chained history', async () => {
    const bobsEarlier = await file(bob);
    const alicesWork = await file(alice);
    const carolsAiWork = await file(carol);

    // A complaint whose evidence is another filed AI work's content is recorded and returned at once, in one commit.
    const before = await ledger.store.count();
    const aiComplaint = await as(bob).post('/v1/disputes', {
      type: 'priority',
      filingId: alicesWork.filingId,
      claim: 'Alice copied my picture.',
      basisFilingId: bobsEarlier.filingId,
      evidence: [{ sha256: carolsAiWork.contentHash, description: 'the original picture', declaredAiGenerated: false }],
    });
    expect(aiComplaint.status).toBe(201);
    expect(aiComplaint.body).toMatchObject({
      status: 'returned',
      awaiting: null,
      complainant: bob.id,
      respondent: alice.id,
      returned: {
        reason: 'ai-generated-evidence',
        evidence: [{ sha256: carolsAiWork.contentHash, declaredAiGenerated: false, aiFilingId: carolsAiWork.filingId }],
      },
    });
    expect(aiComplaint.body.recorded.map((r: { type: string }) => r.type)).toEqual(['ComplaintFiled', 'ComplaintReturned']);
    expect(aiComplaint.body.recorded.map((r: { leafIndex: number }) => r.leafIndex)).toEqual([before, before + 1]);
    expect(await ledger.store.count()).toBe(before + 2);
    const returnedHistory = await as(bob).get(`/v1/disputes/${aiComplaint.body.disputeId}/history`);
    expect(returnedHistory.body.events.map((e: { type: string }) => e.type)).toEqual(['ComplaintFiled', 'ComplaintReturned']);
    await refused(
      () => as(rita).post(`/v1/disputes/${aiComplaint.body.disputeId}/assign`, { reviewerId: rita.id }),
      409,
      'dispute-returned',
    );

    // The proper complaint: Bob's own (AI) basis filing among the evidence is no reason to return it.
    const opened = await as(bob).post('/v1/disputes', {
      type: 'priority',
      filingId: alicesWork.filingId,
      claim: 'I filed this work before Alice did.',
      basisFilingId: bobsEarlier.filingId,
      evidence: [
        { sha256: bobsEarlier.contentHash, description: 'my filed work', declaredAiGenerated: false },
        { sha256: sha(), description: 'my sketchbook scan', declaredAiGenerated: false },
      ],
    });
    expect(opened.status).toBe(201);
    const id = opened.body.disputeId as string;
    expect(opened.body).toMatchObject({
      status: 'opened',
      awaiting: 'assignment',
      type: 'priority',
      complainant: bob.id,
      respondent: alice.id,
      basisFilingId: bobsEarlier.filingId,
      returned: null,
      overdue: false,
    });
    expect(opened.body.policy).toEqual({ version: 1, responseDays: 7, decisionSlaDays: 15, appealDays: 15 });
    const openedAt = Date.parse(opened.body.openedAt);
    expect(Date.parse(opened.body.deadlines.responseDueAt) - openedAt).toBe(7 * DAY);
    expect(Date.parse(opened.body.deadlines.decisionDueAt) - openedAt).toBe(15 * DAY);
    expect(opened.body.reviewDueAt).toBe(opened.body.deadlines.decisionDueAt);

    await refused(
      () => as(rita).post(`/v1/disputes/${id}/decision`, { outcome: 'upheld', remedy: 'revoke', reasoning: 'Too early.' }),
      409,
      'not-assigned',
    );

    const assigned = await as(rita).post(`/v1/disputes/${id}/assign`, { reviewerId: rita.id });
    expect(assigned.status).toBe(200);
    expect(assigned.body).toMatchObject({ status: 'assigned', assignee: rita.id, awaiting: 'response' });

    await refused(
      () => as(rita).post(`/v1/disputes/${id}/decision`, { outcome: 'upheld', remedy: 'revoke', reasoning: 'Too early.' }),
      409,
      'awaiting-response',
    );

    const response = await as(alice).post(`/v1/disputes/${id}/response`, {
      statement: 'My work is independent.',
      evidence: [{ sha256: sha(), description: 'my prompt log' }],
    });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ status: 'assigned', awaiting: 'decision', response: { statement: 'My work is independent.' } });
    await refused(() => as(alice).post(`/v1/disputes/${id}/response`, { statement: 'Again.' }), 409, 'already-responded');

    await refused(
      () => as(victor).post(`/v1/disputes/${id}/decision`, { outcome: 'rejected', reasoning: 'Not mine to decide.' }),
      403,
      'not-assigned-reviewer',
    );
    const decided = await as(rita).post(`/v1/disputes/${id}/decision`, {
      outcome: 'upheld',
      remedy: 'revoke',
      reasoning: 'Bob filed the same work earlier.',
    });
    expect(decided.status).toBe(200);
    expect(decided.body).toMatchObject({
      status: 'decided',
      awaiting: 'appeal-window',
      outcome: 'upheld',
      remedy: 'revoke',
      reviewDueAt: null,
      decision: { decidedBy: rita.id },
    });
    expect(Date.parse(decided.body.deadlines.appealUntil) - Date.parse(decided.body.decision.decidedAt)).toBe(15 * DAY);
    const decisionEvent = (await ledger.store.readStream(`dispute-${id}`)).find((e) => e.type === 'DisputeDecided')!;
    expect(decisionEvent.data).toMatchObject({
      filingId: alicesWork.filingId,
      complainant: bob.id,
      outcome: 'upheld',
      remedy: 'revoke',
      decidedAt: decided.body.decision.decidedAt,
    });
    await refused(
      () => as(rita).post(`/v1/disputes/${id}/decision`, { outcome: 'rejected', reasoning: 'Changed my mind.' }),
      409,
      'already-decided',
    );

    await refused(() => as(carol).post(`/v1/disputes/${id}/appeal`, { grounds: 'I am not a party.' }), 403, 'not-a-party');
    const appealed = await as(alice).post(`/v1/disputes/${id}/appeal`, { grounds: "My drafts predate Bob's filing." });
    expect(appealed.status).toBe(200);
    expect(appealed.body).toMatchObject({
      status: 'appealed',
      awaiting: 'appeal-decision',
      appeal: { appellant: alice.id, party: 'respondent' },
    });
    expect(Date.parse(appealed.body.deadlines.appealDecisionDueAt) - Date.parse(appealed.body.appeal.appealedAt)).toBe(15 * DAY);

    await refused(
      () => as(rita).post(`/v1/disputes/${id}/appeal-decision`, { ruling: 'affirm', reasoning: 'I was right.' }),
      403,
      'same-reviewer',
    );
    const final = await as(victor).post(`/v1/disputes/${id}/appeal-decision`, {
      ruling: 'affirm',
      reasoning: "The drafts are dated after Bob's filing.",
    });
    expect(final.status).toBe(200);
    expect(final.body).toMatchObject({
      status: 'final',
      awaiting: null,
      outcome: 'upheld',
      remedy: 'revoke',
      appealDecision: { ruling: 'affirmed', decidedBy: victor.id },
    });
    expect(final.body.finalAt).toBe(final.body.appealDecision.decidedAt);
    await refused(() => as(bob).post(`/v1/disputes/${id}/withdraw`, {}), 409, 'dispute-final');

    // Every step is in the dispute's history; the hashes and the chain recompute independently.
    const history = await as(bob).get(`/v1/disputes/${id}/history`);
    expect(history.status).toBe(200);
    const events = history.body.events as Array<Record<string, any>>;
    expect(events.map((e) => e.type)).toEqual([
      'ComplaintFiled',
      'DisputeAssigned',
      'ResponseSubmitted',
      'DisputeDecided',
      'AppealFiled',
      'AppealDecided',
    ]);
    expect(events.map((e) => e.meta.actor)).toEqual([bob.id, rita.id, alice.id, rita.id, alice.id, victor.id]);
    let prev = '0'.repeat(64);
    events.forEach((e, i) => {
      expect(e.stream).toBe(`dispute-${id}`);
      expect(e.revision).toBe(i);
      expect(e.prevHash).toBe(prev);
      expect(hashOf(e)).toBe(e.hash);
      if (i > 0) expect(e.leafIndex).toBeGreaterThan(events[i - 1].leafIndex);
      prev = e.hash;
    });
    const answered = [opened, assigned, response, decided, appealed, final].map((r) => r.body.recorded[0].eventHash);
    expect(answered).toEqual(events.map((e) => e.hash));

    const read = await as(alice).get(`/v1/disputes/${id}`);
    expect(read.status).toBe(200);
    expect(read.body.status).toBe('final');
    expect(read.body.timeline.map((t: { hash: string }) => t.hash)).toEqual(events.map((e) => e.hash));
    expect(read.body.timeline.map((t: { type: string }) => t.type)).toEqual(events.map((e) => e.type));
    expect((await as(audrey).get(`/v1/disputes/${id}`)).status).toBe(200);
    expect((await as(carol).get(`/v1/disputes/${id}`)).status).toBe(403);
    expect((await as(carol).get(`/v1/disputes/${id}/history`)).status).toBe(403);
  });

  it('does not return evidence of a filed work that is not AI-generated, and returns evidence declared AI-generated', async () => {
    const target = await file(alice);
    const photo = await file(carol, {
      generation: {
        ...(filingBody().generation as object),
        digitalSourceType: 'http://cv.iptc.org/newscodes/digitalsourcetype/digitalCapture',
      },
    });
    const kept = await as(dave).post('/v1/disputes', {
      type: 'infringement',
      filingId: target.filingId,
      claim: 'This reuses my photograph.',
      evidence: [{ sha256: photo.contentHash, description: 'the photograph', declaredAiGenerated: false }],
    });
    expect(kept.status).toBe(201);
    expect(kept.body.status).toBe('opened');

    const declared = await as(dave).post('/v1/disputes', {
      type: 'authorship',
      filingId: target.filingId,
      claim: 'I made it.',
      evidence: [{ sha256: sha(), description: 'my render', declaredAiGenerated: true }],
    });
    expect(declared.status).toBe(201);
    expect(declared.body).toMatchObject({
      status: 'returned',
      returned: { reason: 'ai-generated-evidence', evidence: [{ declaredAiGenerated: true, aiFilingId: null }] },
    });
  });

  it('lets exactly one of two concurrent decisions through, with one decision event in the store', async () => {
    const target = await file(alice);
    const opened = await as(bob).post('/v1/disputes', {
      type: 'infringement',
      filingId: target.filingId,
      claim: 'It copies my drawing.',
      evidence: [],
    });
    const id = opened.body.disputeId as string;
    expect((await as(rita).post(`/v1/disputes/${id}/assign`, { reviewerId: rita.id })).status).toBe(200);
    expect((await as(alice).post(`/v1/disputes/${id}/response`, { statement: 'It does not.' })).status).toBe(200);

    const before = await ledger.store.count();
    const results = await Promise.all([
      as(rita).post(`/v1/disputes/${id}/decision`, { outcome: 'upheld', remedy: 'suspend', reasoning: 'The drawing is copied.' }),
      as(rita).post(`/v1/disputes/${id}/decision`, { outcome: 'rejected', reasoning: 'Nothing is copied.' }),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
    const loser = results.find((r) => r.status === 409)!;
    expect(loser.headers['content-type']).toMatch(/^application\/problem\+json/);
    const stream = await ledger.store.readStream(`dispute-${id}`);
    expect(stream.filter((e) => e.type === 'DisputeDecided')).toHaveLength(1);
    expect(await ledger.store.count()).toBe(before + 1);
    const winner = results.find((r) => r.status === 200)!;
    expect(stream[stream.length - 1].hash).toBe(winner.body.recorded[0].eventHash);
  });

  it('serves the reviewer queue with filters, party-only visibility for creators, and cursor pagination', async () => {
    const target = await file(carol);
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      ids.push(
        (await as(dave).post('/v1/disputes', { type: 'mislabeling', filingId: target.filingId, claim: `Label missing (${i}).` })).body
          .disputeId,
      );
    }
    await as(victor).post(`/v1/disputes/${ids[0]}/assign`, { reviewerId: victor.id });
    const admin = { id: '', key: ledger.adminKey };
    const byAdmin = await as(admin).post(`/v1/disputes/${ids[1]}/assign`, { reviewerId: rita.id });
    expect(byAdmin.status).toBe(200);
    expect(byAdmin.body.assignee).toBe(rita.id);

    const victorsQueue = await as(victor).get('/v1/disputes', { assignee: victor.id, status: 'assigned' });
    expect(victorsQueue.status).toBe(200);
    expect(victorsQueue.body.items.map((d: { disputeId: string }) => d.disputeId)).toEqual([ids[0]]);
    // `me` names the reviewer asking, as respondent=me and creator=me do.
    const mine = await as(victor).get('/v1/disputes', { assignee: 'me', status: 'assigned' });
    expect(mine.body.items.map((d: { disputeId: string }) => d.disputeId)).toEqual([ids[0]]);
    const bad = await as(victor).get('/v1/disputes', { assignee: 'myself' });
    expect([bad.status, bad.body.detail]).toEqual([400, 'assignee must be me or a principal id']);

    const forFiling = await as(audrey).get('/v1/disputes', { filingId: target.filingId, status: 'opened' });
    expect(forFiling.body.items.map((d: { disputeId: string }) => d.disputeId)).toEqual([ids[2]]);
    expect((await as(rita).get('/v1/disputes', { overdue: 'true' })).body.items).toEqual([]);
    expect(
      (await as(rita).get('/v1/disputes', { status: 'final' })).body.items.every((d: { status: string }) => d.status === 'final'),
    ).toBe(true);

    // A creator sees only their own disputes, as complainant or respondent.
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: any = await as(carol).get('/v1/disputes', { limit: 2, ...(cursor ? { cursor } : {}) });
      expect(page.status).toBe(200);
      expect(page.body.items.length).toBeLessThanOrEqual(2);
      for (const d of page.body.items) expect([d.complainant, d.respondent]).toContain(carol.id);
      seen.push(...page.body.items.map((d: { disputeId: string }) => d.disputeId));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual(ids);
    const alices = await as(alice).get('/v1/disputes', { limit: 100 });
    expect(
      alices.body.items.every((d: { complainant: string; respondent: string }) => d.complainant === alice.id || d.respondent === alice.id),
    ).toBe(true);
    expect(alices.body.items.some((d: { disputeId: string }) => ids.includes(d.disputeId))).toBe(false);
  });

  it('rebuilds the queue from the events to the same rows', async () => {
    const all = async () => (await as(audrey).get('/v1/disputes', { limit: 100 })).body.items;
    const before = await all();
    expect(before.length).toBeGreaterThan(0);
    await ledger.app.get(ProjectionRunner).rebuild();
    expect(await all()).toEqual(before);
  });

  it('replays a repeated Idempotency-Key on a dispute write and appends once', async () => {
    const target = await file(alice);
    const body = { type: 'infringement', filingId: target.filingId, claim: 'Copied.', evidence: [] };
    const before = await ledger.store.count();
    const send = () =>
      ledger.http().post('/v1/disputes').set('authorization', `Bearer ${bob.key}`).set('idempotency-key', 'dispute-retry-1').send(body);
    const a = await send();
    const b = await send();
    expect([a.status, b.status]).toEqual([201, 201]);
    expect(b.body.disputeId).toBe(a.body.disputeId);
    expect(b.headers['idempotent-replayed']).toBe('true');
    // The complaint and the mark on its filing, once.
    expect(await ledger.store.count()).toBe(before + 2);
    expect((await ledger.store.readAll(before)).map((e) => e.type)).toEqual(['FilingDisputed', 'ComplaintFiled']);
  });
});
