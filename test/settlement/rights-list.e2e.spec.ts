// The rights register's list against the rules at the time asked: a decision that becomes final because its appeal
// window closes unappealed takes effect in the list as it does in the single right, before any settlement records it.
// The server's clock is moved past the window (only Date is faked; timers and I/O run as they do).
import { jest } from '@jest/globals';
import { expectRefused, filingBody, principal, startLedger, type LedgerApp } from '../support/ledger-app.js';
import { fakeDateOnly } from '../support/fake-date.js';

type Who = { id: string; key: string };
const DAY = 86_400_000;
const labels = {
  explicit: { text: 'AI生成', placement: ['bottom-right'], textHeightRatio: 0.06 },
  implicit: { AIGC: { Label: '1', ContentProducer: 'ACME-AI', ProduceID: 'gen-1', ReservedCode1: '', ReservedCode2: '' } },
};

describe('the rights register after an appeal window closes', () => {
  let ledger: LedgerApp;
  let admin: Who;
  let alice: Who;
  let bob: Who;
  let rita: Who;
  let victor: Who;

  const as = (who: Who) => ({
    post: (path: string, body: object = {}) => ledger.http().post(path).set('authorization', `Bearer ${who.key}`).send(body),
    get: (path: string, query: Record<string, string | number> = {}) =>
      ledger.http().get(path).query(query).set('authorization', `Bearer ${who.key}`),
  });
  /** A filing with its labels declared, so that no label deadline passes while the clock moves. */
  const file = async (who: Who) => {
    const res = await as(who).post('/v1/filings', filingBody());
    expect(res.status).toBe(201);
    expect((await as(who).post(`/v1/filings/${res.body.filingId}/labels`, labels)).status).toBe(201);
    return res.body.filingId as string;
  };
  /** A complaint by bob against alice's filing, decided upheld with `remedy` (and appealed and affirmed when `affirm`). */
  const decide = async (filingId: string, remedy: string, type = 'authorship', affirm = false) => {
    const opened = await as(bob).post('/v1/disputes', { type, filingId, claim: 'I made this first.' });
    expect(opened.status).toBe(201);
    const id = opened.body.disputeId as string;
    const steps: Array<[Who, string, object]> = [
      [rita, 'assign', { reviewerId: rita.id }],
      [alice, 'response', { statement: 'It is mine.' }],
      [rita, 'decision', { outcome: 'upheld', remedy, reasoning: 'Drafts predate it.' }],
    ];
    if (affirm)
      steps.push([alice, 'appeal', { grounds: 'Wrong.' }], [victor, 'appeal-decision', { ruling: 'affirm', reasoning: 'Sound.' }]);
    for (const [who, path, body] of steps) expect((await as(who).post(`/v1/disputes/${id}/${path}`, body)).status).toBe(200);
    return id;
  };
  /** Every item of a list `who` reads (an admin by default), page by page (`limit` a page). */
  const all = async (query: Record<string, string | number>, limit = 1, who: Who = admin) => {
    const ids: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await as(who).get('/v1/rights', { ...query, limit, ...(cursor ? { cursor } : {}) });
      expect(page.status).toBe(200);
      expect(page.body.items.length).toBeLessThanOrEqual(limit);
      ids.push(...page.body.items.map((r: { filingId: string }) => r.filingId));
      cursor = page.body.nextCursor;
    } while (cursor);
    return ids;
  };

  beforeAll(async () => {
    fakeDateOnly();
    ledger = await startLedger({ settlementIntervalMs: 0 });
    admin = { id: 'admin', key: ledger.adminKey };
    alice = await principal(ledger, 'Alice', ['creator']);
    bob = await principal(ledger, 'Bob', ['creator']);
    rita = await principal(ledger, 'Rita', ['reviewer']);
    victor = await principal(ledger, 'Victor', ['reviewer']);
  });
  afterAll(async () => {
    await ledger.close();
    jest.useRealTimers();
  });

  it('lists a transfer made final by its lapsed appeal window as the single right answers it, on every page', async () => {
    const lapsing = await file(alice);
    const affirmed = await file(alice);
    const kept = await file(alice);
    const lapsingToo = await file(alice);
    const revokedLater = await file(alice);
    await decide(lapsing, 'transfer');
    await decide(affirmed, 'transfer', 'priority', true);
    await decide(lapsingToo, 'transfer', 'priority');
    await decide(revokedLater, 'revoke', 'infringement');

    // Within the window only the affirmed transfer is final: bob, who complained, does not hold the right and may not read it.
    await expectRefused(ledger, () => as(bob).get(`/v1/rights/${lapsing}`), 403, 'not-owner');
    // Nor as of an instant past the window, when the rules would give it to him: who may read is judged now.
    const later = new Date(Date.now() + 400 * DAY).toISOString();
    await expectRefused(ledger, () => as(bob).get(`/v1/rights/${lapsing}`, { asOf: later }), 403, 'not-owner');
    expect((await as(alice).get(`/v1/rights/${lapsing}`, { asOf: later })).body).toMatchObject({ status: 'transferred', holder: bob.id });
    expect((await as(alice).get(`/v1/rights/${lapsing}`)).body).toMatchObject({
      status: 'provisional',
      holder: alice.id,
      flags: ['disputed'],
    });
    expect(await all({ holder: bob.id, status: 'transferred' })).toEqual([affirmed]);
    expect(await all({ holder: alice.id })).toEqual([lapsing, kept, lapsingToo, revokedLater]);
    // `me`: the principal asking, as in the filings and disputes lists.
    expect(await all({ holder: 'me' }, 10, alice)).toEqual([lapsing, kept, lapsingToo, revokedLater]);
    expect(await all({ holder: 'me', status: 'transferred' }, 10, bob)).toEqual([affirmed]);
    expect(await all({ creator: 'me' }, 10, bob)).toEqual([]);
    await expectRefused(ledger, () => as(alice).get('/v1/rights', { holder: '-'.repeat(36) }), 400, 'validation-failed');
    expect(await all({ flag: 'disputed' })).toEqual([lapsing, lapsingToo, revokedLater]);
    expect(await all({ creator: alice.id, status: 'provisional' }, 2)).toEqual([lapsing, kept, lapsingToo, revokedLater]);

    jest.setSystemTime(Date.now() + 15 * DAY + 60_000);

    for (const id of [lapsing, lapsingToo])
      expect((await as(bob).get(`/v1/rights/${id}`)).body).toMatchObject({
        status: 'transferred',
        holder: bob.id,
        rule: 'dispute-upheld-transfer',
        cause: { deadline: 'appealUntil' },
        flags: [],
      });
    expect((await as(alice).get(`/v1/rights/${revokedLater}`)).body).toMatchObject({ status: 'revoked', holder: alice.id });
    // Its creator still reads a right transferred away, and its holder reads it as of before the transfer.
    expect((await as(alice).get(`/v1/rights/${lapsing}`)).body).toMatchObject({ status: 'transferred', holder: bob.id });
    const filedAt = (await as(alice).get(`/v1/rights/${lapsing}`)).body.filedAt as string;
    expect((await as(bob).get(`/v1/rights/${lapsing}`, { asOf: filedAt })).body).toMatchObject({ status: 'provisional', holder: alice.id });
    // Final by time alone, with no event since: a complaint against them is refused by the rules as of now, as the single right answers.
    const complain = (filingId: string) => () =>
      as(bob).post('/v1/disputes', { type: 'mislabeling', filingId, claim: 'Labels are wrong.' });
    expect((await expectRefused(ledger, complain(lapsing), 409, 'right-transferred')).holder).toBe(bob.id);
    await expectRefused(ledger, complain(revokedLater), 409, 'right-revoked');

    // The list agrees with the single rights, a page of one at a time or all at once, without a settlement.
    const expectations: Array<[Record<string, string>, string[]]> = [
      [{ holder: bob.id, status: 'transferred' }, [lapsing, affirmed, lapsingToo]],
      [{ holder: bob.id }, [lapsing, affirmed, lapsingToo]],
      [{ status: 'transferred' }, [lapsing, affirmed, lapsingToo]],
      [{ holder: alice.id }, [kept, revokedLater]],
      [{ creator: alice.id, status: 'provisional' }, [kept]],
      [{ status: 'revoked' }, [revokedLater]],
      [{ flag: 'disputed' }, []],
      [{ creator: alice.id }, [lapsing, affirmed, kept, lapsingToo, revokedLater]],
    ];
    const check = async () => {
      for (const [query, expected] of expectations) {
        expect({ query, ids: await all(query) }).toEqual({ query, ids: expected });
        expect({ query, ids: await all(query, 100) }).toEqual({ query, ids: expected });
      }
    };
    await check();
    // A creator sees the rights they filed or now hold: bob the two whose rows still name alice as holder, read by the
    // rules as of now.
    expect(await all({}, 100, bob)).toEqual([lapsing, affirmed, lapsingToo]);
    expect(await all({}, 1, bob)).toEqual([lapsing, affirmed, lapsingToo]);
    expect(await all({ creator: alice.id }, 100, bob)).toEqual([lapsing, affirmed, lapsingToo]);
    expect(await all({}, 100, alice)).toEqual([lapsing, affirmed, kept, lapsingToo, revokedLater]);
    const listed = await as(bob).get('/v1/rights', { holder: bob.id, status: 'transferred' });
    const single = await as(bob).get(`/v1/rights/${lapsing}`);
    const common = ['filingId', 'creator', 'holder', 'status', 'rule', 'cause', 'since', 'flags', 'policyVersion', 'confirmedAt'];
    const pick = (r: Record<string, unknown>) => Object.fromEntries(common.map((k) => [k, r[k]]));
    expect(pick(listed.body.items[0])).toEqual(pick(single.body));

    // A settlement records the same, and the list stays as it was.
    const run = await as(admin).post('/v1/settlements');
    expect(run.status).toBe(201);
    expect(run.body.changes.map((c: { filingId: string; to: string }) => [c.filingId, c.to])).toEqual([
      [lapsing, 'transferred'],
      [affirmed, 'transferred'],
      [lapsingToo, 'transferred'],
      [revokedLater, 'revoked'],
    ]);
    await check();
  });

  it('shows a creator only the rights they filed or hold, and reviewers, auditors and admins every right', async () => {
    const carol = await principal(ledger, 'Carol', ['creator']);
    const audrey = await principal(ledger, 'Audrey', ['auditor']);
    const everyone = await all({}, 100);
    const carols = await file(carol);
    expect(everyone).not.toContain(carols);
    const alicesOwn = await all({ creator: alice.id }, 100);
    expect(alicesOwn.length).toBeGreaterThan(0);
    const alicesHeld = await all({ holder: alice.id }, 100);

    for (const overseer of [admin, rita, audrey]) expect(await all({}, 100, overseer)).toEqual([...everyone, carols]);
    expect(await all({}, 100, carol)).toEqual([carols]);
    expect(await all({}, 1, alice)).toEqual(alicesOwn);
    expect(alicesOwn).toEqual(expect.arrayContaining(alicesHeld));
    // The filters narrow what a creator sees; they never widen it.
    expect(await all({ creator: carol.id }, 100, alice)).toEqual([]);
    expect(await all({ holder: carol.id }, 100, alice)).toEqual([]);
    expect(await all({ creator: carol.id }, 100, rita)).toEqual([carols]);
    // A single right likewise: another creator's is refused, whatever the instant asked.
    for (const overseer of [admin, rita, audrey]) expect((await as(overseer).get(`/v1/rights/${carols}`)).body.creator).toBe(carol.id);
    expect((await as(carol).get(`/v1/rights/${carols}`)).body.creator).toBe(carol.id);
    await expectRefused(ledger, () => as(alice).get(`/v1/rights/${carols}`), 403, 'not-owner');
    await expectRefused(ledger, () => as(carol).get(`/v1/rights/${alicesOwn[0]}`, { asOf: new Date().toISOString() }), 403, 'not-owner');
    await expectRefused(ledger, () => as(carol).get(`/v1/rights/${alicesOwn[0]}`, { asOf: '2001-01-01T00:00:00Z' }), 403, 'not-owner');
    await expectRefused(ledger, () => as(carol).get('/v1/rights/00000000-0000-4000-8000-000000000000'), 404, 'filing-not-found');
    const page = await as(alice).get('/v1/rights', { limit: 100 });
    expect(page.body.items.map((r: { creator: string; holder: string }) => [r.creator, r.holder].includes(alice.id))).not.toContain(false);
  });
});
