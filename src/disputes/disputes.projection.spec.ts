import {
  assignDispute,
  contentOf,
  day,
  decideAppeal,
  decideDispute,
  fileAppeal,
  fileComplaint,
  fileWork,
  iso,
  publishPolicy,
  submitResponse,
  withdrawComplaint,
} from '../../test/support/ledger-commands.js';
import { projectionSpec } from '../../test/support/projection-spec.js';
import type { EventEnvelope } from '../verifier/envelope.js';
import { DisputesProjection } from './disputes.projection.js';

const disputes = projectionSpec(() => [new DisputesProjection()]);

const leafOf = (log: EventEnvelope[], type: string) => log.find((e) => e.type === type)!.leafIndex;

// Bob complains about Alice's filing f1; Rita reviews it, Victor decides the appeal.
const filed = fileWork('f1', 'alice', day(0));
const complained = fileComplaint('d1', 'f1', 'bob', day(1));
const assigned = assignDispute('d1', 'rita', day(2));
const answered = submitResponse('d1', 'alice', day(3));
const upheld = decideDispute('d1', 'rita', 'upheld', 'revoke', day(4));
const POLICY_V1 = { version: 1, responseDays: 7, decisionSlaDays: 15, appealDays: 15 };

describe('disputes projection', () => {
  it('a complaint opens a row with its deadlines from the policy it was filed under, at its ComplaintFiled leaf', async () => {
    const { rows, log } = await disputes
      .given(filed)
      .when(complained)
      .then({
        disputes: [
          {
            disputeId: 'd1',
            type: 'infringement',
            filingId: 'f1',
            complainant: 'bob',
            respondent: 'alice',
            basisFilingId: null,
            claim: 'This copies my work.',
            status: 'opened',
            assignee: null,
            policy: POLICY_V1,
            openedAt: iso(1),
            responseDueAt: iso(8),
            decisionDueAt: iso(16),
            reviewDueAt: iso(16),
            appealUntil: null,
            outcome: null,
            remedy: null,
            returned: null,
            response: null,
            decision: null,
            appeal: null,
            appeals: [],
            appealDecision: null,
            withdrawal: null,
          },
        ],
      });
    const opened = log.find((e) => e.type === 'ComplaintFiled')!;
    expect(rows.disputes[0]).toMatchObject({
      leafIndex: opened.leafIndex,
      eventHash: opened.hash,
      lastLeafIndex: opened.leafIndex,
      updatedAt: opened.recordedAt,
    });
  });

  it('a complaint whose evidence is a filed AI work is returned in the same batch: no decision pending', () =>
    disputes
      .given(filed, fileWork('f0', 'carol', day(0)))
      .when(
        fileComplaint('d1', 'f1', 'bob', day(1), {
          evidence: [{ sha256: contentOf('f0'), description: 'the original', declaredAiGenerated: false }],
        }),
      )
      .then({
        disputes: [
          {
            disputeId: 'd1',
            status: 'returned',
            reviewDueAt: null,
            decisionDueAt: iso(16),
            returned: {
              reason: 'ai-generated-evidence',
              returnedAt: iso(1),
              evidence: [{ sha256: contentOf('f0'), declaredAiGenerated: false, aiFilingId: 'f0' }],
            },
          },
        ],
      }));

  it('an assignment and the answer: assigned to the reviewer, the answer kept, the row touched at the last event', async () => {
    const { rows, log } = await disputes
      .given(filed, complained)
      .when(assigned, answered)
      .then({
        disputes: [
          {
            disputeId: 'd1',
            status: 'assigned',
            assignee: 'rita',
            reviewDueAt: iso(16),
            response: { statement: 'It is my own work.', evidence: [], respondedAt: iso(3) },
          },
        ],
      });
    const last = log[log.length - 1];
    expect(rows.disputes[0]).toMatchObject({
      lastLeafIndex: last.leafIndex,
      updatedAt: last.recordedAt,
      leafIndex: leafOf(log, 'ComplaintFiled'),
    });
  });

  it("a decision: decided, its outcome and remedy in force, appealable for the policy's 15 days, nothing left to review", async () => {
    const { rows, log } = await disputes
      .given(filed, complained, assigned, answered)
      .when(upheld)
      .then({
        disputes: [
          {
            disputeId: 'd1',
            status: 'decided',
            reviewDueAt: null,
            appealUntil: iso(19),
            outcome: 'upheld',
            remedy: 'revoke',
            decision: { outcome: 'upheld', remedy: 'revoke', reasoning: 'Found upheld.', decidedBy: 'rita', decidedAt: iso(4) },
          },
        ],
      });
    expect(rows.disputes[0].decision).toMatchObject({ leafIndex: leafOf(log, 'DisputeDecided') });
  });

  it('an appeal waits for a decision again, due after the decision SLA from the appeal', () =>
    disputes
      .given(filed, complained, assigned, answered, upheld)
      .when(fileAppeal('d1', 'alice', day(5)))
      .then({
        disputes: [
          {
            disputeId: 'd1',
            status: 'appealed',
            reviewDueAt: iso(20),
            outcome: 'upheld',
            remedy: 'revoke',
            appeal: {
              appellant: 'alice',
              party: 'respondent',
              grounds: 'The evidence was misread.',
              appealedAt: iso(5),
              decisionDueAt: iso(20),
            },
          },
        ],
      }));

  it("an appeal that reverses the decision makes the dispute final with the appeal's outcome; the first decision stays", async () => {
    const { rows, log } = await disputes
      .given(filed, complained, assigned, answered, upheld, fileAppeal('d1', 'alice', day(5)))
      .when(decideAppeal('d1', 'victor', 'reverse', null, day(6)))
      .then({
        disputes: [
          {
            disputeId: 'd1',
            status: 'final',
            reviewDueAt: null,
            outcome: 'rejected',
            remedy: null,
            appealUntil: iso(19),
            decision: { outcome: 'upheld', remedy: 'revoke' },
            appealDecision: { ruling: 'reversed', outcome: 'rejected', remedy: null, decidedBy: 'victor', decidedAt: iso(6) },
          },
        ],
      });
    expect(rows.disputes[0].appealDecision).toMatchObject({ leafIndex: leafOf(log, 'AppealDecided') });
  });

  it('both parties appeal: every appeal listed, the first kept as `appeal`, one appeal decision due from the first', () =>
    disputes
      .given(filed, complained, assigned, answered, upheld, fileAppeal('d1', 'alice', day(5)))
      .when(fileAppeal('d1', 'bob', day(7), 'Revoking is not enough.'))
      .then({
        disputes: [
          {
            disputeId: 'd1',
            status: 'appealed',
            reviewDueAt: iso(20),
            appeal: { appellant: 'alice', party: 'respondent', appealedAt: iso(5), decisionDueAt: iso(20) },
            appeals: [
              { appellant: 'alice', party: 'respondent', grounds: 'The evidence was misread.', appealedAt: iso(5), decisionDueAt: iso(20) },
              { appellant: 'bob', party: 'complainant', grounds: 'Revoking is not enough.', appealedAt: iso(7), decisionDueAt: iso(20) },
            ],
          },
        ],
      }));

  it('an appeal decision that varies the remedy: the outcome stays, the new remedy is in force', () =>
    disputes
      .given(filed, complained, assigned, answered, decideDispute('d1', 'rita', 'upheld', 'suspend', day(4)))
      .when(fileAppeal('d1', 'alice', day(5)), fileAppeal('d1', 'bob', day(6)), decideAppeal('d1', 'victor', 'vary', 'revoke', day(8)))
      .then({
        disputes: [
          {
            disputeId: 'd1',
            status: 'final',
            reviewDueAt: null,
            outcome: 'upheld',
            remedy: 'revoke',
            decision: { outcome: 'upheld', remedy: 'suspend' },
            appeals: [{ party: 'respondent' }, { party: 'complainant' }],
            appealDecision: { ruling: 'varied', outcome: 'upheld', remedy: 'revoke', decidedBy: 'victor', decidedAt: iso(8) },
          },
        ],
      }));

  it('a withdrawal ends the dispute without an outcome', () =>
    disputes
      .given(filed, complained, assigned)
      .when(withdrawComplaint('d1', 'bob', day(3), 'We settled.'))
      .then({
        disputes: [
          {
            disputeId: 'd1',
            status: 'withdrawn',
            assignee: 'rita',
            reviewDueAt: null,
            outcome: null,
            remedy: null,
            withdrawal: { reason: 'We settled.', withdrawnAt: iso(3) },
          },
        ],
      }));

  it('a whole dispute, from complaint to appeal decision, in one batch', () =>
    disputes
      .when(
        filed,
        complained,
        assigned,
        answered,
        upheld,
        fileAppeal('d1', 'bob', day(5)),
        decideAppeal('d1', 'victor', 'affirm', null, day(6)),
      )
      .then({
        disputes: [
          {
            disputeId: 'd1',
            status: 'final',
            outcome: 'upheld',
            remedy: 'revoke',
            reviewDueAt: null,
            appeal: { party: 'complainant', decisionDueAt: iso(20) },
            appealDecision: { ruling: 'affirmed', outcome: 'upheld', remedy: 'revoke' },
          },
        ],
      }));

  it('a complaint keeps the deadlines of the policy in force when it was filed, appeals included', () =>
    disputes
      .given(publishPolicy(day(0.5), { responseDays: 3, decisionSlaDays: 20, appealDays: 5 }, day(0.1)))
      .given(filed, complained, assigned, answered, upheld)
      .when(publishPolicy(day(4.6), { decisionSlaDays: 30 }, day(4.5)), fileAppeal('d1', 'alice', day(5)))
      .then({
        disputes: [
          {
            disputeId: 'd1',
            policy: { version: 2, responseDays: 3, decisionSlaDays: 20, appealDays: 5 },
            responseDueAt: iso(4),
            decisionDueAt: iso(21),
            appealUntil: iso(9),
            status: 'appealed',
            reviewDueAt: iso(25),
            appeal: { decisionDueAt: iso(25) },
          },
        ],
      }));

  it('events of other disputes in the batch change only their own rows', () =>
    disputes
      .given(filed, complained)
      .when(fileComplaint('d2', 'f1', 'carol', day(2)), assigned, withdrawComplaint('d2', 'carol', day(3)))
      .then({
        disputes: [
          { disputeId: 'd1', status: 'assigned', assignee: 'rita' },
          { disputeId: 'd2', complainant: 'carol', status: 'withdrawn', assignee: null },
        ],
      }));
});
