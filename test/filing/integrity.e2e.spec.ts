// The ledger's promise that sticks: no escape from a complaint by withdrawal, remedies that move priority, withdrawals that
// release the content, amendments that change no priority, and one answer to "who filed first, when, at which leaf".
import { randomBytes, createHash } from 'node:crypto';
import type { EventEnvelope } from '../../src/verifier/envelope.js';
import { ExportVerifier } from '../../src/verifier/export-verifier.js';
import { problemDetail } from '../../web/src/i18n/problems.js';
import { labelsBody } from '../support/cast.js';
import { expectRefused, filingBody, principal, startLedger, type LedgerApp } from '../support/ledger-app.js';

type Who = { id: string; key: string; keyId: string };
/** Small, so that an upload refused before it is read is told apart from one refused for its size (413). */
const UPLOAD_LIMIT = 64 * 1024;

describe('filing and dispute integrity', () => {
  let ledger: LedgerApp;
  let alice: Who;
  let bob: Who;
  let rita: Who;
  let victor: Who;
  let audrey: Who;
  const as = (who: { key: string }) => ({ authorization: `Bearer ${who.key}` });
  const post = (who: Who, path: string, body: unknown) =>
    ledger
      .http()
      .post(path)
      .set(as(who))
      .send(body as object);
  const get = (who: Who | null, path: string) => (who ? ledger.http().get(path).set(as(who)) : ledger.http().get(path));
  const newContent = () => createHash('sha256').update(randomBytes(32)).digest('hex');

  beforeAll(async () => {
    ledger = await startLedger({ publicRateLimit: 100_000, uploadLimit: UPLOAD_LIMIT });
    alice = await principal(ledger, 'Alice Creator', ['creator']);
    bob = await principal(ledger, 'Bob Complainant', ['creator']);
    rita = await principal(ledger, 'Rita Reviewer', ['reviewer']);
    victor = await principal(ledger, 'Victor Appeals', ['reviewer']);
    audrey = await principal(ledger, 'Audrey Auditor', ['auditor']);
  });
  afterAll(() => ledger.close());

  it('file → complaint → withdrawal refused → transfer → appeal affirmed: the complainant holds the content everywhere, and the export passes the audit', async () => {
    const work = randomBytes(64);
    const contentHash = createHash('sha256').update(work).digest('hex');
    const filed = await post(alice, '/v1/filings', filingBody({ contentHash, title: 'Harbour at dawn' }));
    expect(filed.status).toBe(201);
    const filingId: string = filed.body.filingId;

    const complaint = await post(bob, '/v1/disputes', {
      type: 'authorship',
      filingId,
      claim: 'I made this; Alice copied my draft.',
      evidence: [],
    });
    expect(complaint.status).toBe(201);
    const disputeId: string = complaint.body.disputeId;
    const history = (await get(alice, `/v1/filings/${filingId}/history`)).body.events as EventEnvelope[];
    expect(history.map((e) => e.type)).toEqual(['WorkFiled', 'FilingDisputed']);

    await expectRefused(ledger, () => post(alice, `/v1/filings/${filingId}/withdraw`, { reason: 'escaping' }), 409, 'dispute-open');
    const refused = await post(alice, `/v1/filings/${filingId}/withdraw`, {});
    expect(refused.body.openDisputes).toEqual([disputeId]);

    expect((await post(rita, `/v1/disputes/${disputeId}/assign`, { reviewerId: rita.id })).status).toBe(200);
    expect((await post(alice, `/v1/disputes/${disputeId}/response`, { statement: 'It is mine.' })).status).toBe(200);
    const decided = await post(rita, `/v1/disputes/${disputeId}/decision`, {
      outcome: 'upheld',
      remedy: 'transfer',
      reasoning: "Bob's drafts predate it.",
    });
    expect(decided.status).toBe(200);
    // Still open to appeal: the right has not moved yet, and the withdrawal is still refused.
    expect((await get(null, `/v1/public/content/${contentHash}`)).body.holder).toEqual({ id: alice.id, name: 'Alice Creator' });
    await expectRefused(ledger, () => post(alice, `/v1/filings/${filingId}/withdraw`, {}), 409, 'dispute-open');

    expect((await post(alice, `/v1/disputes/${disputeId}/appeal`, { grounds: 'The drafts are not mine to judge.' })).status).toBe(200);
    expect((await post(victor, `/v1/disputes/${disputeId}/appeal-decision`, { ruling: 'affirm', reasoning: 'Sound.' })).status).toBe(200);

    // Final: the complainant holds the content in the lookup, the filing, the register and the receipt.
    const bobParty = { id: bob.id, name: 'Bob Complainant' };
    const lookup = await get(null, `/v1/public/content/${contentHash}`);
    expect(lookup.body).toMatchObject({ filingId, status: 'active', holder: bobParty });
    expect((await get(rita, `/v1/filings/${filingId}`)).body).toMatchObject({
      creator: alice.id,
      creatorName: 'Alice Creator',
      holder: bobParty,
    });
    expect((await get(audrey, `/v1/rights/${filingId}`)).body).toMatchObject({ status: 'transferred', holder: bob.id });
    const register = await get(audrey, `/v1/rights?holder=${bob.id}`);
    expect(register.body.items.map((r: { filingId: string; status: string }) => [r.filingId, r.status])).toEqual([
      [filingId, 'transferred'],
    ]);
    expect((await get(alice, `/v1/filings/${filingId}/receipt`)).body.filing).toEqual({
      filingId,
      filedAt: filed.body.filedAt,
      leafIndex: filed.body.leafIndex,
      holder: bobParty,
    });
    // The holder reads the filing, its history and its receipt as its creator does.
    expect((await get(bob, `/v1/filings/${filingId}`)).body).toMatchObject({ filingId, holder: bobParty });
    expect((await get(bob, `/v1/filings/${filingId}/history`)).status).toBe(200);
    expect((await get(bob, `/v1/filings/${filingId}/receipt`)).body.filing.holder).toEqual(bobParty);

    // The complainant filing the content is answered with the filing they hold, not refused as a duplicate.
    const before = await ledger.store.count();
    const again = await post(bob, '/v1/filings', filingBody({ contentHash }));
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({
      filingId,
      alreadyHeld: true,
      filedAt: filed.body.filedAt,
      leafIndex: filed.body.leafIndex,
      right: { holder: bob.id, status: 'transferred' },
    });
    expect(await ledger.store.count()).toBe(before);
    // With an Idempotency-Key, a repeat is answered as the first answer was: 200, not the route's usual 201.
    const held = filingBody({ contentHash });
    const keyed = () =>
      ledger.http().post('/v1/filings').set('authorization', `Bearer ${bob.key}`).set('idempotency-key', 'held-1').send(held);
    const first = await keyed();
    const repeat = await keyed();
    expect([first.status, repeat.status]).toEqual([200, 200]);
    expect(repeat.headers['idempotent-replayed']).toBe('true');
    expect(repeat.body).toEqual(first.body);
    expect(await ledger.store.count()).toBe(before);
    // Anyone else still meets the 409, and the creator cannot withdraw what was transferred.
    await expectRefused(ledger, () => post(alice, '/v1/filings', filingBody({ contentHash })), 409, 'duplicate-content');
    await expectRefused(ledger, () => post(alice, `/v1/filings/${filingId}/withdraw`, {}), 409, 'right-transferred');
    await expectRefused(ledger, () => post(alice, `/v1/filings/${filingId}/amend`, { title: 'Still mine' }), 409, 'right-transferred');

    // The labels are the holder's: the former creator can neither declare them, check the file nor register a copy.
    const upload = (who: Who, path: string, field: string) =>
      ledger.http().post(`/v1/filings/${filingId}/${path}`).set(as(who)).attach(field, work, 'work.png');
    const labelsRefused = await expectRefused(
      ledger,
      () => post(alice, `/v1/filings/${filingId}/labels`, labelsBody()),
      409,
      'right-transferred',
    );
    expect(labelsRefused.holder).toBe(bob.id);
    await expectRefused(ledger, () => upload(alice, 'labels/verify', 'file'), 409, 'right-transferred');
    await expectRefused(ledger, () => upload(alice, 'copies', 'file'), 409, 'right-transferred');
    // Refused before a byte of the upload is read: a file over the upload limit would otherwise be 413.
    const oversize = Buffer.alloc(UPLOAD_LIMIT * 2);
    for (const path of ['labels/verify', 'copies']) {
      const send = () => ledger.http().post(`/v1/filings/${filingId}/${path}`).set(as(alice)).attach('file', oversize, 'work.png');
      await expectRefused(ledger, send, 409, 'right-transferred');
    }
    const carol = await principal(ledger, 'Carol Creator', ['creator']);
    await expectRefused(ledger, () => post(carol, `/v1/filings/${filingId}/labels`, labelsBody()), 403, 'not-owner');
    // A final right takes no further complaint, from anyone (its holder included): no remedy can change it, and the
    // former creator would be named the respondent of a ruling that changed nothing.
    for (const who of [carol, bob]) {
      const complaint = { type: 'authorship', filingId, claim: 'This was mine first.', evidence: [] };
      const refusedComplaint = await expectRefused(ledger, () => post(who, '/v1/disputes', complaint), 409, 'right-transferred');
      expect(refusedComplaint.holder).toBe(bob.id);
    }
    const labelled = await post(bob, `/v1/filings/${filingId}/labels`, labelsBody());
    expect(labelled.status).toBe(201);
    expect(labelled.body).toMatchObject({ filingId, version: 1, labels: { state: 'declared' } });
    const checked = await upload(bob, 'labels/verify', 'file');
    expect(checked.status).toBe(200);
    expect(checked.body).toMatchObject({ filingId, outcome: 'unsupported-format', declarationVersion: 1 });
    await expectRefused(ledger, () => upload(carol, 'labels/verify', 'file'), 403, 'not-owner');
    expect((await upload(rita, 'labels/verify', 'file')).status).toBe(200); // a reviewer checks any filing's file
    const labelEvents = (await get(bob, `/v1/filings/${filingId}/history`)).body.events as EventEnvelope[];
    expect(labelEvents.filter((e) => e.type === 'LabelsDeclared' || e.type === 'LabelFileChecked').map((e) => e.meta.actor)).toEqual([
      bob.id,
      bob.id,
      rita.id,
    ]);

    // The export verifies, settlement audit included.
    const vkey = (await get(null, '/v1/ledger/key')).text.trim();
    const checkpoint = (await get(null, '/v1/ledger/checkpoint')).text;
    const v = new ExportVerifier();
    expect(v.checkCheckpoint(checkpoint, vkey)).toBe(true);
    for (const line of (await get(audrey, '/v1/ledger/export')).text.split('\n').filter(Boolean)) if (!v.push(line)) break;
    expect(v.finish()).toMatchObject({ ok: true });
  });

  it('keeps a filing whose right a final decision revoked: no withdrawal, so no fresh right by filing the content again', async () => {
    const contentHash = newContent();
    const filed = await post(alice, '/v1/filings', filingBody({ contentHash, title: 'Lighthouse' }));
    expect(filed.status).toBe(201);
    const filingId: string = filed.body.filingId;
    const complaint = await post(bob, '/v1/disputes', { type: 'authorship', filingId, claim: 'My drawing, traced.', evidence: [] });
    expect(complaint.status).toBe(201);
    const disputeId: string = complaint.body.disputeId;
    expect((await post(rita, `/v1/disputes/${disputeId}/assign`, { reviewerId: rita.id })).status).toBe(200);
    expect((await post(alice, `/v1/disputes/${disputeId}/response`, { statement: 'Mine.' })).status).toBe(200);
    const decision = { outcome: 'upheld', remedy: 'revoke', reasoning: 'Traced from the drawing.' };
    expect((await post(rita, `/v1/disputes/${disputeId}/decision`, decision)).status).toBe(200);
    expect((await post(alice, `/v1/disputes/${disputeId}/appeal`, { grounds: 'It is not traced.' })).status).toBe(200);
    expect((await post(victor, `/v1/disputes/${disputeId}/appeal-decision`, { ruling: 'affirm', reasoning: 'It is.' })).status).toBe(200);
    expect((await get(audrey, `/v1/rights/${filingId}`)).body).toMatchObject({ status: 'revoked', holder: alice.id });

    // Withdrawn, it would release the content, and filing it again would give its creator a fresh provisional right.
    const withdrawal = await expectRefused(ledger, () => post(alice, `/v1/filings/${filingId}/withdraw`, {}), 409, 'right-revoked');
    expect(withdrawal.detail).toContain('revoked by a final dispute decision');
    await expectRefused(ledger, () => post(alice, '/v1/filings', filingBody({ contentHash })), 409, 'duplicate-content');
    expect((await get(audrey, `/v1/rights/${filingId}`)).body.status).toBe('revoked');
    const again = { type: 'mislabeling', filingId, claim: 'Its labels are wrong too.', evidence: [] };
    const complaint2 = await expectRefused(ledger, () => post(bob, '/v1/disputes', again), 409, 'right-revoked');
    expect(complaint2.detail).toContain('no complaint can change it');
  });

  it('a withdrawal releases the content: anyone may file it again, and the new filing names the withdrawn one', async () => {
    const contentHash = newContent();
    const first = await post(alice, '/v1/filings', filingBody({ contentHash, title: 'Mistyped titel' }));
    await expectRefused(ledger, () => post(bob, '/v1/filings', filingBody({ contentHash })), 409, 'duplicate-content');
    const withdrawn = await post(alice, `/v1/filings/${first.body.filingId}/withdraw`, { reason: 'mistyped title' });
    expect(withdrawn.status).toBe(200);
    const prior = [{ filingId: first.body.filingId, filedAt: first.body.filedAt, withdrawnAt: withdrawn.body.withdrawnAt }];

    const lookupAfterWithdrawal = await get(null, `/v1/public/content/${contentHash}`);
    expect(lookupAfterWithdrawal.body).toMatchObject({ filingId: first.body.filingId, status: 'withdrawn', holder: null });

    const second = await post(bob, '/v1/filings', filingBody({ contentHash, title: 'Filed again' }));
    expect(second.status).toBe(201);
    expect(second.body.priorFilings).toEqual(prior);
    expect(Date.parse(second.body.filedAt)).toBeGreaterThan(Date.parse(first.body.filedAt));
    expect((await get(bob, `/v1/filings/${second.body.filingId}`)).body).toMatchObject({
      status: 'active',
      priorFilings: prior,
      holder: { id: bob.id },
    });
    expect((await get(null, `/v1/public/content/${contentHash}`)).body).toMatchObject({
      filingId: second.body.filingId,
      status: 'active',
      priorFilings: prior,
    });
    // The earlier filing stays in the log; its creator now meets the live filing.
    expect((await get(alice, `/v1/filings/${first.body.filingId}/history`)).body.events.map((e: EventEnvelope) => e.type)).toEqual([
      'WorkFiled',
      'FilingWithdrawn',
    ]);
    const refused = await post(alice, '/v1/filings', filingBody({ contentHash }));
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({
      priorFilingId: second.body.filingId,
      priorFiledAt: second.body.filedAt,
      priorLeafIndex: second.body.leafIndex,
    });
    // The console words it from those members, in each language.
    for (const lang of ['en', 'zh-CN'] as const)
      expect(problemDetail(lang, refused.body, (iso) => `<${iso}>`)).toMatch(
        new RegExp(`${second.body.filingId}.*<${second.body.filedAt}>|<${second.body.filedAt}>.*${second.body.filingId}`),
      );
  });

  it('an amendment corrects the title and adds evidence and notes; content, time and priority stay', async () => {
    const body = filingBody({ title: 'Teh title' });
    const filed = await post(alice, '/v1/filings', body);
    const evidence = { sha256: newContent(), kind: 'draft', description: 'first sketch' };
    const amended = await post(alice, `/v1/filings/${filed.body.filingId}/amend`, {
      title: 'The title',
      processEvidence: [evidence],
      humanContributionNote: 'Recoloured the sky by hand.',
    });
    expect(amended.status).toBe(200);
    const read = (await get(alice, `/v1/filings/${filed.body.filingId}`)).body;
    expect(read).toMatchObject({
      title: 'The title',
      amended: true,
      amendedAt: amended.body.amendedAt,
      humanContributionNotes: ['Recoloured the sky by hand.'],
      contentHash: body.contentHash,
      filedAt: filed.body.filedAt,
      leafIndex: filed.body.leafIndex,
      generation: { promptHash: (body.generation as { promptHash: string }).promptHash },
    });
    expect(read.processEvidence).toContainEqual({ ...evidence, createdAt: null, addedAt: amended.body.amendedAt });
    const history = (await get(alice, `/v1/filings/${filed.body.filingId}/history`)).body.events as EventEnvelope[];
    expect(history.map((e) => e.type)).toEqual(['WorkFiled', 'FilingAmended']);

    await expectRefused(ledger, () => post(bob, `/v1/filings/${filed.body.filingId}/amend`, { title: 'Mine now' }), 403, 'not-owner');
    await expectRefused(
      ledger,
      () => post(alice, `/v1/filings/${filed.body.filingId}/amend`, { title: 'The title' }),
      400,
      'empty-amendment',
    );
    await expectRefused(ledger, () => post(alice, `/v1/filings/${filed.body.filingId}/amend`, {}), 400, 'empty-amendment');
    await expectRefused(
      ledger,
      () => post(alice, `/v1/filings/${filed.body.filingId}/amend`, { contentHash: newContent() }),
      400,
      'validation-failed',
    );
    await expectRefused(ledger, () => post(alice, `/v1/filings/${filed.body.filingId}/amend`, { title: '' }), 400, 'validation-failed');
  });

  it("the 201, the 409, the filing, the lookup, the receipt and the history agree on the filing's time and leaf", async () => {
    const contentHash = newContent();
    const filed = await post(alice, '/v1/filings', filingBody({ contentHash }));
    const { filingId, filedAt, leafIndex } = filed.body;
    const duplicate = await post(bob, '/v1/filings', filingBody({ contentHash }));
    const read = (await get(alice, `/v1/filings/${filingId}`)).body;
    const lookup = (await get(null, `/v1/public/content/${contentHash}`)).body;
    const receipt = (await get(alice, `/v1/filings/${filingId}/receipt`)).body;
    const workFiled = ((await get(alice, `/v1/filings/${filingId}/history`)).body.events as EventEnvelope[]).find(
      (e) => e.type === 'WorkFiled',
    )!;
    const answers = {
      created: [filed.body.filedAt, filed.body.leafIndex],
      conflict: [duplicate.body.priorFiledAt, duplicate.body.priorLeafIndex],
      filing: [read.filedAt, read.leafIndex],
      lookup: [lookup.filedAt, lookup.leafIndex],
      receipt: [receipt.entry.data.filedAt, receipt.leafIndex],
      receiptFiling: [receipt.filing.filedAt, receipt.filing.leafIndex],
      history: [workFiled.data.filedAt, workFiled.leafIndex],
    };
    for (const answer of Object.values(answers)) expect(answer).toEqual([filedAt, leafIndex]);
    expect(duplicate.body.priorFilingId).toBe(filingId);
  });
});
