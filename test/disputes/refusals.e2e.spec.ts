// Every refused dispute request answers problem+json with the right status and leaves the store unchanged.
import { randomBytes } from 'node:crypto';
import { problemDetail } from '../../web/src/i18n/problems.js';
import { filingBody, principal, startLedger, type LedgerApp } from '../support/ledger-app.js';

type Who = { id: string; key: string };
const sha = () => randomBytes(32).toString('hex');
const MISSING = '01a2253d-e865-744d-bc21-9aa3dae3b8f5';

describe('refused dispute requests change nothing', () => {
  let ledger: LedgerApp;
  let alice: Who;
  let bob: Who;
  let carol: Who;
  let rita: Who;
  let victor: Who;
  let audrey: Who;
  let hybrid: Who;
  let alicesWork: string;
  let bobsWork: string;
  let carolsWork: string;
  let withdrawnWork: string;
  /** Unassigned; assigned to Rita without a response; assigned to Rita and answered; decided by Rita. */
  let opened: string;
  let assigned: string;
  let answered: string;
  let decided: string;

  const post = (who: Who, path: string, body: object) => ledger.http().post(path).set('authorization', `Bearer ${who.key}`).send(body);
  const complaint = (over: Record<string, unknown> = {}) => ({
    type: 'priority',
    filingId: alicesWork,
    claim: 'I was first.',
    basisFilingId: bobsWork,
    ...over,
  });

  beforeAll(async () => {
    ledger = await startLedger();
    alice = await principal(ledger, 'Alice', ['creator']);
    bob = await principal(ledger, 'Bob', ['creator']);
    carol = await principal(ledger, 'Carol', ['creator']);
    rita = await principal(ledger, 'Rita', ['reviewer']);
    victor = await principal(ledger, 'Victor', ['reviewer']);
    audrey = await principal(ledger, 'Audrey', ['auditor']);
    hybrid = await principal(ledger, 'Hannah', ['creator', 'reviewer']);
    const filed = async (who: Who) => (await post(who, '/v1/filings', filingBody())).body.filingId as string;
    bobsWork = await filed(bob);
    alicesWork = await filed(alice);
    carolsWork = await filed(carol);
    withdrawnWork = await filed(alice);
    expect((await post(alice, `/v1/filings/${withdrawnWork}/withdraw`, {})).status).toBe(200);
    const open = async () => {
      const res = await post(bob, '/v1/disputes', complaint());
      expect(res.status).toBe(201);
      return res.body.disputeId as string;
    };
    opened = await open();
    assigned = await open();
    answered = await open();
    decided = await open();
    for (const id of [assigned, answered, decided])
      expect((await post(rita, `/v1/disputes/${id}/assign`, { reviewerId: rita.id })).status).toBe(200);
    for (const id of [answered, decided])
      expect((await post(alice, `/v1/disputes/${id}/response`, { statement: 'Mine.' })).status).toBe(200);
    expect((await post(rita, `/v1/disputes/${decided}/decision`, { outcome: 'rejected', reasoning: 'No proof.' })).status).toBe(200);
  });
  afterAll(() => ledger.close());

  const cases: Array<[string, () => { who: Who; path: string; body: unknown }, number, string]> = [
    // Opening a complaint
    [
      'a complaint against a filing that does not exist',
      () => ({ who: bob, path: '/v1/disputes', body: complaint({ filingId: MISSING }) }),
      404,
      'filing-not-found',
    ],
    [
      'a complaint against a withdrawn filing',
      () => ({ who: bob, path: '/v1/disputes', body: complaint({ filingId: withdrawnWork }) }),
      409,
      'filing-withdrawn',
    ],
    [
      'a basis filing owned by someone else',
      () => ({ who: bob, path: '/v1/disputes', body: complaint({ basisFilingId: carolsWork }) }),
      403,
      'basis-not-owned',
    ],
    [
      'a basis filing that does not exist',
      () => ({ who: bob, path: '/v1/disputes', body: complaint({ basisFilingId: MISSING }) }),
      404,
      'basis-filing-not-found',
    ],
    [
      "a complaint against one's own filing",
      () => ({ who: alice, path: '/v1/disputes', body: complaint({ basisFilingId: undefined }) }),
      400,
      'own-filing',
    ],
    [
      'an unknown dispute type',
      () => ({ who: bob, path: '/v1/disputes', body: complaint({ type: 'plagiarism' }) }),
      400,
      'validation-failed',
    ],
    ['an unknown top-level field', () => ({ who: bob, path: '/v1/disputes', body: complaint({ urgent: true }) }), 400, 'validation-failed'],
    [
      'an unknown field in an evidence item',
      () => ({
        who: bob,
        path: '/v1/disputes',
        body: complaint({ evidence: [{ sha256: sha(), description: 'x', declaredAiGenerated: false, url: 'http://x' }] }),
      }),
      400,
      'validation-failed',
    ],
    [
      'an evidence item without its AI declaration',
      () => ({ who: bob, path: '/v1/disputes', body: complaint({ evidence: [{ sha256: sha(), description: 'x' }] }) }),
      400,
      'validation-failed',
    ],
    [
      'an evidence hash that is not SHA-256 hex',
      () => ({
        who: bob,
        path: '/v1/disputes',
        body: complaint({ evidence: [{ sha256: 'gh'.repeat(32), description: 'x', declaredAiGenerated: false }] }),
      }),
      400,
      'validation-failed',
    ],
    ['a blank claim', () => ({ who: bob, path: '/v1/disputes', body: complaint({ claim: '   ' }) }), 400, 'validation-failed'],
    [
      'the same evidence twice',
      () => {
        const e = { sha256: sha(), description: 'x', declaredAiGenerated: false };
        return { who: bob, path: '/v1/disputes', body: complaint({ evidence: [e, e] }) };
      },
      400,
      'duplicate-evidence',
    ],
    ['a reviewer opening a complaint', () => ({ who: rita, path: '/v1/disputes', body: complaint() }), 403, 'role-required'],
    ['an auditor opening a complaint', () => ({ who: audrey, path: '/v1/disputes', body: complaint() }), 403, 'role-required'],
    // Assignment
    [
      'a reviewer assigning another reviewer',
      () => ({ who: victor, path: `/v1/disputes/${opened}/assign`, body: { reviewerId: rita.id } }),
      403,
      'assign-self-only',
    ],
    [
      'an admin assigning a creator',
      () => ({ who: { id: '', key: ledger.adminKey }, path: `/v1/disputes/${opened}/assign`, body: { reviewerId: carol.id } }),
      400,
      'not-a-reviewer',
    ],
    [
      'an admin assigning nobody that exists',
      () => ({ who: { id: '', key: ledger.adminKey }, path: `/v1/disputes/${opened}/assign`, body: { reviewerId: MISSING } }),
      400,
      'unknown-reviewer',
    ],
    [
      "a reviewer taking over another reviewer's dispute",
      () => ({ who: victor, path: `/v1/disputes/${assigned}/assign`, body: { reviewerId: victor.id } }),
      409,
      'already-assigned',
    ],
    [
      'assigning a decided dispute',
      () => ({ who: victor, path: `/v1/disputes/${decided}/assign`, body: { reviewerId: victor.id } }),
      409,
      'already-decided',
    ],
    [
      'a creator assigning',
      () => ({ who: bob, path: `/v1/disputes/${opened}/assign`, body: { reviewerId: rita.id } }),
      403,
      'role-required',
    ],
    [
      'an assignment with a malformed reviewer id',
      () => ({ who: rita, path: `/v1/disputes/${opened}/assign`, body: { reviewerId: 'rita' } }),
      400,
      'validation-failed',
    ],
    [
      'assigning a dispute that does not exist',
      () => ({ who: rita, path: `/v1/disputes/${MISSING}/assign`, body: { reviewerId: rita.id } }),
      404,
      'dispute-not-found',
    ],
    [
      'a malformed dispute id',
      () => ({ who: rita, path: '/v1/disputes/not-a-uuid/assign', body: { reviewerId: rita.id } }),
      400,
      'bad-request',
    ],
    // Response
    [
      'a response by someone other than the respondent',
      () => ({ who: bob, path: `/v1/disputes/${assigned}/response`, body: { statement: 'Me too.' } }),
      403,
      'not-respondent',
    ],
    [
      'a second response',
      () => ({ who: alice, path: `/v1/disputes/${answered}/response`, body: { statement: 'Again.' } }),
      409,
      'already-responded',
    ],
    [
      'a response with an unknown field',
      () => ({ who: alice, path: `/v1/disputes/${assigned}/response`, body: { statement: 'Mine.', mood: 'angry' } }),
      400,
      'validation-failed',
    ],
    // Decision
    [
      'deciding an unassigned dispute',
      () => ({ who: rita, path: `/v1/disputes/${opened}/decision`, body: { outcome: 'rejected', reasoning: 'No.' } }),
      409,
      'not-assigned',
    ],
    [
      'a decision by a reviewer who is not assigned',
      () => ({ who: victor, path: `/v1/disputes/${answered}/decision`, body: { outcome: 'rejected', reasoning: 'No.' } }),
      403,
      'not-assigned-reviewer',
    ],
    [
      'a decision before the respondent was heard',
      () => ({ who: rita, path: `/v1/disputes/${assigned}/decision`, body: { outcome: 'rejected', reasoning: 'No.' } }),
      409,
      'awaiting-response',
    ],
    [
      'a second decision',
      () => ({
        who: rita,
        path: `/v1/disputes/${decided}/decision`,
        body: { outcome: 'upheld', remedy: 'revoke', reasoning: 'Yes after all.' },
      }),
      409,
      'already-decided',
    ],
    [
      'upheld without a remedy',
      () => ({ who: rita, path: `/v1/disputes/${answered}/decision`, body: { outcome: 'upheld', reasoning: 'Yes.' } }),
      400,
      'remedy-required',
    ],
    [
      'rejected with a remedy',
      () => ({ who: rita, path: `/v1/disputes/${answered}/decision`, body: { outcome: 'rejected', remedy: 'revoke', reasoning: 'No.' } }),
      400,
      'remedy-not-allowed',
    ],
    [
      'a decision without reasoning',
      () => ({ who: rita, path: `/v1/disputes/${answered}/decision`, body: { outcome: 'rejected' } }),
      400,
      'validation-failed',
    ],
    [
      'an unknown remedy',
      () => ({ who: rita, path: `/v1/disputes/${answered}/decision`, body: { outcome: 'upheld', remedy: 'fine', reasoning: 'Yes.' } }),
      400,
      'validation-failed',
    ],
    [
      'a decision by a creator',
      () => ({ who: alice, path: `/v1/disputes/${answered}/decision`, body: { outcome: 'rejected', reasoning: 'No.' } }),
      403,
      'role-required',
    ],
    // Appeal and appeal decision
    [
      'an appeal before any decision',
      () => ({ who: alice, path: `/v1/disputes/${answered}/appeal`, body: { grounds: 'Unfair.' } }),
      409,
      'not-decided',
    ],
    [
      'an appeal by someone who is not a party',
      () => ({ who: carol, path: `/v1/disputes/${decided}/appeal`, body: { grounds: 'Unfair.' } }),
      403,
      'not-a-party',
    ],
    [
      'an appeal decision with nothing appealed',
      () => ({ who: victor, path: `/v1/disputes/${decided}/appeal-decision`, body: { ruling: 'affirm', reasoning: 'Fine.' } }),
      409,
      'not-appealed',
    ],
    [
      'an appeal decision with an unknown ruling',
      () => ({ who: victor, path: `/v1/disputes/${decided}/appeal-decision`, body: { ruling: 'overturn', reasoning: 'Fine.' } }),
      400,
      'validation-failed',
    ],
    // Withdrawal
    ['a withdrawal by the respondent', () => ({ who: alice, path: `/v1/disputes/${opened}/withdraw`, body: {} }), 403, 'not-complainant'],
    ['a withdrawal by a reviewer', () => ({ who: rita, path: `/v1/disputes/${opened}/withdraw`, body: {} }), 403, 'role-required'],
    [
      'a withdrawal with an unknown field',
      () => ({ who: bob, path: `/v1/disputes/${opened}/withdraw`, body: { now: true } }),
      400,
      'validation-failed',
    ],
  ];

  // Objects, not argument lists: a short row would make jest pass `done` as the last argument.
  it.each(cases.map(([name, make, status, code]) => ({ name, make, status, code })))('refuses $name', async ({ make, status, code }) => {
    const c = make();
    const before = await ledger.store.count();
    const res = await post(c.who, c.path, c.body as object);
    expect({ status: res.status, type: res.body.type, detail: typeof res.body.detail }).toEqual({
      status,
      type: `urn:sandbox-ledger:problem:${code}`,
      detail: 'string',
    });
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(await ledger.store.count()).toBe(before);
  });

  it('a refusal for a time names that time as a member of the problem, as the dispute reads it, and the console words it', async () => {
    const read = async (id: string) => (await ledger.http().get(`/v1/disputes/${id}`).set('authorization', `Bearer ${rita.key}`)).body;
    const [a, b, d] = await Promise.all([read(assigned), read(answered), read(decided)]);
    const refusal = async (who: Who, path: string, body: object) => (await post(who, path, body)).body as Record<string, unknown>;
    const refusals: Array<[Record<string, unknown>, string, string]> = [
      [await refusal(alice, `/v1/disputes/${answered}/response`, { statement: 'Again.' }), 'already-responded', b.response.respondedAt],
      [
        await refusal(rita, `/v1/disputes/${assigned}/decision`, { outcome: 'rejected', reasoning: 'No.' }),
        'awaiting-response',
        a.deadlines.responseDueAt,
      ],
      [
        await refusal(rita, `/v1/disputes/${decided}/decision`, { outcome: 'rejected', reasoning: 'No.' }),
        'already-decided',
        d.decision.decidedAt,
      ],
    ];
    const member = { 'already-responded': 'respondedAt', 'awaiting-response': 'responseDueAt', 'already-decided': 'decidedAt' } as Record<
      string,
      string
    >;
    for (const [body, code, time] of refusals) {
      expect(typeof time === 'string' && !Number.isNaN(Date.parse(time))).toBe(true);
      expect(body).toMatchObject({ type: `urn:sandbox-ledger:problem:${code}`, [member[code]]: time });
      // The console's wording of it, in each language, names that time.
      for (const lang of ['en', 'zh-CN'] as const) expect(problemDetail(lang, body, (iso) => `<${iso}>`)).toContain(`<${time}>`);
    }
  });

  it('refuses a party reviewing their own dispute, and an appeal decided by the first reviewer', async () => {
    const hybridsWork = (await post(hybrid, '/v1/filings', filingBody())).body.filingId as string;
    const against = (await post(bob, '/v1/disputes', { type: 'infringement', filingId: hybridsWork, claim: 'Copied.' })).body
      .disputeId as string;
    let before = await ledger.store.count();
    const self = await post(hybrid, `/v1/disputes/${against}/assign`, { reviewerId: hybrid.id });
    expect([self.status, self.body.type]).toEqual([403, 'urn:sandbox-ledger:problem:reviewer-is-party']);
    expect(await ledger.store.count()).toBe(before);

    // The complaint was rejected: the complainant appeals it.
    expect((await post(bob, `/v1/disputes/${decided}/appeal`, { grounds: 'The reviewer ignored my evidence.' })).status).toBe(200);
    before = await ledger.store.count();
    const same = await post(rita, `/v1/disputes/${decided}/appeal-decision`, { ruling: 'affirm', reasoning: 'I stand by it.' });
    expect([same.status, same.body.type]).toEqual([403, 'urn:sandbox-ledger:problem:same-reviewer']);
    const second = await post(bob, `/v1/disputes/${decided}/appeal`, { grounds: 'Once more.' });
    expect([second.status, second.body.type]).toEqual([409, 'urn:sandbox-ledger:problem:already-appealed']);
    const reverseWithoutRemedy = await post(victor, `/v1/disputes/${decided}/appeal-decision`, {
      ruling: 'reverse',
      reasoning: 'Bob was first.',
    });
    expect([reverseWithoutRemedy.status, reverseWithoutRemedy.body.type]).toEqual([400, 'urn:sandbox-ledger:problem:remedy-required']);
    expect(await ledger.store.count()).toBe(before);

    const reversed = await post(victor, `/v1/disputes/${decided}/appeal-decision`, {
      ruling: 'reverse',
      remedy: 'transfer',
      reasoning: 'Bob was first.',
    });
    expect(reversed.status).toBe(200);
    expect(reversed.body).toMatchObject({ status: 'final', outcome: 'upheld', remedy: 'transfer', appealDecision: { ruling: 'reversed' } });
    before = await ledger.store.count();
    for (const [path, body, code] of [
      ['appeal-decision', { ruling: 'affirm', reasoning: 'Again.' }, 'appeal-already-decided'],
      ['withdraw', {}, 'dispute-final'],
    ] as const) {
      const res = await post(path === 'withdraw' ? bob : hybrid, `/v1/disputes/${decided}/${path}`, body);
      expect([res.status, res.body.type]).toEqual([409, `urn:sandbox-ledger:problem:${code}`]);
    }
    expect(await ledger.store.count()).toBe(before);
  });

  it('lets the complainant withdraw an open dispute once, and then refuses everything on it', async () => {
    const withdrawn = await post(bob, `/v1/disputes/${opened}/withdraw`, { reason: 'Settled privately.' });
    expect(withdrawn.status).toBe(200);
    expect(withdrawn.body).toMatchObject({ status: 'withdrawn', withdrawal: { reason: 'Settled privately.' }, reviewDueAt: null });
    const before = await ledger.store.count();
    for (const [who, path, body] of [
      [bob, 'withdraw', {}],
      [rita, 'assign', { reviewerId: rita.id }],
      [alice, 'response', { statement: 'Late.' }],
    ] as const) {
      const res = await post(who, `/v1/disputes/${opened}/${path}`, body);
      expect([res.status, res.body.type]).toEqual([409, 'urn:sandbox-ledger:problem:dispute-withdrawn']);
    }
    expect(await ledger.store.count()).toBe(before);
  });
});
