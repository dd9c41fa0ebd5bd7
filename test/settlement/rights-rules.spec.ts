// The sandbox rules as given events / when asOf / then right: time is data, nothing waits.
import { POLICY_V1 } from '../../src/verifier/sandbox-policy.js';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteFilingStore } from '../../src/cli/sqlite-filing-store.js';
import { type FilingStore, MemoryFilingStore, RightsBook, rightOf, settledRightOf } from '../../src/verifier/rights-book.js';
import type { RuleEvent } from '../../src/verifier/rights-events.js';
import { reachedFinalRight, type Right } from '../../src/verifier/rights-rules.js';
import { seededRandom } from '../support/random.js';

const DAY = 86_400_000;
const T0 = Date.parse('2027-01-04T00:00:00.000Z');
const at = (days: number) => new Date(T0 + days * DAY).toISOString();

/** A log under construction: every event gets the next leaf index. */
function log() {
  const events: RuleEvent[] = [];
  const add = (type: string, data: Record<string, unknown>) => {
    events.push({ type, data, leafIndex: events.length });
    return events[events.length - 1];
  };
  const api = {
    events,
    filed: (day: number, filingId = 'f1', creator = 'alice') => {
      add('WorkFiled', { filingId, creator, filedAt: at(day), contentHash: 'h' });
      return api;
    },
    labelled: (day: number, filingId = 'f1') => {
      add('LabelsDeclared', { filingId, declaredAt: at(day) });
      return api;
    },
    withdrawn: (day: number, filingId = 'f1') => {
      add('FilingWithdrawn', { filingId, reason: null, withdrawnAt: at(day) });
      return api;
    },
    nearDuplicates: (day: number, filingId = 'f1', creator = 'bob') => {
      add('NearDuplicatesFound', {
        filingId,
        scheme: 'phash64',
        threshold: 8,
        policyVersion: 1,
        candidates: [{ filingId: 'earlier', creator, distance: 3, leafIndex: 0 }],
        foundAt: at(day),
      });
      return api;
    },
    reviewed: (day: number, flag: 'similarityReview' | 'probation', decision: 'cleared' | 'confirmed', filingId = 'f1') => {
      add('FlagReviewed', { filingId, flag, decision, reasoning: 'looked at it', reviewedBy: 'rita', reviewedAt: at(day) });
      return api;
    },
    complaint: (
      day: number,
      disputeId: string,
      o: { filingId?: string; complainant?: string; respondent?: string; type?: string } = {},
    ) => {
      add('ComplaintFiled', {
        disputeId,
        type: o.type ?? 'priority',
        filingId: o.filingId ?? 'f1',
        complainant: o.complainant ?? 'bob',
        respondent: o.respondent ?? 'alice',
        filedAt: at(day),
      });
      return api;
    },
    returned: (day: number, disputeId: string) => {
      add('ComplaintReturned', { disputeId, returnedAt: at(day) });
      return api;
    },
    complaintWithdrawn: (day: number, disputeId: string) => {
      add('ComplaintWithdrawn', { disputeId, withdrawnAt: at(day) });
      return api;
    },
    decided: (day: number, disputeId: string, outcome: 'upheld' | 'rejected', remedy: string | null, appealDays = 15) => {
      add('DisputeDecided', { disputeId, outcome, remedy, decidedAt: at(day), appealUntil: at(day + appealDays) });
      return api;
    },
    appealed: (day: number, disputeId: string) => {
      add('AppealFiled', { disputeId, appealedAt: at(day) });
      return api;
    },
    appealDecided: (day: number, disputeId: string, outcome: 'upheld' | 'rejected', remedy: string | null) => {
      add('AppealDecided', { disputeId, outcome, remedy, decidedAt: at(day) });
      return api;
    },
    /** A version; `ruleset: undefined` records none, as versions published before rulesets existed. */
    policy: (version: number, effectiveDay: number, publishedDay: number, over: Partial<typeof POLICY_V1> = {}) => {
      const { version: _v, ...parameters }: Partial<typeof POLICY_V1> = { ...POLICY_V1, ...over };
      if (parameters.ruleset === undefined) delete parameters.ruleset;
      add('PolicyPublished', { version, effectiveFrom: at(effectiveDay), parameters, publishedAt: at(publishedDay) });
      return api;
    },
    /** The right of `filingId` as of `day`. */
    at: (day: number, filingId = 'f1') => rightOf(events, filingId, at(day))!,
  };
  return api;
}

const brief = (r: Right) => ({ status: r.status, rule: r.rule, flags: r.flags });

describe('sandbox rules: provisional → confirmed', () => {
  const l = log().filed(0).labelled(2);
  it.each([
    [0, 'provisional', 'filing-accepted', []],
    [29.99, 'provisional', 'filing-accepted', []],
    [30, 'confirmed', 'quiet-period-over', []],
    [759.99, 'confirmed', 'quiet-period-over', []],
  ])('at day %p the right is %s by %s', (day, status, rule, flags) => {
    expect(brief(l.at(day))).toEqual({ status, rule, flags });
  });
  it('opens at filing with its deadlines and v1', () => {
    expect(l.at(0)).toMatchObject({
      holder: 'alice',
      creator: 'alice',
      since: at(0),
      cause: { event: 'WorkFiled', leafIndex: 0 },
      policyVersion: 1,
      labelDueAt: at(7),
      quietUntil: at(30),
      confirmedAt: null,
      expiresAt: null,
      labelsDeclaredAt: null,
    });
  });
  it('is confirmed by the quiet-period deadline and lasts termDays', () => {
    expect(l.at(31)).toMatchObject({
      since: at(30),
      cause: { deadline: 'quietUntil', at: at(30) },
      confirmedAt: at(30),
      expiresAt: at(760),
    });
  });
  it('is not there before its filing', () => expect(rightOf(l.events, 'f1', at(-1))).toBeNull());
});

describe('sandbox rules: labels', () => {
  it('labels overdue suspend the right, late labels lift it, and it confirms after the quiet period', () => {
    const l = log().filed(0).labelled(10);
    expect(brief(l.at(6.9))).toEqual({ status: 'provisional', rule: 'filing-accepted', flags: [] });
    expect(l.at(7)).toMatchObject({
      status: 'suspended',
      rule: 'labels-overdue',
      cause: { deadline: 'labelDueAt', at: at(7) },
      flags: ['labelOverdue'],
      since: at(7),
    });
    expect(l.at(10)).toMatchObject({
      status: 'provisional',
      rule: 'labels-declared-late',
      cause: { event: 'LabelsDeclared', leafIndex: 1 },
      flags: [],
    });
    expect(brief(l.at(30))).toEqual({ status: 'confirmed', rule: 'quiet-period-over', flags: [] });
  });
  it('labels declared after the quiet period confirm at once, caused by the declaration', () => {
    const l = log().filed(0).labelled(40);
    expect(brief(l.at(39))).toEqual({ status: 'suspended', rule: 'labels-overdue', flags: ['labelOverdue'] });
    expect(l.at(40)).toMatchObject({
      status: 'confirmed',
      rule: 'quiet-period-over',
      cause: { event: 'LabelsDeclared', leafIndex: 1 },
      since: at(40),
      expiresAt: at(770),
    });
  });
  it('without labels the right stays suspended', () =>
    expect(brief(log().filed(0).at(400))).toEqual({ status: 'suspended', rule: 'labels-overdue', flags: ['labelOverdue'] }));
});

describe('sandbox rules: disputes', () => {
  it('an open dispute freezes the right; a rejection final after the appeal window lets it confirm', () => {
    const l = log().filed(0).labelled(1).complaint(20, 'd1').decided(40, 'd1', 'rejected', null);
    expect(l.at(35)).toMatchObject({ status: 'provisional', flags: ['disputed'], openDisputes: ['d1'] });
    expect(brief(l.at(54.9))).toEqual({ status: 'provisional', rule: 'filing-accepted', flags: ['disputed'] });
    expect(l.at(55)).toMatchObject({
      status: 'confirmed',
      rule: 'quiet-period-over',
      cause: { deadline: 'appealUntil', at: at(55), disputeId: 'd1' },
      flags: [],
      since: at(55),
    });
  });
  it('a dispute open at the label deadline freezes the suspension until it closes', () => {
    const l = log().filed(0).complaint(3, 'd1').complaintWithdrawn(12, 'd1');
    expect(brief(l.at(8))).toEqual({ status: 'provisional', rule: 'filing-accepted', flags: ['disputed', 'labelOverdue'] });
    expect(l.at(12)).toMatchObject({ status: 'suspended', rule: 'labels-overdue', since: at(12), flags: ['labelOverdue'] });
  });
  it('a returned complaint freezes nothing', () => {
    const l = log().filed(0).labelled(1).complaint(20, 'd1').returned(20, 'd1');
    expect(brief(l.at(30))).toEqual({ status: 'confirmed', rule: 'quiet-period-over', flags: [] });
  });
  it('upheld with revoke: revoked once the decision is final', () => {
    const l = log().filed(0).labelled(1).complaint(5, 'd1').decided(10, 'd1', 'upheld', 'revoke');
    expect(brief(l.at(24))).toEqual({ status: 'provisional', rule: 'filing-accepted', flags: ['disputed'] });
    expect(l.at(25)).toMatchObject({
      status: 'revoked',
      rule: 'dispute-upheld-revoke',
      cause: { deadline: 'appealUntil', at: at(25), disputeId: 'd1' },
      flags: [],
      holder: 'alice',
    });
    expect(brief(l.at(900))).toEqual({ status: 'revoked', rule: 'dispute-upheld-revoke', flags: [] });
  });
  it('upheld with transfer on appeal: transferred to the complainant when the appeal is decided', () => {
    const l = log()
      .filed(0)
      .labelled(1)
      .complaint(5, 'd1', { complainant: 'bob' })
      .decided(10, 'd1', 'rejected', null)
      .appealed(12, 'd1')
      .appealDecided(20, 'd1', 'upheld', 'transfer');
    expect(l.at(19)).toMatchObject({ status: 'provisional', flags: ['disputed'] });
    expect(l.at(20)).toMatchObject({
      status: 'transferred',
      rule: 'dispute-upheld-transfer',
      holder: 'bob',
      cause: { event: 'AppealDecided', leafIndex: 5, disputeId: 'd1' },
    });
  });
  it('an appeal filed in the window keeps the dispute open past appealUntil', () => {
    const l = log().filed(0).labelled(1).complaint(5, 'd1').decided(10, 'd1', 'upheld', 'revoke').appealed(12, 'd1');
    expect(l.at(60)).toMatchObject({ status: 'provisional', flags: ['disputed'] });
  });
  it('upheld with suspend: a confirmed right is suspended until relabelled, then confirmed again within the same term', () => {
    const l = log().filed(0).labelled(1).complaint(40, 'd1').decided(45, 'd1', 'upheld', 'suspend').labelled(70);
    expect(brief(l.at(50))).toEqual({ status: 'confirmed', rule: 'quiet-period-over', flags: ['disputed'] });
    expect(l.at(60)).toMatchObject({
      status: 'suspended',
      rule: 'dispute-upheld-suspend',
      cause: { deadline: 'appealUntil', disputeId: 'd1' },
      flags: [],
    });
    expect(l.at(70)).toMatchObject({
      status: 'confirmed',
      rule: 'relabelled',
      cause: { event: 'LabelsDeclared', leafIndex: 4 },
      expiresAt: at(760),
    });
  });
  it('upheld with suspend before confirmation: provisional again when relabelled, confirmed later', () => {
    const l = log().filed(0).labelled(1).complaint(2, 'd1').decided(5, 'd1', 'upheld', 'suspend', 1).labelled(8);
    expect(brief(l.at(7))).toEqual({ status: 'suspended', rule: 'dispute-upheld-suspend', flags: [] });
    expect(brief(l.at(8))).toEqual({ status: 'provisional', rule: 'relabelled', flags: [] });
    expect(brief(l.at(30))).toEqual({ status: 'confirmed', rule: 'quiet-period-over', flags: [] });
  });
});

describe('sandbox rules: withdrawn and expired', () => {
  it('withdrawn by its creator, whatever else is pending', () => {
    const l = log().filed(0).complaint(2, 'd1').withdrawn(5);
    expect(l.at(5)).toMatchObject({
      status: 'withdrawn',
      rule: 'filing-withdrawn',
      cause: { event: 'FilingWithdrawn', leafIndex: 2 },
      flags: [],
      since: at(5),
    });
    expect(brief(l.at(800))).toEqual({ status: 'withdrawn', rule: 'filing-withdrawn', flags: [] });
  });
  it('expires termDays after confirmation', () => {
    const l = log().filed(0).labelled(1);
    expect(l.at(760)).toMatchObject({
      status: 'expired',
      rule: 'term-ended',
      cause: { deadline: 'expiresAt', at: at(760) },
      since: at(760),
      flags: [],
    });
  });
  it('an open dispute defers expiry until it closes', () => {
    const l = log().filed(0).labelled(1).complaint(750, 'd1').complaintWithdrawn(770, 'd1');
    expect(l.at(765)).toMatchObject({ status: 'confirmed', flags: ['disputed'] });
    expect(l.at(770)).toMatchObject({
      status: 'expired',
      rule: 'term-ended',
      cause: { deadline: 'expiresAt', at: at(760) },
      since: at(770),
    });
  });
});

describe('sandbox rules: similarity review and probation block confirmation until cleared', () => {
  it('similarityReview: provisional past the quiet period until a reviewer clears it', () => {
    const l = log().filed(0).nearDuplicates(0).labelled(1).reviewed(35, 'similarityReview', 'cleared');
    expect(l.at(34)).toMatchObject({ status: 'provisional', flags: ['similarityReview'], similarity: { review: 'pending' } });
    expect(l.at(35)).toMatchObject({
      status: 'confirmed',
      rule: 'quiet-period-over',
      cause: { event: 'FlagReviewed', leafIndex: 3 },
      flags: [],
      similarity: { review: 'cleared' },
    });
  });
  it('similarityReview confirmed by a reviewer blocks until a dispute by the earlier creator decides it', () => {
    const l = log()
      .filed(0)
      .nearDuplicates(0)
      .labelled(1)
      .reviewed(5, 'similarityReview', 'confirmed')
      .complaint(10, 'd1', { complainant: 'bob' })
      .decided(20, 'd1', 'rejected', null);
    expect(l.at(34)).toMatchObject({ status: 'provisional', flags: ['disputed', 'similarityReview'], similarity: { review: 'confirmed' } });
    expect(l.at(35)).toMatchObject({
      status: 'confirmed',
      cause: { deadline: 'appealUntil', disputeId: 'd1' },
      similarity: { review: 'decided-by-dispute' },
    });
  });
  it('a dispute by someone else does not decide the similarity question', () => {
    const l = log()
      .filed(0)
      .nearDuplicates(0)
      .labelled(1)
      .complaint(10, 'd1', { complainant: 'carol' })
      .decided(20, 'd1', 'rejected', null);
    expect(l.at(60)).toMatchObject({ status: 'provisional', flags: ['similarityReview'] });
  });
  const infringer = (upheldDays: number[]) => {
    const l = log();
    upheldDays.forEach((day, i) => {
      l.filed(day - 20, `old${i}`)
        .complaint(day - 19, `u${i}`, { filingId: `old${i}` })
        .decided(day - 15, `u${i}`, 'upheld', 'revoke');
    });
    return l.filed(400, 'f1').labelled(401, 'f1');
  };
  it('probation: three upheld disputes within 365 days put new filings under review', () => {
    const l = infringer([100, 200, 300]);
    expect(l.at(430)).toMatchObject({
      status: 'provisional',
      flags: ['probation'],
      probation: { upheld: 3, windowDays: 365, review: 'pending' },
    });
    l.reviewed(440, 'probation', 'cleared');
    expect(l.at(440)).toMatchObject({ status: 'confirmed', cause: { event: 'FlagReviewed' }, flags: [], probation: { review: 'cleared' } });
  });
  it('probation needs three within the window, counted when final', () => {
    expect(infringer([100, 200]).at(430)).toMatchObject({ status: 'confirmed', probation: null });
    // Final at day 30 (decided day 15, appeal window 15 days): 370 days before the filing.
    expect(infringer([30, 200, 300]).at(430)).toMatchObject({ status: 'confirmed', probation: null });
  });
  it('probation confirmed by a reviewer keeps the right provisional', () => {
    const l = infringer([100, 200, 300]).reviewed(410, 'probation', 'confirmed');
    expect(l.at(900)).toMatchObject({ status: 'provisional', flags: ['probation'], probation: { review: 'confirmed' } });
  });
});

describe('sandbox rules: policy versions are never retroactive', () => {
  const l = log()
    .filed(0, 'early')
    .labelled(1, 'early')
    .policy(2, 100, 20, { labelGraceDays: 3, objectionWindowDays: 10, termDays: 100 })
    .filed(50, 'before-v2')
    .labelled(51, 'before-v2')
    .filed(120, 'under-v2')
    .labelled(121, 'under-v2');
  it('a filing settles under the version in force at its filing time', () => {
    expect(l.at(200, 'before-v2')).toMatchObject({ policyVersion: 1, quietUntil: at(80), labelDueAt: at(57), expiresAt: at(810) });
    expect(l.at(200, 'under-v2')).toMatchObject({
      policyVersion: 2,
      quietUntil: at(130),
      labelDueAt: at(123),
      status: 'confirmed',
      expiresAt: at(230),
    });
    expect(l.at(230, 'under-v2')).toMatchObject({ status: 'expired', rule: 'term-ended' });
  });
  it('a version published after a filing, effective later, does not change it', () => {
    expect(l.at(200, 'early')).toMatchObject({ policyVersion: 1, quietUntil: at(30), expiresAt: at(760) });
  });
  it('the book lists the versions, v1 implicit', () => {
    const book = RightsBook.of(l.events);
    expect(book.policyVersions().map((v) => [v.version, v.effectiveFrom])).toEqual([
      [1, null],
      [2, at(100)],
    ]);
    expect(book.policyAt(Date.parse(at(99))).version).toBe(1);
    expect(book.policyAt(Date.parse(at(100))).version).toBe(2);
  });
});

describe('sandbox rules: deterministic for any instant, and settlements', () => {
  it('ignores events after asOf and beyond the log prefix', () => {
    const l = log().filed(0).labelled(1).withdrawn(50);
    expect(brief(l.at(40))).toEqual({ status: 'confirmed', rule: 'quiet-period-over', flags: [] });
    expect(brief(l.at(50))).toEqual({ status: 'withdrawn', rule: 'filing-withdrawn', flags: [] });
    const book = RightsBook.of(l.events);
    expect(book.rightAt('f1', Date.parse(at(60)), 2)!.status).toBe('confirmed');
    expect(book.rightAt('f1', Date.parse(at(60)), 1)!.status).toBe('suspended');
    expect(book.rightAt('f1', Date.parse(at(60)), 0)).toBeNull();
  });
  it('a settlement records each change since the previous one, from the statuses settled before', () => {
    const l = log().filed(0, 'a').labelled(1, 'a').filed(0, 'b');
    const book = RightsBook.of(l.events);
    const first = book.settlementAt(Date.parse(at(10)));
    expect(first).toEqual({
      policyVersion: 1,
      policyVersions: [1],
      changes: [
        {
          filingId: 'b',
          from: 'provisional',
          to: 'suspended',
          holder: 'alice',
          rule: 'labels-overdue',
          cause: { deadline: 'labelDueAt', at: at(7) },
          since: at(7),
        },
      ],
    });
    book.apply({ type: 'RightsSettled', data: { asOf: at(10), logSize: 3, ...first, trigger: 'admin' }, leafIndex: 3 });
    expect(book.settlementAt(Date.parse(at(10))).changes).toEqual([]);
    expect(book.settlementAt(Date.parse(at(31))).changes.map((c) => [c.filingId, c.from, c.to])).toEqual([
      ['a', 'provisional', 'confirmed'],
    ]);
  });
});

// The long-lived book keeps its filings in memory, or in a SQLite file (the verifier's CLI) with only a few of them in
// memory: 4 (nearly every access reads the table), or 70 (written out 64 rows to a statement).
const stores: Array<[string, (dir: string) => FilingStore & { dispose?(): void }]> = [
  ['in memory', () => new MemoryFilingStore()],
  ['in a SQLite file, 4 in memory', (dir) => new SqliteFilingStore(dir, 4)],
  ['in a SQLite file, 70 in memory', (dir) => new SqliteFilingStore(dir, 70)],
];

describe.each(stores)('sandbox rules: a long-lived book with its filings %s settles exactly like a fresh one', (_, newStore) => {
  let dir: string;
  let store: FilingStore & { dispose?(): void };
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'rights-book-'));
    store = newStore(dir);
  });
  afterEach(() => {
    store.dispose?.();
    expect(readdirSync(dir)).toEqual([]);
    rmSync(dir, { recursive: true, force: true });
  });
  const liveBook = (events: RuleEvent[] = []) => {
    const book = new RightsBook(store);
    for (const e of events) book.apply(e);
    return book;
  };

  /** Settles `first` with a long-lived book, appends `later`, and compares its next settlement with a fresh book's. */
  const settleTwice = (first: ReturnType<typeof log>, later: (l: ReturnType<typeof log>) => void, days: [number, number]) => {
    const live = liveBook(first.events);
    const s1 = live.settlementAt(Date.parse(at(days[0])));
    first.events.push({
      type: 'RightsSettled',
      data: { asOf: at(days[0]), logSize: first.events.length, ...s1, trigger: 'admin' },
      leafIndex: first.events.length,
    });
    const fed = first.events.length;
    later(first);
    for (const e of first.events.slice(fed - 1)) live.apply(e);
    const fresh = RightsBook.of(first.events).settlementAt(Date.parse(at(days[1])));
    expect(live.settlementAt(Date.parse(at(days[1])))).toEqual(fresh);
    return { s1, s2: fresh };
  };

  it('a dispute fact dated before a cached filing, logged after it, still changes its repeat-infringer flag', () => {
    const l = log();
    for (let i = 0; i < 3; i++) l.filed(10 * i, `old${i}`).complaint(10 * i + 1, `u${i}`, { filingId: `old${i}` });
    l.decided(40, 'u0', 'upheld', 'revoke').decided(41, 'u1', 'upheld', 'revoke').filed(100).labelled(101);
    const { s1, s2 } = settleTwice(l, (x) => x.decided(50, 'u2', 'upheld', 'revoke'), [140, 141]);
    expect(s1.changes.find((c) => c.filingId === 'f1')).toMatchObject({ to: 'confirmed' });
    expect(s2.changes.find((c) => c.filingId === 'f1')).toMatchObject({ from: 'confirmed', to: 'provisional' });
  });

  it('a policy version logged after a cached filing but effective before it is read', () => {
    const l = log().filed(100).labelled(101);
    const { s1, s2 } = settleTwice(l, (x) => x.policy(2, 50, 40, { objectionWindowDays: 60 }), [131, 132]);
    expect(s1.changes).toMatchObject([{ filingId: 'f1', to: 'confirmed' }]);
    expect(s2.changes).toMatchObject([{ filingId: 'f1', from: 'confirmed', to: 'provisional' }]);
  });

  it.each(Array.from({ length: 16 }, (_, i) => i + 1))('random history %p', (seed) => {
    const rand = seededRandom(0x9e3779b9 ^ seed);
    const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)];
    const events: RuleEvent[] = [];
    const add = (type: string, data: Record<string, unknown>) =>
      events.push({
        type,
        data,
        leafIndex: events.length,
        stream: type === 'RightsSettled' ? 'settlements' : type === 'PolicyPublished' ? 'policy' : 'x',
      });
    const creators = ['alice', 'bob', 'carol', 'dave'];
    const filings: Array<{ id: string; creator: string }> = [];
    const disputes: Array<{ id: string; filingId: string; respondent: string; stage: number; appealUntil: number }> = [];
    const live = liveBook();
    let fed = 0;
    let day = 0;
    let version = 1;
    let lastEffective = -Infinity;
    let lastBefore = 0;
    let settlements = 0;
    for (let step = 0; step < 600; step++) {
      day += rand() < 0.3 ? rand() * 20 : rand() * 2;
      // Domain times may run behind log order (writers stamp the time before they commit): exercise that too.
      const now = at(rand() < 0.15 ? day - rand() * 40 : day);
      const r = rand();
      if (r < 0.2 || filings.length === 0) {
        const id = `f${filings.length}`;
        const creator = pick(creators);
        filings.push({ id, creator });
        add('WorkFiled', { filingId: id, creator, filedAt: now });
        if (rand() < 0.2)
          add('NearDuplicatesFound', {
            filingId: id,
            candidates: [{ filingId: 'x', creator: pick(creators.filter((c) => c !== creator)), distance: 2, leafIndex: 0 }],
            foundAt: now,
          });
      } else if (r < 0.35) add('LabelsDeclared', { filingId: pick(filings).id, declaredAt: now });
      else if (r < 0.38) add('FilingWithdrawn', { filingId: pick(filings).id, withdrawnAt: now });
      else if (r < 0.45) {
        const f = pick(filings);
        const id = `d${disputes.length}`;
        disputes.push({ id, filingId: f.id, respondent: f.creator, stage: 0, appealUntil: 0 });
        add('ComplaintFiled', {
          disputeId: id,
          type: pick(['priority', 'infringement', 'mislabeling']),
          filingId: f.id,
          complainant: pick(creators.filter((c) => c !== f.creator)),
          respondent: f.creator,
          filedAt: now,
        });
      } else if (r < 0.62 && disputes.length) {
        const d = pick(disputes);
        const t = Date.parse(now);
        if (d.stage === 0) {
          if (rand() < 0.15) {
            add('ComplaintWithdrawn', { disputeId: d.id, withdrawnAt: now });
            d.stage = 9;
          } else {
            d.appealUntil = t + Math.floor(rand() * 20) * DAY;
            d.stage = 1;
            add('DisputeDecided', {
              disputeId: d.id,
              outcome: pick(['upheld', 'rejected']),
              remedy: pick(['revoke', 'suspend', 'transfer']),
              decidedAt: now,
              appealUntil: new Date(d.appealUntil).toISOString(),
            });
          }
        } else if (d.stage === 1 && t < d.appealUntil) {
          add('AppealFiled', { disputeId: d.id, appealedAt: now });
          d.stage = 2;
        } else if (d.stage === 2) {
          add('AppealDecided', {
            disputeId: d.id,
            outcome: pick(['upheld', 'rejected']),
            remedy: pick(['revoke', 'suspend', 'transfer']),
            decidedAt: now,
          });
          d.stage = 9;
        }
      } else if (r < 0.68)
        add('FlagReviewed', {
          filingId: pick(filings).id,
          flag: pick(['similarityReview', 'probation']),
          decision: pick(['cleared', 'confirmed']),
          reviewedAt: now,
        });
      else if (r < 0.7) {
        const effective = Math.max(Date.parse(now), lastEffective) + (1 + rand() * 30) * DAY;
        lastEffective = effective;
        const { version: _v, ...parameters } = {
          ...POLICY_V1,
          labelGraceDays: 1 + Math.floor(rand() * 10),
          objectionWindowDays: 1 + Math.floor(rand() * 40),
          termDays: 10 + Math.floor(rand() * 100),
          repeatInfringer: { upheld: 1 + Math.floor(rand() * 3), windowDays: 365 },
          ruleset: 1 + Math.floor(rand() * 2),
        };
        add('PolicyPublished', { version: ++version, effectiveFrom: new Date(effective).toISOString(), parameters, publishedAt: now });
      } else if (r < 0.85) {
        for (; fed < events.length; fed++) live.apply(events[fed]);
        const before = Math.max(lastBefore, events.length - Math.floor(rand() * 3));
        lastBefore = before;
        const asOf = Date.parse(at(day));
        const expected = RightsBook.of(events).settlementAt(asOf, before);
        expect(live.settlementAt(asOf, before)).toEqual(expected);
        add('RightsSettled', { asOf: at(day), logSize: before, ...expected, trigger: 'admin' });
        settlements++;
      }
    }
    expect(settlements).toBeGreaterThan(20);
  });
});

describe('sandbox rules: transfers, refiling and amendments', () => {
  it('a final transfer gives the complainant the right, and it stays theirs', () => {
    const l = log()
      .filed(0)
      .labelled(1)
      .complaint(2, 'd1', { type: 'authorship' })
      .decided(5, 'd1', 'upheld', 'transfer')
      .appealed(6, 'd1')
      .appealDecided(8, 'd1', 'upheld', 'transfer');
    expect(l.at(7)).toMatchObject({ status: 'provisional', holder: 'alice', flags: ['disputed'] });
    expect(l.at(8)).toMatchObject({ status: 'transferred', holder: 'bob', rule: 'dispute-upheld-transfer' });
    expect(l.at(400)).toMatchObject({ status: 'transferred', holder: 'bob' });
  });

  it("a transfer nobody appealed is the complainant's when the appeal window closes", () => {
    const l = log().filed(0).labelled(1).complaint(2, 'd1', { type: 'priority' }).decided(5, 'd1', 'upheld', 'transfer', 15);
    expect(l.at(19.99)).toMatchObject({ holder: 'alice' });
    expect(l.at(20)).toMatchObject({
      status: 'transferred',
      holder: 'bob',
      cause: { deadline: 'appealUntil', at: at(20), disputeId: 'd1' },
    });
  });

  it('content filed again after a withdrawal is a new right from its own filing time; the withdrawn one stays withdrawn', () => {
    const l = log().filed(0, 'f1', 'alice').withdrawn(3, 'f1').filed(5, 'f2', 'bob').labelled(6, 'f2');
    expect(l.at(10, 'f1')).toMatchObject({ status: 'withdrawn', holder: 'alice', rule: 'filing-withdrawn' });
    expect(l.at(10, 'f2')).toMatchObject({ status: 'provisional', holder: 'bob', since: at(5), quietUntil: at(35) });
    expect(l.at(35, 'f2')).toMatchObject({ status: 'confirmed', holder: 'bob' });
  });

  it('amendments, complaint marks and content releases change no right', () => {
    const plain = log().filed(0).labelled(1);
    const busy = log().filed(0).labelled(1);
    busy.events.push(
      {
        type: 'FilingAmended',
        data: { filingId: 'f1', title: 'New title', addedProcessEvidence: [], humanContributionNote: 'more', amendedAt: at(2) },
        leafIndex: 2,
      },
      { type: 'ContentReleased', data: { contentHash: 'h', filingId: 'f0', filedAt: at(-5), withdrawnAt: at(-1) }, leafIndex: 3 },
    );
    for (const day of [2, 10, 31]) expect(busy.at(day)).toEqual(plain.at(day));
  });
});

/** A history under a policy version in force from before day 0 with these parameters (ruleset undefined: none recorded). */
const under = (over: Partial<typeof POLICY_V1>) => log().policy(2, -10, -20, over);
const rulesets: Array<[string, number | undefined]> = [
  ['a version recording no ruleset (1)', undefined],
  ['ruleset 1', 1],
];

describe('sandbox rules: a ruling that reaches a right already final', () => {
  // Carol's and Dave's complaints are both open against Alice's f1; Carol's transfer becomes final on day 20, Dave's
  // revocation only on day 40, when the right is no longer Alice's to lose. Two upheld rulings put a creator on probation.
  const history = (ruleset: number | undefined, daveDecidedDay = 25, daveRemedy = 'revoke', appealDays = 15) =>
    under({ ruleset, repeatInfringer: { upheld: 2, windowDays: 365 } })
      .filed(0)
      .labelled(1)
      .complaint(2, 'carol-d', { complainant: 'carol', type: 'authorship' })
      .complaint(3, 'dave-d', { complainant: 'dave', type: 'infringement' })
      .decided(5, 'carol-d', 'upheld', 'transfer')
      .decided(daveDecidedDay, 'dave-d', 'upheld', daveRemedy, appealDays)
      .filed(50, 'f2')
      .labelled(51, 'f2');

  it.each(rulesets)('under %s the ruling is counted against the former creator, though it changed nothing', (_, ruleset) => {
    const l = history(ruleset);
    expect(l.at(45)).toMatchObject({ status: 'transferred', holder: 'carol', cause: { deadline: 'appealUntil', disputeId: 'carol-d' } });
    expect(l.at(90, 'f2')).toMatchObject({ status: 'provisional', flags: ['probation'], probation: { upheld: 2, review: 'pending' } });
  });

  it('under ruleset 2 it is not counted: no remedy reaches a final right, and the right stays as the first ruling left it', () => {
    const l = history(2);
    expect(l.at(45)).toMatchObject({ status: 'transferred', holder: 'carol', cause: { deadline: 'appealUntil', disputeId: 'carol-d' } });
    expect(l.at(90, 'f2')).toMatchObject({ status: 'confirmed', flags: [], probation: null });
  });

  it('under ruleset 2 a ruling final before the right ended reached it, and counts', () => {
    // Dave's suspension is final on day 4 (appeal window of one day), while the right is still Alice's.
    const l = history(2, 3, 'suspend', 1);
    expect(l.at(10)).toMatchObject({ status: 'suspended', rule: 'dispute-upheld-suspend' });
    expect(l.at(45)).toMatchObject({ status: 'transferred', holder: 'carol' });
    expect(l.at(90, 'f2')).toMatchObject({ status: 'provisional', flags: ['probation'], probation: { upheld: 2 } });
  });

  it('under ruleset 2, of two rulings final at one instant the earlier complaint applies, and the later one is not counted', () => {
    // Dave's revocation closes its window on day 20 too: Carol's complaint came first, so the right is transferred.
    const l = history(2, 5, 'revoke');
    expect(l.at(20)).toMatchObject({ status: 'transferred', holder: 'carol' });
    expect(l.at(90, 'f2')).toMatchObject({ status: 'confirmed', probation: null });
  });

  it('the pure check the rules and the governance figures share', () => {
    const carol = { filingId: 'f1', remedy: 'transfer' as const, at: 20, order: 2 };
    const dave = { filingId: 'f1', remedy: 'revoke' as const, at: 40, order: 3 };
    const elsewhere = { filingId: 'f9', remedy: 'revoke' as const, at: 10, order: 1 };
    const suspend = { filingId: 'f1', remedy: 'suspend' as const, at: 10, order: 4 };
    expect(reachedFinalRight(dave, [carol, dave, elsewhere])).toBe(true);
    expect(reachedFinalRight(carol, [carol, dave, elsewhere])).toBe(false);
    expect(reachedFinalRight(dave, [suspend, dave, elsewhere])).toBe(false); // a suspension does not end the right
    expect(reachedFinalRight({ ...dave, at: 20 }, [carol])).toBe(true);
    expect(reachedFinalRight({ ...dave, at: 20, order: 1 }, [carol])).toBe(false);
  });
});

describe('sandbox rules: labels declared while a complaint freezes the right', () => {
  // Labels overdue on day 7 suspend the right; Bob complains on day 8; Alice declares her labels on day 9; Bob withdraws on day 12.
  const overdue = (ruleset: number | undefined) => under({ ruleset }).filed(0).complaint(8, 'd1').labelled(9).complaintWithdrawn(12, 'd1');
  // A suspend remedy is final on day 4; Carol complains on day 5; Alice relabels on day 6; Carol withdraws on day 10.
  const remedy = (ruleset: number | undefined) =>
    under({ ruleset })
      .filed(0)
      .labelled(1)
      .complaint(2, 'd1')
      .decided(3, 'd1', 'upheld', 'suspend', 1)
      .complaint(5, 'd2', { complainant: 'carol' })
      .labelled(6)
      .complaintWithdrawn(10, 'd2');

  it.each(rulesets)('under %s the overdue-labels suspension holds until the complaint closes', (_, ruleset) => {
    const l = overdue(ruleset);
    expect(l.at(10)).toMatchObject({ status: 'suspended', rule: 'labels-overdue', flags: ['disputed'], labelsDeclaredAt: at(9) });
    expect(l.at(12)).toMatchObject({ status: 'provisional', rule: 'labels-declared-late', since: at(12) });
  });

  it.each(rulesets)('under %s a suspend remedy holds until the complaint closes, though relabelled', (_, ruleset) => {
    const l = remedy(ruleset);
    expect(brief(l.at(8))).toEqual({ status: 'suspended', rule: 'dispute-upheld-suspend', flags: ['disputed'] });
    expect(l.at(10)).toMatchObject({ status: 'provisional', rule: 'relabelled', since: at(10) });
  });

  it('under ruleset 2 the declaration lifts the overdue-labels suspension at once; the complaint still freezes the rest', () => {
    const l = overdue(2);
    expect(l.at(9)).toMatchObject({
      status: 'provisional',
      rule: 'labels-declared-late',
      cause: { event: 'LabelsDeclared', leafIndex: 3 },
      since: at(9),
      flags: ['disputed'],
    });
    expect(l.at(12)).toMatchObject({ status: 'provisional', rule: 'labels-declared-late', since: at(9), flags: [] });
    expect(brief(l.at(30))).toEqual({ status: 'confirmed', rule: 'quiet-period-over', flags: [] });
  });

  it('under ruleset 2 relabelling lifts a suspend remedy at once, and the right confirms when the quiet period is over', () => {
    const l = remedy(2);
    expect(l.at(6)).toMatchObject({ status: 'provisional', rule: 'relabelled', since: at(6), flags: ['disputed'] });
    expect(brief(l.at(30))).toEqual({ status: 'confirmed', rule: 'quiet-period-over', flags: [] });
  });

  it('under ruleset 2 a frozen right is still not suspended for labels falling due, nor confirmed', () => {
    const l = under({ ruleset: 2 }).filed(0).complaint(3, 'd1').complaintWithdrawn(40, 'd1');
    expect(brief(l.at(35))).toEqual({ status: 'provisional', rule: 'filing-accepted', flags: ['disputed', 'labelOverdue'] });
    expect(l.at(40)).toMatchObject({ status: 'suspended', rule: 'labels-overdue', since: at(40) });
  });

  // A suspension final on day 55 (decided day 5, appeal window 50 days), after the quiet period; relabelled on day 60.
  const late = (ruleset: number | undefined) =>
    under({ ruleset, appealDays: 50 }).filed(0).labelled(1).complaint(2, 'd1').decided(5, 'd1', 'upheld', 'suspend', 50).labelled(60);
  it.each(rulesets)('under %s a right relabelled after its quiet period stays provisional until some later event', (_, ruleset) => {
    expect(late(ruleset).at(60)).toMatchObject({ status: 'provisional', rule: 'relabelled' });
    expect(late(ruleset).at(400)).toMatchObject({ status: 'provisional', rule: 'relabelled', confirmedAt: null });
  });
  it('under ruleset 2 a right relabelled after its quiet period is confirmed by the declaration', () => {
    expect(late(2).at(60)).toMatchObject({
      status: 'confirmed',
      rule: 'quiet-period-over',
      cause: { event: 'LabelsDeclared', leafIndex: 5 },
      confirmedAt: at(60),
      expiresAt: at(790),
    });
  });
});

describe('sandbox rules: the next change names only an instant at which the right changes', () => {
  const next = (l: ReturnType<typeof log>, day: number, filingId = 'f1') => {
    const until = settledRightOf(l.events, filingId, at(day))!.until;
    return until === Infinity ? null : new Date(until).toISOString();
  };
  it('labels falling due change a right with no labels, not a labelled one', () => {
    expect(next(log().filed(0), 2)).toBe(at(7));
    expect(next(log().filed(0).labelled(1), 2)).toBe(at(30));
  });
  it('the quiet period ends nothing for a right without labels, one a complaint freezes, or one a remedy suspends', () => {
    expect(next(log().filed(0), 8)).toBeNull(); // suspended until its labels come
    expect(next(log().filed(0).labelled(1).complaint(5, 'd1'), 10)).toBeNull(); // until a decision
    expect(next(log().filed(0).labelled(1).complaint(2, 'd1').decided(3, 'd1', 'upheld', 'suspend', 1), 10)).toBeNull();
    expect(next(log().filed(0).labelled(1).nearDuplicates(0), 10)).toBeNull(); // until a reviewer clears it
  });
  it('labels falling due after confirmation change nothing: the next change is the term', () => {
    const l = under({ labelGraceDays: 40 }).filed(0).labelled(1);
    expect(l.at(31)).toMatchObject({ status: 'confirmed', labelDueAt: at(40) });
    expect(next(l, 31)).toBe(at(760));
  });
  it('the term does not end while a complaint freezes the right or a remedy suspends it', () => {
    expect(next(log().filed(0).labelled(1).complaint(750, 'd1'), 755)).toBeNull();
    const suspended = log().filed(0).labelled(1).complaint(700, 'd1').decided(701, 'd1', 'upheld', 'suspend', 1);
    expect(suspended.at(755)).toMatchObject({ status: 'suspended', expiresAt: at(760) });
    expect(next(suspended, 755)).toBeNull();
  });
  it("an appeal window's close is named while it can make the decision final, not once an appeal is filed", () => {
    const decided = log().filed(0).labelled(1).complaint(2, 'd1').decided(5, 'd1', 'rejected', null);
    expect(next(decided, 6)).toBe(at(20));
    expect(next(decided.appealed(7, 'd1'), 8)).toBeNull();
  });
  /** Suspended by a remedy an appeal upheld (day 45), relabelled on day 50, past its quiet period: under ruleset 1. */
  const relabelledAfterAppeal = () =>
    log()
      .filed(0)
      .labelled(1)
      .complaint(2, 'd1')
      .decided(40, 'd1', 'upheld', 'suspend')
      .appealed(41, 'd1')
      .appealDecided(45, 'd1', 'upheld', 'suspend')
      .labelled(50);
  it('under ruleset 1, a right relabelled after a suspend remedy past its quiet period changes at the next deadline of any kind', () => {
    // Relabelled on day 50, it stays provisional (ruleset 1) until the rules next step: the appeal window's close, on a
    // dispute whose appeal was decided already.
    const l = relabelledAfterAppeal();
    expect(brief(l.at(51))).toEqual({ status: 'provisional', rule: 'relabelled', flags: [] });
    expect(brief(l.at(55))).toEqual({ status: 'confirmed', rule: 'quiet-period-over', flags: [] });
    expect(next(l, 51)).toBe(at(55));
    // So does one whose labels fall due after it was relabelled: the labels' deadline confirms it.
    const late = under({ labelGraceDays: 40 })
      .filed(0)
      .labelled(1)
      .complaint(2, 'd1')
      .decided(5, 'd1', 'upheld', 'suspend', 16)
      .labelled(35);
    expect(brief(late.at(36))).toMatchObject({ status: 'provisional', rule: 'relabelled' });
    expect(brief(late.at(40))).toMatchObject({ status: 'confirmed' });
    expect(next(late, 36)).toBe(at(40));
  });
  it('a long-lived book settles such a right when a fresh one does', () => {
    const l = relabelledAfterAppeal();
    const kept = RightsBook.of(l.events);
    kept.settlementAt(Date.parse(at(51)));
    const fresh = RightsBook.of(l.events).settlementAt(Date.parse(at(60))).changes;
    expect(fresh).toMatchObject([{ filingId: 'f1', from: 'provisional', to: 'confirmed', since: at(55) }]);
    expect(kept.settlementAt(Date.parse(at(60))).changes).toEqual(fresh);
  });
  it('a later fact the view knows is named', () => {
    const l = log().filed(0).labelled(1).complaint(5, 'd1').complaintWithdrawn(12, 'd1');
    expect(next(l, 10)).toBe(at(12));
    expect(next(l, 12)).toBe(at(30));
  });

  // A final right never changes: its details (labels declared, a review) still follow the facts that come.
  const final = new Set(['revoked', 'transferred', 'withdrawn', 'expired']);
  const state = (r: Right) =>
    final.has(r.status) ? { status: r.status, holder: r.holder, rule: r.rule, cause: r.cause, since: r.since } : { ...r, asOf: null };
  const same = (a: Right, b: Right) => expect(state(a)).toEqual(state(b));

  it.each(Array.from({ length: 40 }, (_, i) => i + 1))(
    'random history %p: the right holds until the instant named, and a deadline named changes it',
    (seed) => {
      const rand = seededRandom(0x2545f491 ^ seed);
      const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)];
      const days = (n: number) => Math.round(rand() * n * 4) / 4;
      const l = under({
        ruleset: pick([undefined, 2]),
        labelGraceDays: pick([3, 7, 40]),
        objectionWindowDays: pick([10, 30]),
        termDays: pick([20, 100]),
        repeatInfringer: { upheld: 1, windowDays: 365 },
      });
      if (rand() < 0.3) l.filed(-5, 'old', 'alice').complaint(-4, 'u0', { filingId: 'old' }).decided(-3, 'u0', 'upheld', 'revoke', 1);
      l.filed(0);
      if (rand() < 0.3) l.nearDuplicates(0);
      let disputes = 0;
      for (let i = 0; i < 8; i++) {
        const day = days(150);
        const r = rand();
        if (r < 0.25) l.labelled(day);
        else if (r < 0.35) l.reviewed(day, pick(['similarityReview', 'probation']), pick(['cleared', 'confirmed']));
        else if (r < 0.6) {
          const id = `d${disputes++}`;
          l.complaint(day, id, { complainant: pick(['bob', 'carol']) });
          const step = rand();
          if (step < 0.2) l.complaintWithdrawn(day + days(20), id);
          else if (step < 0.9) {
            const decided = day + days(20);
            l.decided(decided, id, pick(['upheld', 'rejected']), pick(['suspend', 'suspend', 'revoke', 'transfer']), pick([1, 15]));
            if (rand() < 0.3) l.appealed(decided + 0.5, id).appealDecided(decided + days(20), id, 'rejected', null);
          }
        }
      }
      const book = RightsBook.of(l.events);
      const factDays = new Set(l.events.flatMap((e) => Object.values(e.data).filter((v) => typeof v === 'string' && v.endsWith('Z'))));
      for (let k = 0; k < 12; k++) {
        const asOf = Date.parse(at(days(200)));
        const settled = book.settledAt('f1', asOf);
        if (!settled) continue;
        const { right, until } = settled;
        const end = until === Infinity ? asOf + 1000 * DAY : until;
        // Every instant the rules step at, and some between, up to just before `until`: the right is as it was.
        const probes = [...factDays].map((d) => Date.parse(d as string));
        for (const d of [right.labelDueAt, right.quietUntil, right.expiresAt]) if (d) probes.push(Date.parse(d));
        for (let p = 0; p < 6; p++) probes.push(asOf + rand() * (end - asOf));
        for (const t of probes) if (t > asOf && t < end) same(book.rightAt('f1', t)!, right);
        same(book.rightAt('f1', end - 1)!, right);
        // A deadline named (no fact comes then) changes the right.
        if (until !== Infinity && !factDays.has(new Date(until).toISOString()))
          expect(state(book.rightAt('f1', until)!)).not.toEqual(state(right));
      }
    },
  );
});
