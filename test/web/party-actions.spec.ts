// Which of a party's forms the disputes page offers: the decider's conditions for an answer, an appeal and a withdrawal,
// read off the dispute as the API answers it.
import {
  answerState,
  byDeadline,
  evidenceNames,
  nextDeadline,
  partyActions,
  reviewerActions,
  type Dispute,
} from '../../web/src/pages/reviewer/rules.js';

const COMPLAINANT = '0190a8b2-0000-7000-8000-000000000001';
const RESPONDENT = '0190a8b2-0000-7000-8000-000000000002';
const REVIEWER = '0190a8b2-0000-7000-8000-000000000003';
const NOW = new Date('2026-06-10T12:00:00Z');
const LATER = '2026-06-20T00:00:00Z';
const EARLIER = '2026-06-01T00:00:00Z';

function dispute(change: Partial<Dispute> = {}, deadlines: Partial<Dispute['deadlines']> = {}): Dispute {
  return {
    disputeId: '0190a8b2-0000-7000-8000-0000000000d1',
    type: 'infringement',
    filingId: '0190a8b2-0000-7000-8000-0000000000f1',
    basisFilingId: null,
    parties: { complainant: { id: COMPLAINANT, name: 'Bob' }, respondent: { id: RESPONDENT, name: 'Alice' }, assignee: null },
    claim: 'This copies my work.',
    evidence: [],
    status: 'opened',
    awaiting: 'assignment',
    openedAt: EARLIER,
    deadlines: { responseDueAt: LATER, decisionDueAt: LATER, appealUntil: null, appealDecisionDueAt: null, ...deadlines },
    reviewDueAt: null,
    overdue: false,
    outcome: null,
    remedy: null,
    response: null,
    decision: null,
    appeals: [],
    returned: null,
    withdrawal: null,
    appealDecision: null,
    ...change,
  };
}

const decided = (change: Partial<Dispute> = {}, deadlines: Partial<Dispute['deadlines']> = {}) =>
  dispute(
    {
      status: 'decided',
      outcome: 'rejected',
      decision: { outcome: 'rejected', remedy: null, reasoning: 'No.', decidedBy: REVIEWER, decidedAt: EARLIER },
      ...change,
    },
    { appealUntil: LATER, ...deadlines },
  );

const none = { respond: false, appeal: false, withdraw: false };

it('an open complaint: the respondent may answer, the complainant withdraw, anyone else nothing', () => {
  expect(partyActions(dispute(), RESPONDENT, NOW)).toEqual({ respond: true, appeal: false, withdraw: false });
  expect(partyActions(dispute(), COMPLAINANT, NOW)).toEqual({ respond: false, appeal: false, withdraw: true });
  expect(partyActions(dispute(), REVIEWER, NOW)).toEqual(none);
});

it('no answer after one was given, after the response deadline, or after a decision', () => {
  const response = { statement: 'Mine.', evidence: [], respondedAt: EARLIER };
  expect(partyActions(dispute({ response }), RESPONDENT, NOW).respond).toBe(false);
  expect(partyActions(dispute({}, { responseDueAt: EARLIER }), RESPONDENT, NOW).respond).toBe(false);
  expect(partyActions(dispute({}, { responseDueAt: NOW.toISOString() }), RESPONDENT, NOW).respond).toBe(false); // due means closed
  expect(partyActions(decided(), RESPONDENT, NOW).respond).toBe(false);
});

it('a decision in its appeal window: each party with a decision against it may appeal once; the complainant may still withdraw', () => {
  const upheld = (change: Partial<Dispute> = {}) =>
    decided({
      outcome: 'upheld',
      remedy: 'suspend',
      decision: { ...decided().decision!, outcome: 'upheld', remedy: 'suspend' },
      ...change,
    });
  expect(partyActions(upheld(), COMPLAINANT, NOW)).toEqual({ respond: false, appeal: true, withdraw: true });
  expect(partyActions(upheld(), RESPONDENT, NOW)).toEqual({ respond: false, appeal: true, withdraw: false });
  const appealed = upheld({
    status: 'appealed',
    appeals: [{ appellant: COMPLAINANT, party: 'complainant', grounds: 'Look again.', appealedAt: EARLIER }],
  });
  expect(partyActions(appealed, COMPLAINANT, NOW).appeal).toBe(false);
  expect(partyActions(appealed, RESPONDENT, NOW).appeal).toBe(true);
  // A rejection is the complainant's to appeal: the respondent won.
  expect(partyActions(decided(), COMPLAINANT, NOW)).toEqual({ respond: false, appeal: true, withdraw: true });
  expect(partyActions(decided(), RESPONDENT, NOW)).toEqual(none);
});

it('nothing once the appeal window has closed, the appeal is decided, or the complaint is over', () => {
  expect(partyActions(decided({ status: 'final' }, { appealUntil: EARLIER }), COMPLAINANT, NOW)).toEqual(none);
  const appealDecision = {
    ruling: 'affirmed',
    outcome: 'rejected' as const,
    remedy: null,
    reasoning: 'Affirmed.',
    decidedBy: REVIEWER,
    decidedAt: EARLIER,
  };
  expect(partyActions(decided({ status: 'final', appealDecision }), RESPONDENT, NOW)).toEqual(none);
  for (const status of ['withdrawn', 'returned'])
    for (const who of [COMPLAINANT, RESPONDENT]) expect(partyActions(dispute({ status }), who, NOW)).toEqual(none);
});

describe('what the dispute says of the answer', () => {
  const response = { statement: 'Mine.', evidence: [], respondedAt: EARLIER };
  it('given once given; awaited while one may still come', () => {
    expect(answerState(dispute({ response }), NOW)).toBe('given');
    expect(answerState(decided({ response }), NOW)).toBe('given');
    expect(answerState(dispute(), NOW)).toBe('awaited');
  });
  it('missed once none can come, decided or past its deadline, while the dispute goes on', () => {
    expect(answerState(decided({}, { responseDueAt: EARLIER }), NOW)).toBe('missed');
    expect(answerState(dispute({}, { responseDueAt: EARLIER }), NOW)).toBe('missed');
    expect(answerState(dispute({}, { responseDueAt: NOW.toISOString() }), NOW)).toBe('missed'); // due means closed
    expect(answerState(decided({ status: 'appealed' }, { responseDueAt: EARLIER }), NOW)).toBe('missed');
  });
  it('none on a dispute over without one', () => {
    for (const status of ['returned', 'withdrawn']) expect(answerState(dispute({ status }), NOW)).toBe('none');
    expect(answerState(decided({ status: 'final' }, { responseDueAt: EARLIER, appealUntil: EARLIER }), NOW)).toBe('none');
  });
});

describe('the next deadline, which the list shows and sorts by', () => {
  it('the answer’s while the respondent may answer, then the decision’s, the appeal window’s, the appeal decision’s', () => {
    expect(nextDeadline(dispute(), NOW)).toEqual({ kind: 'responseDueAt', at: LATER });
    const answered = dispute({ response: { statement: 'Mine.', evidence: [], respondedAt: EARLIER } });
    expect(nextDeadline(answered, NOW)).toEqual({ kind: 'decisionDueAt', at: LATER });
    expect(nextDeadline(dispute({}, { responseDueAt: EARLIER }), NOW)).toEqual({ kind: 'decisionDueAt', at: LATER });
    expect(nextDeadline(decided(), NOW)).toEqual({ kind: 'appealUntil', at: LATER });
    expect(nextDeadline(decided({ status: 'appealed' }, { appealDecisionDueAt: '2026-06-30T00:00:00Z' }), NOW)).toEqual({
      kind: 'appealDecisionDueAt',
      at: '2026-06-30T00:00:00Z',
    });
    for (const status of ['returned', 'withdrawn', 'final']) expect(nextDeadline(dispute({ status }), NOW)).toBeNull();
  });

  it('sorts the soonest first and those without one last', () => {
    const soon = dispute({ disputeId: 'soon' }, { responseDueAt: '2026-06-11T00:00:00Z' });
    const later = dispute({ disputeId: 'later' });
    const none = dispute({ disputeId: 'none', status: 'withdrawn' });
    expect([none, later, soon].sort(byDeadline(NOW)).map((d) => d.disputeId)).toEqual(['soon', 'later', 'none']);
  });
});

describe('a reviewer’s forms, offered only when the decider would accept them', () => {
  const rita = { principalId: REVIEWER, roles: ['reviewer'] };
  const admin = { principalId: '0190a8b2-0000-7000-8000-00000000000a', roles: ['admin'] };
  const other = { principalId: '0190a8b2-0000-7000-8000-000000000004', roles: ['reviewer'] };
  const assignee = { id: REVIEWER, name: 'Rita' };
  const answered = { response: { statement: 'Mine.', evidence: [], respondedAt: EARLIER } };

  it('an unassigned dispute: a reviewer takes it, an admin assigns it; no one decides it yet', () => {
    expect(reviewerActions(dispute(), rita, NOW)).toEqual({ assign: true, decide: false, decideAppeal: false, note: null });
    expect(reviewerActions(dispute(), admin, NOW)).toEqual({ assign: true, decide: false, decideAppeal: false, note: null });
    // A party never reviews its own dispute.
    expect(reviewerActions(dispute(), { principalId: COMPLAINANT, roles: ['creator', 'reviewer'] }, NOW).assign).toBe(false);
  });

  it('assigned: only the assignee decides, once the respondent answered or the time to answer passed', () => {
    const assigned = (change: Partial<Dispute> = {}, deadlines = {}) =>
      dispute({ status: 'assigned', parties: { ...dispute().parties, assignee }, ...change }, deadlines);
    expect(reviewerActions(assigned(), rita, NOW)).toEqual({ assign: false, decide: false, decideAppeal: false, note: 'awaitingResponse' });
    expect(reviewerActions(assigned(answered), rita, NOW)).toEqual({ assign: false, decide: true, decideAppeal: false, note: null });
    expect(reviewerActions(assigned({}, { responseDueAt: EARLIER }), rita, NOW).decide).toBe(true);
    expect(reviewerActions(assigned(answered), other, NOW)).toEqual({
      assign: false,
      decide: false,
      decideAppeal: false,
      note: 'assignedToOther',
    });
    // An admin reassigns.
    expect(reviewerActions(assigned(answered), admin, NOW)).toEqual({ assign: true, decide: false, decideAppeal: false, note: null });
  });

  it('appealed: another reviewer than the first decides the appeal', () => {
    const appealed = decided({ status: 'appealed', parties: { ...dispute().parties, assignee } });
    expect(reviewerActions(appealed, other, NOW)).toEqual({ assign: false, decide: false, decideAppeal: true, note: null });
    expect(reviewerActions(appealed, rita, NOW)).toEqual({ assign: false, decide: false, decideAppeal: false, note: 'sameReviewer' });
    expect(reviewerActions(decided({ status: 'final' }), other, NOW)).toEqual({
      assign: false,
      decide: false,
      decideAppeal: false,
      note: null,
    });
  });
});

it('evidence files are sent under names each item can name: unique, without quotation marks or line breaks', () => {
  expect(evidenceNames(['draft.txt', 'draft.txt', 'draft.txt', 'notes'])).toEqual(['draft.txt', 'draft (2).txt', 'draft (3).txt', 'notes']);
  expect(evidenceNames(['my "draft".txt', 'a\\b.png', 'line\nbreak.jpg', '图 1.png', '.hidden'])).toEqual([
    "my 'draft'.txt",
    "a'b.png",
    "line'break.jpg",
    '图 1.png',
    '.hidden',
  ]);
  expect(evidenceNames(['x.png', 'x (2).png', 'x.png'])).toEqual(['x.png', 'x (2).png', 'x (3).png']);
  expect(evidenceNames(['tab\there\u0085.txt'])).toEqual(["tab'here'.txt"]);
  // At most 255 characters, as an evidence item's file name may be; the extension and the number kept.
  const long = `${'图'.repeat(300)}.png`;
  const [first, second] = evidenceNames([long, long]);
  expect([first.length, second.length]).toEqual([255, 255]);
  expect(first.endsWith('图.png')).toBe(true);
  expect(second.endsWith('图 (2).png')).toBe(true);
  expect(first).not.toBe(second);
});
