// Reviewers and parties no longer work blind, over HTTP: a reviewer takes a dispute with `{}`, views name the parties,
// both parties appeal, the appeal varies the remedy, and a respondent lists the complaints against their filings.
import { expectRefused, filingBody, principal, startLedger, type LedgerApp } from '../support/ledger-app.js';

type Who = { id: string; key: string };
type Listed = { disputeId: string; respondent: string; parties: { respondent: { id: string } } };

describe('dispute parties', () => {
  let ledger: LedgerApp;
  let alice: Who;
  let bob: Who;
  let carol: Who;
  let rita: Who;
  let victor: Who;
  let admin: Who;

  const as = (who: Who) => ({
    post: (path: string, body: object = {}) => ledger.http().post(path).set('authorization', `Bearer ${who.key}`).send(body),
    get: (path: string, query: Record<string, string> = {}) =>
      ledger.http().get(path).query(query).set('authorization', `Bearer ${who.key}`),
  });
  const refused = (send: Parameters<typeof expectRefused>[1], status: number, code: string) => expectRefused(ledger, send, status, code);
  const complaintAgainst = async (respondent: Who, complainant: Who) => {
    const filed = await as(respondent).post('/v1/filings', filingBody());
    expect(filed.status).toBe(201);
    const opened = await as(complainant).post('/v1/disputes', {
      type: 'infringement',
      filingId: filed.body.filingId,
      claim: 'This copies my work.',
    });
    expect(opened.status).toBe(201);
    return opened.body.disputeId as string;
  };

  beforeAll(async () => {
    ledger = await startLedger();
    alice = await principal(ledger, 'Alice Respondent', ['creator']);
    bob = await principal(ledger, 'Bob Complainant', ['creator']);
    carol = await principal(ledger, 'Carol Outsider', ['creator']);
    rita = await principal(ledger, 'Rita Reviewer', ['reviewer']);
    victor = await principal(ledger, 'Victor Appeals', ['reviewer']);
    const me = await ledger.http().get('/v1/me').set('authorization', `Bearer ${ledger.adminKey}`);
    admin = { id: me.body.principalId, key: ledger.adminKey };
  });
  afterAll(() => ledger.close());

  it('a reviewer takes a dispute with {}, the views name everyone, both parties appeal and the appeal varies the remedy', async () => {
    const id = await complaintAgainst(alice, bob);
    const opened = await as(bob).get(`/v1/disputes/${id}`);
    expect(opened.body.parties).toEqual({
      complainant: { id: bob.id, name: 'Bob Complainant' },
      respondent: { id: alice.id, name: 'Alice Respondent' },
      assignee: null,
    });
    expect(opened.body).toMatchObject({ complainant: bob.id, respondent: alice.id, assignee: null, appeal: null, appeals: [] });

    // Self-assignment with no body fields; an unknown field, a creator, and an admin who is no reviewer are refused.
    await refused(() => as(rita).post(`/v1/disputes/${id}/assign`, { reviewer: rita.id }), 400, 'validation-failed');
    await refused(() => as(alice).post(`/v1/disputes/${id}/assign`, {}), 403, 'role-required');
    await refused(() => as(admin).post(`/v1/disputes/${id}/assign`, {}), 400, 'not-a-reviewer');
    const assigned = await as(rita).post(`/v1/disputes/${id}/assign`, {});
    expect(assigned.status).toBe(200);
    expect(assigned.body).toMatchObject({
      status: 'assigned',
      assignee: rita.id,
      parties: { assignee: { id: rita.id, name: 'Rita Reviewer' } },
      recorded: [{ type: 'DisputeAssigned' }],
    });
    await refused(() => as(rita).post(`/v1/disputes/${id}/assign`, {}), 409, 'already-assigned');

    const seen = await as(alice).get(`/v1/disputes/${id}`);
    expect(seen.body.parties).toEqual({
      complainant: { id: bob.id, name: 'Bob Complainant' },
      respondent: { id: alice.id, name: 'Alice Respondent' },
      assignee: { id: rita.id, name: 'Rita Reviewer' },
    });

    expect((await as(alice).post(`/v1/disputes/${id}/response`, { statement: 'It is my own work.' })).status).toBe(200);
    const decided = await as(rita).post(`/v1/disputes/${id}/decision`, {
      outcome: 'upheld',
      remedy: 'suspend',
      reasoning: 'Copied in part.',
    });
    expect(decided.status).toBe(200);
    expect(decided.body).toMatchObject({ status: 'decided', outcome: 'upheld', remedy: 'suspend' });

    // Each party appeals once; the first appeal stays in `appeal`, every appeal is listed in `appeals`.
    const respondentAppeal = await as(alice).post(`/v1/disputes/${id}/appeal`, { grounds: 'Nothing was copied.' });
    expect(respondentAppeal.status).toBe(200);
    expect(respondentAppeal.body.recorded).toMatchObject([{ type: 'AppealFiled' }]);
    await refused(() => as(alice).post(`/v1/disputes/${id}/appeal`, { grounds: 'Once more.' }), 409, 'already-appealed');
    await refused(
      () => as(bob).post(`/v1/disputes/${id}/appeal`, { grounds: 'Too mild.', party: 'complainant' }),
      400,
      'validation-failed',
    );
    await refused(() => as(carol).post(`/v1/disputes/${id}/appeal`, { grounds: 'Me too.' }), 403, 'not-a-party');
    const complainantAppeal = await as(bob).post(`/v1/disputes/${id}/appeal`, { grounds: 'A suspension is too mild.' });
    expect(complainantAppeal.status).toBe(200);
    expect(complainantAppeal.body).toMatchObject({
      status: 'appealed',
      awaiting: 'appeal-decision',
      appeal: { appellant: alice.id, party: 'respondent' },
      appeals: [
        { appellant: alice.id, party: 'respondent', grounds: 'Nothing was copied.' },
        { appellant: bob.id, party: 'complainant', grounds: 'A suspension is too mild.' },
      ],
    });
    expect(complainantAppeal.body.appeals[1].decisionDueAt).toBe(complainantAppeal.body.appeals[0].decisionDueAt);
    await refused(() => as(bob).post(`/v1/disputes/${id}/appeal`, { grounds: 'Again.' }), 409, 'already-appealed');

    // The appeal reviewer varies the remedy: it must change, and be one the dispute type allows.
    const vary = (body: object) => () =>
      as(victor).post(`/v1/disputes/${id}/appeal-decision`, { ruling: 'vary', reasoning: 'Revoke it.', ...body });
    await refused(vary({ remedy: 'suspend' }), 400, 'remedy-unchanged');
    await refused(vary({ remedy: 'transfer' }), 400, 'remedy-not-applicable');
    await refused(vary({}), 400, 'remedy-required');
    await refused(vary({ remedy: 'revoke', outcome: 'upheld' }), 400, 'validation-failed');
    await refused(
      () => as(rita).post(`/v1/disputes/${id}/appeal-decision`, { ruling: 'vary', remedy: 'revoke', reasoning: 'Mine.' }),
      403,
      'same-reviewer',
    );
    const varied = await vary({ remedy: 'revoke' })();
    expect(varied.status).toBe(200);
    expect(varied.body).toMatchObject({
      status: 'final',
      awaiting: null,
      outcome: 'upheld',
      remedy: 'revoke',
      decision: { outcome: 'upheld', remedy: 'suspend' },
      appealDecision: { ruling: 'varied', outcome: 'upheld', remedy: 'revoke', decidedBy: victor.id },
      parties: { complainant: { id: bob.id }, respondent: { id: alice.id }, assignee: { id: rita.id } },
    });
    expect(varied.body.finalAt).toBe(varied.body.appealDecision.decidedAt);
    await refused(() => as(bob).post(`/v1/disputes/${id}/appeal`, { grounds: 'Again.' }), 409, 'already-appealed');

    const history = await as(alice).get(`/v1/disputes/${id}/history`);
    expect(history.body.events.map((e: { type: string }) => e.type)).toEqual([
      'ComplaintFiled',
      'DisputeAssigned',
      'ResponseSubmitted',
      'DisputeDecided',
      'AppealFiled',
      'AppealFiled',
      'AppealDecided',
    ]);
    const decidedAppeal = history.body.events[6];
    expect(decidedAppeal.data).toMatchObject({ ruling: 'varied', outcome: 'upheld', remedy: 'revoke' });
  });

  it("a rejection is the complainant's to appeal: the respondent, who won, is refused 409 nothing-to-appeal", async () => {
    const id = await complaintAgainst(alice, bob);
    expect((await as(rita).post(`/v1/disputes/${id}/assign`, {})).status).toBe(200);
    expect((await as(alice).post(`/v1/disputes/${id}/response`, { statement: 'It is my own work.' })).status).toBe(200);
    const decided = await as(rita).post(`/v1/disputes/${id}/decision`, { outcome: 'rejected', reasoning: 'Nothing was copied.' });
    expect(decided.body).toMatchObject({ status: 'decided', outcome: 'rejected' });
    const refusal = await refused(
      () => as(alice).post(`/v1/disputes/${id}/appeal`, { grounds: 'Make it stronger.' }),
      409,
      'nothing-to-appeal',
    );
    expect(refusal.detail).toBe('the complaint was rejected: the respondent has no decision against it to appeal');
    const appealed = await as(bob).post(`/v1/disputes/${id}/appeal`, { grounds: 'The drafts were misread.' });
    expect(appealed.body).toMatchObject({ status: 'appealed', appeals: [{ appellant: bob.id, party: 'complainant' }] });
    await refused(() => as(alice).post(`/v1/disputes/${id}/appeal`, { grounds: 'Me too.' }), 409, 'nothing-to-appeal');
  });

  it('an admin still names the reviewer; a reviewer still may not name another', async () => {
    const id = await complaintAgainst(alice, bob);
    await refused(() => as(rita).post(`/v1/disputes/${id}/assign`, { reviewerId: victor.id }), 403, 'assign-self-only');
    const named = await as(admin).post(`/v1/disputes/${id}/assign`, { reviewerId: victor.id });
    expect(named.status).toBe(200);
    expect(named.body).toMatchObject({ assignee: victor.id, parties: { assignee: { id: victor.id, name: 'Victor Appeals' } } });
  });

  it('a respondent lists the complaints against their filings with respondent=me, and only their own', async () => {
    const againstAlice = await complaintAgainst(alice, bob);
    const againstBob = await complaintAgainst(bob, carol);

    const mine = await as(alice).get('/v1/disputes', { respondent: 'me', limit: '100' });
    expect(mine.status).toBe(200);
    const ids = mine.body.items.map((d: Listed) => d.disputeId);
    expect(ids).toContain(againstAlice);
    expect(ids).not.toContain(againstBob);
    expect(mine.body.items.every((d: Listed) => d.respondent === alice.id && d.parties.respondent.id === alice.id)).toBe(true);
    expect(mine.body.items.find((d: Listed) => d.disputeId === againstAlice).parties).toEqual({
      complainant: { id: bob.id, name: 'Bob Complainant' },
      respondent: { id: alice.id, name: 'Alice Respondent' },
      assignee: null,
    });
    const byId = await as(alice).get('/v1/disputes', { respondent: alice.id, limit: '100' });
    expect(byId.body.items.map((d: Listed) => d.disputeId)).toEqual(ids);

    // Bob is the complainant of the complaint against Alice: it is not among the complaints against his own filings.
    const bobs = await as(bob).get('/v1/disputes', { respondent: 'me', limit: '100' });
    expect(bobs.body.items.map((d: Listed) => d.disputeId)).toEqual([againstBob]);

    // A creator may not list the complaints against someone else; a reviewer may.
    await refused(() => as(bob).get('/v1/disputes', { respondent: alice.id }), 403, 'not-a-party');
    await refused(() => as(carol).get('/v1/disputes', { respondent: 'you' }), 400, 'validation-failed');
    const reviewed = await as(rita).get('/v1/disputes', { respondent: alice.id, limit: '100' });
    expect(reviewed.body.items.map((d: Listed) => d.disputeId)).toEqual(ids);
    const reviewersOwn = await as(rita).get('/v1/disputes', { respondent: 'me' });
    expect(reviewersOwn.body.items).toEqual([]);
  });
});
