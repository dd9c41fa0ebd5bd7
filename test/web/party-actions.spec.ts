// Which of a party's forms the disputes page offers: the decider's conditions for an answer, an appeal and a withdrawal,
// read off the dispute as the API answers it.
import { partyActions, type Dispute } from '../../web/src/pages/reviewer/rules.js';

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

it('a decision in its appeal window: each party may appeal once; the complainant may still withdraw', () => {
  expect(partyActions(decided(), COMPLAINANT, NOW)).toEqual({ respond: false, appeal: true, withdraw: true });
  expect(partyActions(decided(), RESPONDENT, NOW)).toEqual({ respond: false, appeal: true, withdraw: false });
  const appealed = decided({
    status: 'appealed',
    appeals: [{ appellant: COMPLAINANT, party: 'complainant', grounds: 'Look again.', appealedAt: EARLIER }],
  });
  expect(partyActions(appealed, COMPLAINANT, NOW).appeal).toBe(false);
  expect(partyActions(appealed, RESPONDENT, NOW).appeal).toBe(true);
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
