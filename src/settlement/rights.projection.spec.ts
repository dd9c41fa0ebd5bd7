import type { Outcome, Remedy } from '../disputes/dispute.events.js';
import { DisputesProjection } from '../disputes/disputes.projection.js';
import type { EventEnvelope } from '../verifier/envelope.js';
import { settledRightOf } from '../verifier/rights-book.js';
import {
  assignDispute,
  day,
  decideAppeal,
  decideDispute,
  declareLabels,
  fileAppeal,
  fileComplaint,
  fileWork,
  flagReviewed,
  IMAGE_LABELS,
  iso,
  nearDuplicatesFound,
  publishPolicy,
  settleRights,
  submitResponse,
  withdrawFiling,
} from '../../test/support/ledger-commands.js';
import { projectionSpec, type Outcome as Scenario } from '../../test/support/projection-spec.js';
import { RightsProjection, rightRow } from './rights.projection.js';

/** Each row is the right the rules give as of its `asOf` over the whole log up to its last leaf (what GET /v1/rights/:id computes). */
function rowsAreTheRules({ rows, log }: Scenario): void {
  for (const row of rows.rights) {
    const settled = settledRightOf(
      log.filter((e) => e.leafIndex <= row.lastLeafIndex),
      row.filingId,
      row.asOf,
    );
    expect(row).toEqual(settled && rightRow(settled.right, settled.until, row.leafIndex, row.lastLeafIndex));
  }
}

const rights = projectionSpec((store) => [new DisputesProjection(), new RightsProjection(store)], rowsAreTheRules);

/** The leaf of the last event of this type in the log. */
const leafOf = (log: EventEnvelope[], type: string) => log.filter((e) => e.type === type).at(-1)!.leafIndex;

// Alice files f1 at day 0: labels due at day 7, quiet period over at day 30 (policy v1).
const filed = fileWork('f1', 'alice', day(0));
const labelled = declareLabels('f1', 'alice', day(1));
const relabelled = (at: number) => declareLabels('f1', 'alice', day(at), { aigc: { ...IMAGE_LABELS.aigc, ProduceID: 'gen-0002' } });
// Bob complains about f1 at day 2, Rita takes it and Alice answers; Rita decides, Victor decides any appeal.
const complaint = (type: 'infringement' | 'priority' = 'infringement', basisFilingId: string | null = null) => [
  fileComplaint('d1', 'f1', 'bob', day(2), { type, basisFilingId }),
  assignDispute('d1', 'rita', day(2.5)),
  submitResponse('d1', 'alice', day(3)),
];
const decided = (outcome: Outcome, remedy: Remedy | null) => decideDispute('d1', 'rita', outcome, remedy, day(4));

describe('rights projection', () => {
  it('a filing is a provisional right held by its creator, as of its filing', async () => {
    const { rows, log } = await rights.when(filed).then({
      rights: [
        {
          filingId: 'f1',
          creator: 'alice',
          holder: 'alice',
          status: 'provisional',
          rule: 'filing-accepted',
          since: iso(0),
          flags: [],
          disputed: false,
          labelOverdue: false,
          similarityReview: false,
          probation: false,
          nearDuplicates: 0,
          similarityDecision: null,
          probationDecision: null,
          policyVersion: 1,
          filedAt: iso(0),
          labelDueAt: iso(7),
          quietUntil: iso(30),
          labelsDeclaredAt: null,
          confirmedAt: null,
          expiresAt: null,
          asOf: iso(0),
        },
      ],
    });
    const workFiled = leafOf(log, 'WorkFiled');
    expect(rows.rights[0]).toMatchObject({
      cause: { event: 'WorkFiled', leafIndex: workFiled },
      leafIndex: workFiled,
      lastLeafIndex: workFiled,
    });
  });

  it('labels declared in time: still provisional, as of the declaration', async () => {
    const { rows, log } = await rights
      .given(filed)
      .when(labelled)
      .then({
        rights: [{ filingId: 'f1', status: 'provisional', rule: 'filing-accepted', labelsDeclaredAt: iso(1), flags: [], asOf: iso(1) }],
      });
    expect(rows.rights[0]).toMatchObject({ leafIndex: leafOf(log, 'WorkFiled'), lastLeafIndex: leafOf(log, 'LabelsDeclared') });
  });

  it('a withdrawn filing has a withdrawn right and no flags', () =>
    rights
      .given(filed, settleRights(day(8)))
      .when(withdrawFiling('f1', 'alice', day(9)))
      .then({
        rights: [
          {
            filingId: 'f1',
            holder: 'alice',
            status: 'withdrawn',
            rule: 'filing-withdrawn',
            since: iso(9),
            flags: [],
            labelOverdue: false,
          },
        ],
      }));

  describe('settlements move the rights they name as of their instant', () => {
    it('no labels by the due date: suspended from the due date, flagged labelOverdue', async () => {
      const { rows, log } = await rights
        .given(filed)
        .when(settleRights(day(8)))
        .then({
          rights: [
            {
              filingId: 'f1',
              status: 'suspended',
              rule: 'labels-overdue',
              cause: { deadline: 'labelDueAt', at: iso(7) },
              since: iso(7),
              flags: ['labelOverdue'],
              labelOverdue: true,
              asOf: iso(8),
            },
          ],
        });
      expect(rows.rights[0].lastLeafIndex).toBe(leafOf(log, 'RightsSettled'));
    });

    it('labels declared late lift the suspension', async () => {
      const { rows, log } = await rights
        .given(filed, settleRights(day(8)))
        .when(declareLabels('f1', 'alice', day(9)))
        .then({
          rights: [
            {
              filingId: 'f1',
              status: 'provisional',
              rule: 'labels-declared-late',
              since: iso(9),
              flags: [],
              labelOverdue: false,
              labelsDeclaredAt: iso(9),
              asOf: iso(9),
            },
          ],
        });
      expect(rows.rights[0].cause).toEqual({ event: 'LabelsDeclared', leafIndex: leafOf(log, 'LabelsDeclared') });
    });

    it('labelled and quiet for the objection window: confirmed for the term', () =>
      rights
        .given(filed, labelled)
        .when(settleRights(day(31)))
        .then({
          rights: [
            {
              filingId: 'f1',
              status: 'confirmed',
              rule: 'quiet-period-over',
              cause: { deadline: 'quietUntil', at: iso(30) },
              since: iso(30),
              confirmedAt: iso(30),
              expiresAt: iso(760),
              flags: [],
              asOf: iso(31),
            },
          ],
        }));

    // f1 is labelled: its labels falling due changes nothing, so its next change is the quiet period's end.
    it('a right the settlement does not name keeps its row until a deadline of its own has passed', () =>
      rights
        .given(filed, labelled, fileWork('f2', 'carol', day(1)))
        .when(settleRights(day(6)))
        .then({
          rights: [
            { filingId: 'f1', status: 'provisional', asOf: iso(1), changesAt: iso(30) },
            { filingId: 'f2', status: 'provisional', asOf: iso(1), changesAt: iso(8) },
          ],
        }));

    it('a right the settlement does not name is brought up to date once a deadline of its own has passed', () =>
      rights
        .given(filed, labelled, fileWork('f2', 'carol', day(1)))
        .when(settleRights(day(8)))
        .then({
          rights: [
            { filingId: 'f1', status: 'provisional', asOf: iso(1), changesAt: iso(30) },
            { filingId: 'f2', status: 'suspended', asOf: iso(8), changesAt: null },
          ],
        }));

    it('a flag a deadline raises on a frozen right shows after the next settlement, which records no change of it', () =>
      rights
        .given(filed, complaint()[0], fileWork('f2', 'carol', day(1)))
        .when(settleRights(day(8)))
        .then({
          rights: [
            { filingId: 'f1', status: 'provisional', flags: ['disputed', 'labelOverdue'], labelOverdue: true, asOf: iso(8) },
            { filingId: 'f2', status: 'suspended', asOf: iso(8) },
          ],
        }));

    it('a rejection that became final clears the disputed flag at the next settlement, which records no change of it', () =>
      rights
        .given(filed, labelled, ...complaint(), decideDispute('d1', 'rita', 'rejected', null, day(4)), fileWork('f2', 'carol', day(10)))
        .when(settleRights(day(20)))
        .then({
          rights: [
            { filingId: 'f1', status: 'provisional', flags: [], disputed: false, asOf: iso(20) },
            { filingId: 'f2', status: 'suspended', asOf: iso(20) },
          ],
        }));

    it('a final right has no deadline left: its row is never due', () =>
      rights
        .given(filed, labelled, ...complaint(), decided('upheld', 'revoke'))
        .when(settleRights(day(20)))
        .then({ rights: [{ filingId: 'f1', status: 'revoked', changesAt: null, asOf: iso(20) }] }));
  });

  describe('disputes', () => {
    it('an open complaint flags the right disputed and freezes it', () =>
      rights
        .given(filed, labelled)
        .when(...complaint())
        .then({
          // As of the complaint: neither the assignment nor the answer changes a right.
          rights: [{ filingId: 'f1', status: 'provisional', flags: ['disputed'], disputed: true, asOf: iso(2) }],
        }));

    it('an upheld decision still open to appeal leaves the right disputed', () =>
      rights
        .given(filed, labelled, ...complaint())
        .when(decided('upheld', 'revoke'))
        .then({
          rights: [{ filingId: 'f1', status: 'provisional', flags: ['disputed'], asOf: iso(4) }],
        }));

    it("once the appeal window has closed, a settlement revokes the right from the window's end", () =>
      rights
        .given(filed, labelled, ...complaint(), decided('upheld', 'revoke'))
        .when(settleRights(day(20)))
        .then({
          rights: [
            {
              filingId: 'f1',
              holder: 'alice',
              status: 'revoked',
              rule: 'dispute-upheld-revoke',
              cause: { deadline: 'appealUntil', at: iso(19), disputeId: 'd1' },
              since: iso(19),
              flags: [],
              disputed: false,
              asOf: iso(20),
            },
          ],
        }));

    it('an appeal (whose event names only its dispute) recomputes the right of the filing disputed', async () => {
      const { rows, log } = await rights
        .given(filed, labelled, ...complaint(), decided('rejected', null))
        .when(fileAppeal('d1', 'bob', day(5)))
        .then({ rights: [{ filingId: 'f1', status: 'provisional', flags: ['disputed'], asOf: iso(5) }] });
      expect(rows.rights[0].lastLeafIndex).toBe(leafOf(log, 'AppealFiled'));
    });

    it('an appeal that reverses a rejection and transfers the right hands it to the complainant', async () => {
      const { rows, log } = await rights
        .given(fileWork('f0', 'bob', day(-1)), filed, labelled)
        .given(...complaint('priority', 'f0'), decided('rejected', null), fileAppeal('d1', 'bob', day(5)))
        .when(decideAppeal('d1', 'victor', 'reverse', 'transfer', day(6)))
        .then({
          rights: [
            { filingId: 'f0', holder: 'bob', status: 'provisional' },
            {
              filingId: 'f1',
              creator: 'alice',
              holder: 'bob',
              status: 'transferred',
              rule: 'dispute-upheld-transfer',
              since: iso(6),
              flags: [],
            },
          ],
        });
      expect(rows.rights[1].cause).toEqual({ event: 'AppealDecided', leafIndex: leafOf(log, 'AppealDecided'), disputeId: 'd1' });
    });

    it('both parties appeal a suspension and the appeal varies it into a revocation: revoked from the appeal decision', async () => {
      const { rows, log } = await rights
        .given(filed, labelled, ...complaint(), decided('upheld', 'suspend'))
        .given(fileAppeal('d1', 'alice', day(5)), fileAppeal('d1', 'bob', day(5.5)))
        .when(decideAppeal('d1', 'victor', 'vary', 'revoke', day(6)))
        .then({
          rights: [{ filingId: 'f1', holder: 'alice', status: 'revoked', rule: 'dispute-upheld-revoke', since: iso(6), flags: [] }],
        });
      expect(rows.rights[0].cause).toEqual({ event: 'AppealDecided', leafIndex: leafOf(log, 'AppealDecided'), disputeId: 'd1' });
    });

    it('a whole dispute in one batch, appeal included, leaves the right its final outcome', () =>
      rights
        .given(filed, labelled)
        .when(
          ...complaint(),
          decided('rejected', null),
          fileAppeal('d1', 'bob', day(5)),
          decideAppeal('d1', 'victor', 'affirm', null, day(6)),
        )
        .then({
          rights: [
            {
              filingId: 'f1',
              holder: 'alice',
              status: 'provisional',
              rule: 'filing-accepted',
              flags: [],
              disputed: false,
              asOf: iso(6),
            },
          ],
        }));

    describe('a suspension upheld on appeal', () => {
      const suspended = [
        ...complaint(),
        decided('upheld', 'suspend'),
        fileAppeal('d1', 'alice', day(5)),
        decideAppeal('d1', 'victor', 'affirm', null, day(6)),
      ];

      it('suspends the right from the appeal decision', () =>
        rights
          .given(filed, labelled)
          .when(...suspended)
          .then({
            rights: [{ filingId: 'f1', status: 'suspended', rule: 'dispute-upheld-suspend', since: iso(6), flags: [], asOf: iso(6) }],
          }));

      it('lasts until the work is labelled again', () =>
        rights
          .given(filed, labelled, ...suspended)
          .when(relabelled(7))
          .then({
            rights: [{ filingId: 'f1', status: 'provisional', rule: 'relabelled', since: iso(7), labelsDeclaredAt: iso(1), asOf: iso(7) }],
          }));
    });
  });

  it('after a restart, the streams a right depends on are read from the store', () =>
    rights
      .given(filed, labelled, ...complaint())
      .afterRestart()
      .when(decided('upheld', 'revoke'), settleRights(day(20)))
      .then({
        rights: [{ filingId: 'f1', status: 'revoked', rule: 'dispute-upheld-revoke', since: iso(19), asOf: iso(20) }],
      }));

  describe('flags raised at filing', () => {
    const earlier = fileWork('f0', 'bob', day(-1));
    const screened = nearDuplicatesFound('f1', [{ filingId: 'f0', creator: 'bob', distance: 3, leafIndex: 1 }], day(0));

    it('near-duplicates of an earlier filing by someone else raise a similarity review', () =>
      rights
        .given(earlier)
        .when(filed, screened)
        .then({
          rights: [
            { filingId: 'f0', flags: [], nearDuplicates: 0 },
            {
              filingId: 'f1',
              status: 'provisional',
              flags: ['similarityReview'],
              similarityReview: true,
              nearDuplicates: 1,
              similarityDecision: 'pending',
            },
          ],
        }));

    it('a reviewer clearing the similarity review lowers the flag', () =>
      rights
        .given(earlier, filed, screened)
        .when(flagReviewed('f1', 'similarityReview', 'cleared', 'rita', day(2)))
        .then({
          rights: [
            { filingId: 'f0' },
            { filingId: 'f1', flags: [], similarityReview: false, nearDuplicates: 1, similarityDecision: 'cleared', asOf: iso(2) },
          ],
        }));

    describe('a creator with an upheld dispute files again, under a policy that puts one upheld dispute on probation', () => {
      const oneStrike = publishPolicy(day(0.5), { repeatInfringer: { upheld: 1 } }, day(0.1));
      const appealed = [...complaint(), decided('upheld', 'suspend'), fileAppeal('d1', 'alice', day(5))];
      const again = fileWork('f2', 'alice', day(7));

      it('the new filing is on probation, pending review', () =>
        rights
          .given(oneStrike, filed, ...appealed)
          .when(decideAppeal('d1', 'victor', 'affirm', null, day(6)), again)
          .then({
            rights: [
              { filingId: 'f1', status: 'suspended', flags: [] },
              {
                filingId: 'f2',
                status: 'provisional',
                policyVersion: 2,
                flags: ['probation'],
                probation: true,
                probationDecision: 'pending',
              },
            ],
          }));

      it('an upheld decision nobody appealed counts once its appeal window has closed', () =>
        rights
          .given(oneStrike, filed, ...complaint(), decided('upheld', 'revoke'))
          .when(fileWork('f2', 'alice', day(20)))
          .then({
            rights: [
              { filingId: 'f1', status: 'provisional', flags: ['disputed'], asOf: iso(4) },
              { filingId: 'f2', status: 'provisional', flags: ['probation'], probationDecision: 'pending', asOf: iso(20) },
            ],
          }));

      it('an upheld decision reversed on appeal does not count', () =>
        rights
          .given(oneStrike, filed, ...appealed)
          .when(decideAppeal('d1', 'victor', 'reverse', null, day(6)), again)
          .then({
            rights: [
              { filingId: 'f1', status: 'provisional', flags: [] },
              { filingId: 'f2', status: 'provisional', policyVersion: 2, flags: [], probation: false, probationDecision: null },
            ],
          }));

      it('a dispute that becomes final only after the new filing does not count against it', () =>
        rights
          .given(oneStrike, filed, ...appealed, again)
          .when(decideAppeal('d1', 'victor', 'affirm', null, day(8)))
          .then({
            rights: [
              { filingId: 'f1', status: 'suspended', since: iso(8) },
              { filingId: 'f2', flags: [], probation: false, asOf: iso(7) },
            ],
          }));
    });
  });
});
