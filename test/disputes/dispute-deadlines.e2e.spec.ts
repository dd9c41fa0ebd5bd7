// Disputes opened weeks ago, read as of now, on a ledger that lived through those weeks (in a file of its own: the
// process's commit clock never goes back, so no ledger of real time may write before it in the same process).
import { jest } from '@jest/globals';
import { actingAs, expectRefused, filingBody, principal, startLedger, type LedgerApp } from '../support/ledger-app.js';
import { fakeDateOnly } from '../support/fake-date.js';
import { verifyWholeLedger } from '../support/whole-ledger.js';

type Who = { id: string; key: string };
const DAY = 86_400_000;

describe('disputes opened weeks ago, read as of now', () => {
  // The ledger lived through those weeks: its clock is set 40 days back when it starts, and moved on as the disputes
  // go, so that every time an event states is its commit's, as the server appends nothing else (and verify takes
  // nothing else).
  const now = Date.now();
  let ledger: LedgerApp;
  let alice: Who;
  let bob: Who;
  let rita: Who;
  const as = (who: Who) => actingAs(ledger, who);
  const refused = (send: Parameters<typeof expectRefused>[1], status: number, code: string) => expectRefused(ledger, send, status, code);
  const ok = async (send: ReturnType<ReturnType<typeof actingAs>['post']>) => {
    const res = await send;
    expect(res.status < 300 ? 'done' : res.body).toBe('done'); // else the problem, to read
    return res.body as Record<string, unknown>;
  };

  beforeAll(async () => {
    fakeDateOnly(now - 40 * DAY);
    ledger = await startLedger();
    alice = await principal(ledger, 'Alice', ['creator']);
    bob = await principal(ledger, 'Bob', ['creator']);
    rita = await principal(ledger, 'Rita', ['reviewer']);
  });
  afterAll(async () => {
    await ledger?.close();
    jest.useRealTimers();
  });

  it('lists overdue disputes, and a decision whose appeal window has passed is final and closed', async () => {
    const filingId = (await ok(as(alice).post('/v1/filings', filingBody()))).filingId as string;
    const complain = async () =>
      (await ok(as(bob).post('/v1/disputes', { type: 'infringement', filingId, claim: 'Old complaint.', evidence: [] })))
        .disputeId as string;
    // 40 days ago a complaint, taken up the next day and rejected 30 days ago: its 15-day appeal window closed 15 days ago.
    const finalId = await complain();
    jest.setSystemTime(now - 39 * DAY);
    await ok(as(rita).post(`/v1/disputes/${finalId}/assign`, {}));
    jest.setSystemTime(now - 30 * DAY);
    await ok(as(rita).post(`/v1/disputes/${finalId}/decision`, { outcome: 'rejected', reasoning: 'No copy.' }));
    // 20 days ago another, taken up the next day: its decision was due within 15 days of that.
    jest.setSystemTime(now - 20 * DAY);
    const overdueId = await complain();
    jest.setSystemTime(now - 19 * DAY);
    await ok(as(rita).post(`/v1/disputes/${overdueId}/assign`, {}));
    jest.setSystemTime(now);

    const overdue = await as(rita).get('/v1/disputes', { overdue: 'true', limit: 100 });
    expect(overdue.body.items.map((d: { disputeId: string }) => d.disputeId)).toEqual([overdueId]);
    expect(overdue.body.items[0]).toMatchObject({ status: 'assigned', awaiting: 'decision', overdue: true });
    const final = await as(rita).get('/v1/disputes', { status: 'final', filingId });
    expect(final.body.items.map((d: { disputeId: string }) => d.disputeId)).toEqual([finalId]);
    expect(final.body.items[0]).toMatchObject({ status: 'final', outcome: 'rejected', awaiting: null });
    expect(final.body.items[0].finalAt).toBe(final.body.items[0].deadlines.appealUntil);
    // Decided 30 days ago (the fake clock runs on from each setting), so final 15 days ago.
    expect(Date.parse(final.body.items[0].finalAt)).toBeGreaterThanOrEqual(now - 15 * DAY);
    expect(Date.parse(final.body.items[0].finalAt)).toBeLessThan(now - 14 * DAY);
    expect((await as(rita).get('/v1/disputes', { status: 'decided', filingId })).body.items).toEqual([]);
    expect((await as(bob).get(`/v1/disputes/${finalId}`)).body.status).toBe('final');

    await refused(() => as(bob).post(`/v1/disputes/${finalId}/appeal`, { grounds: 'Too late, I know.' }), 409, 'appeal-window-closed');
    await refused(() => as(bob).post(`/v1/disputes/${finalId}/withdraw`, {}), 409, 'dispute-final');
    await refused(() => as(alice).post(`/v1/disputes/${overdueId}/response`, { statement: 'Late answer.' }), 409, 'response-window-closed');
    // Past the response window the reviewer may decide without an answer; an overdue decision is still accepted.
    const decided = await as(rita).post(`/v1/disputes/${overdueId}/decision`, { outcome: 'rejected', reasoning: 'No answer needed.' });
    expect(decided.status).toBe(200);
    expect(decided.body).toMatchObject({ status: 'decided', overdue: false, reviewDueAt: null });
    const { result, events } = await verifyWholeLedger(ledger);
    expect(result).toMatchObject({ ok: true, treeSize: events.length });
  });
});
