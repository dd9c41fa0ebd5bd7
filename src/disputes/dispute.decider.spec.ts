import { given } from '../ledger/given-when-then.js';
import {
  aiGeneratedEvidence,
  disputeDecider,
  statusAt,
  type ComplaintInput,
  type FileComplaintCommand,
  type FilingFacts,
} from './dispute.decider.js';
import type { AiSignal } from '../inspection/file-inspection.js';
import type { DisputeEvent, DisputePolicy, EvidenceInspection, Remedy, Ruling } from './dispute.events.js';

const DAY = 86_400_000;
const t0 = new Date('2026-12-01T09:00:00.000Z');
const at = (days: number) => new Date(t0.getTime() + days * DAY);
const iso = (days: number) => at(days).toISOString();

const policy: DisputePolicy = { version: 1, responseDays: 7, decisionSlaDays: 15, appealDays: 15 };
const h = (c: string) => c.repeat(64);
const target: FilingFacts = { filingId: 'f-target', creator: 'alice', contentHash: h('a'), withdrawn: false };
const basis: FilingFacts = { filingId: 'f-basis', creator: 'bob', contentHash: h('b'), withdrawn: false };
const complaint: ComplaintInput = {
  disputeId: 'd1',
  type: 'priority',
  filingId: 'f-target',
  complainant: 'bob',
  claim: 'I filed this picture first.',
  basisFilingId: 'f-basis',
  evidence: [{ sha256: h('c'), description: 'camera original', declaredAiGenerated: false }],
};
const fileComplaint = (over: Partial<FileComplaintCommand> = {}, c: Partial<ComplaintInput> = {}): FileComplaintCommand => ({
  type: 'FileComplaint',
  complaint: { ...complaint, ...c },
  target,
  targetRight: { status: 'provisional', holder: 'alice' },
  basis,
  filedAiWorks: [],
  policy,
  now: t0,
  ...over,
});

const filed: DisputeEvent = {
  type: 'ComplaintFiled',
  data: {
    disputeId: 'd1',
    type: 'priority',
    filingId: 'f-target',
    complainant: 'bob',
    respondent: 'alice',
    claim: complaint.claim,
    basisFilingId: 'f-basis',
    evidence: complaint.evidence,
    policy,
    filedAt: iso(0),
  },
};
const assigned: DisputeEvent = {
  type: 'DisputeAssigned',
  data: { disputeId: 'd1', reviewerId: 'rita', previousReviewerId: null, assignedBy: 'rita', assignedAt: iso(1) },
};
const responded: DisputeEvent = {
  type: 'ResponseSubmitted',
  data: { disputeId: 'd1', respondent: 'alice', statement: 'Mine is independent.', evidence: [], respondedAt: iso(2) },
};
const decidedData = {
  disputeId: 'd1',
  filingId: 'f-target',
  type: 'priority' as const,
  complainant: 'bob',
  respondent: 'alice',
  outcome: 'upheld' as const,
  remedy: 'revoke' as const,
  reasoning: 'Bob filed the same content earlier.',
  decidedBy: 'rita',
  decidedAt: iso(3),
  appealUntil: iso(18),
  policyVersion: 1,
};
const decided: DisputeEvent = { type: 'DisputeDecided', data: decidedData };
const appealed: DisputeEvent = {
  type: 'AppealFiled',
  data: { disputeId: 'd1', appellant: 'alice', party: 'respondent', grounds: 'The reviewer ignored my drafts.', appealedAt: iso(4) },
};
const complainantAppealed: DisputeEvent = {
  type: 'AppealFiled',
  data: { disputeId: 'd1', appellant: 'bob', party: 'complainant', grounds: 'The remedy is too mild.', appealedAt: iso(4.5) },
};
const suspended: DisputeEvent = { type: 'DisputeDecided', data: { ...decidedData, remedy: 'suspend' } };
const mislabeling: DisputeEvent = { ...filed, data: { ...filed.data, type: 'mislabeling' } } as DisputeEvent;
const appealDecided: DisputeEvent = {
  type: 'AppealDecided',
  data: {
    disputeId: 'd1',
    filingId: 'f-target',
    type: 'priority',
    complainant: 'bob',
    respondent: 'alice',
    ruling: 'affirmed',
    outcome: 'upheld',
    remedy: 'revoke',
    reasoning: 'The drafts postdate the basis filing.',
    decidedBy: 'victor',
    decidedAt: iso(5),
    policyVersion: 1,
  },
};
const returned = (ev: Array<{ sha256: string; declaredAiGenerated: boolean; aiFilingId: string | null }>): DisputeEvent => ({
  type: 'ComplaintReturned',
  data: { disputeId: 'd1', filingId: 'f-target', complainant: 'bob', reason: 'ai-generated-evidence', evidence: ev, returnedAt: iso(0) },
});
const withdrawn = (days: number): DisputeEvent => ({
  type: 'ComplaintWithdrawn',
  data: { disputeId: 'd1', filingId: 'f-target', complainant: 'bob', reason: null, withdrawnAt: iso(days) },
});

const assign = (
  over: Partial<{ actor: string; actorIsAdmin: boolean; reviewerId: string; reviewerRoles: string[] | null; now: Date }> = {},
) => ({
  type: 'AssignDispute' as const,
  disputeId: 'd1',
  actor: 'rita',
  actorIsAdmin: false,
  reviewerId: 'rita',
  reviewerRoles: ['reviewer'],
  now: at(1),
  ...over,
});
const respond = (over: Partial<{ actor: string; statement: string; now: Date }> = {}) => ({
  type: 'SubmitResponse' as const,
  disputeId: 'd1',
  actor: 'alice',
  statement: 'Mine is independent.',
  evidence: [],
  now: at(2),
  ...over,
});
const decide = (
  over: Partial<{
    actor: string;
    outcome: 'upheld' | 'rejected';
    remedy: 'revoke' | 'suspend' | 'transfer' | null;
    reasoning: string;
    now: Date;
  }> = {},
) => ({
  type: 'DecideDispute' as const,
  disputeId: 'd1',
  actor: 'rita',
  outcome: 'upheld' as const,
  remedy: 'revoke' as const,
  reasoning: decidedData.reasoning,
  now: at(3),
  ...over,
});
const appeal = (over: Partial<{ actor: string; grounds: string; now: Date }> = {}) => ({
  type: 'FileAppeal' as const,
  disputeId: 'd1',
  actor: 'alice',
  grounds: 'The reviewer ignored my drafts.',
  now: at(4),
  ...over,
});
type DecideAppealOver = { actor: string; ruling: Ruling; remedy: Remedy | null; reasoning: string; now: Date };
const decideAppeal = (over: Partial<DecideAppealOver> = {}) => ({
  type: 'DecideAppeal' as const,
  disputeId: 'd1',
  actor: 'victor',
  ruling: 'affirm' as const,
  remedy: null,
  reasoning: 'The drafts postdate the basis filing.',
  now: at(5),
  ...over,
});
const withdraw = (over: Partial<{ actor: string; now: Date }> = {}) => ({
  type: 'WithdrawComplaint' as const,
  disputeId: 'd1',
  actor: 'bob',
  reason: null,
  now: at(6),
  ...over,
});

describe('dispute decider', () => {
  describe('FileComplaint', () => {
    it('given no dispute, records ComplaintFiled with the respondent, the policy and the command time', () =>
      given(disputeDecider, []).when(fileComplaint()).then([filed]));
    it('returns at once a complaint whose evidence is declared AI-generated: filed and returned in one decision', () =>
      given(disputeDecider, [])
        .when(fileComplaint({}, { evidence: [{ sha256: h('c'), description: 'render', declaredAiGenerated: true }] }))
        .then([
          {
            ...filed,
            data: { ...filed.data, evidence: [{ sha256: h('c'), description: 'render', declaredAiGenerated: true }] },
          } as DisputeEvent,
          returned([{ sha256: h('c'), declaredAiGenerated: true, aiFilingId: null }]),
        ]));
    it('returns a complaint whose evidence is the content of a filed AI work', () =>
      given(disputeDecider, [])
        .when(fileComplaint({ filedAiWorks: [{ contentHash: h('c'), filingId: 'f-other' }] }))
        .then([filed, returned([{ sha256: h('c'), declaredAiGenerated: false, aiFilingId: 'f-other' }])]));
    it("does not return for the complainant's own basis filing used as evidence", () => {
      const evidence = [{ sha256: h('b'), description: 'my filed work', declaredAiGenerated: false }];
      given(disputeDecider, [])
        .when(fileComplaint({ filedAiWorks: [{ contentHash: h('b'), filingId: 'f-basis' }] }, { evidence }))
        .then([{ ...filed, data: { ...filed.data, evidence } } as DisputeEvent]);
    });
    it('does not return for the disputed work itself named as evidence', () => {
      const evidence = [{ sha256: h('a'), description: 'the disputed work', declaredAiGenerated: false }];
      given(disputeDecider, [])
        .when(fileComplaint({ filedAiWorks: [{ contentHash: h('a'), filingId: 'f-target' }] }, { evidence }))
        .then([{ ...filed, data: { ...filed.data, evidence } } as DisputeEvent]);
    });
    it('accepts a complaint without a basis filing', () =>
      given(disputeDecider, [])
        .when(fileComplaint({ basis: null }, { basisFilingId: null, type: 'infringement' }))
        .then([{ ...filed, data: { ...filed.data, basisFilingId: null, type: 'infringement' } } as DisputeEvent]));
    it('refuses a right a final decision transferred, naming its holder: no remedy applies to it any more', () =>
      given(disputeDecider, [])
        .when(fileComplaint({ targetRight: { status: 'transferred', holder: 'carol' } }))
        .thenThrows('right-transferred', { holder: 'carol' }));
    it('refuses a right a final decision revoked', () =>
      given(disputeDecider, [])
        .when(fileComplaint({ targetRight: { status: 'revoked', holder: 'alice' } }))
        .thenThrows('right-revoked'));
    it('refuses a right whose term ended', () =>
      given(disputeDecider, [])
        .when(fileComplaint({ targetRight: { status: 'expired', holder: 'alice' } }))
        .thenThrows('right-expired'));
    it('takes a complaint against a confirmed or suspended right: a remedy still applies to it', () => {
      given(disputeDecider, [])
        .when(fileComplaint({ targetRight: { status: 'confirmed', holder: 'alice' } }))
        .then([filed]);
      given(disputeDecider, [])
        .when(fileComplaint({ targetRight: { status: 'suspended', holder: 'alice' } }))
        .then([filed]);
    });
    it('refuses a filing that does not exist', () =>
      given(disputeDecider, [])
        .when(fileComplaint({ target: null }))
        .thenThrows('filing-not-found'));
    it('refuses a withdrawn filing', () =>
      given(disputeDecider, [])
        .when(fileComplaint({ target: { ...target, withdrawn: true } }))
        .thenThrows('filing-withdrawn'));
    it("refuses a complaint against one's own filing", () =>
      given(disputeDecider, [])
        .when(fileComplaint({ target: { ...target, creator: 'bob' } }))
        .thenThrows('own-filing'));
    it('refuses a basis filing owned by someone else', () =>
      given(disputeDecider, [])
        .when(fileComplaint({ basis: { ...basis, creator: 'carol' } }))
        .thenThrows('basis-not-owned'));
    it('refuses a basis filing that does not exist', () =>
      given(disputeDecider, [])
        .when(fileComplaint({ basis: null }))
        .thenThrows('basis-filing-not-found'));
    it('refuses a withdrawn basis filing', () =>
      given(disputeDecider, [])
        .when(fileComplaint({ basis: { ...basis, withdrawn: true } }))
        .thenThrows('basis-filing-withdrawn'));
    it('refuses the disputed filing as its own basis', () =>
      given(disputeDecider, [])
        .when(fileComplaint({}, { basisFilingId: 'f-target' }))
        .thenThrows('basis-is-target'));
    it('refuses duplicate evidence hashes', () =>
      given(disputeDecider, [])
        .when(fileComplaint({}, { evidence: [complaint.evidence[0], complaint.evidence[0]] }))
        .thenThrows('duplicate-evidence'));
    it('refuses a blank claim', () =>
      given(disputeDecider, [])
        .when(fileComplaint({}, { claim: '  \n ' }))
        .thenThrows('claim-required'));
    it('refuses a second ComplaintFiled on the same stream', () =>
      given(disputeDecider, [filed]).when(fileComplaint()).thenThrows('dispute-exists'));
  });

  describe('AssignDispute', () => {
    it('a reviewer assigns an open dispute to themself', () => given(disputeDecider, [filed]).when(assign()).then([assigned]));
    it('an admin assigns any reviewer', () =>
      given(disputeDecider, [filed])
        .when(assign({ actor: 'root', actorIsAdmin: true }))
        .then([{ type: 'DisputeAssigned', data: { ...assigned.data, assignedBy: 'root' } } as DisputeEvent]));
    it('an admin reassigns an assigned, undecided dispute', () =>
      given(disputeDecider, [filed, assigned])
        .when(assign({ actor: 'root', actorIsAdmin: true, reviewerId: 'victor', now: at(2) }))
        .then([
          {
            type: 'DisputeAssigned',
            data: { disputeId: 'd1', reviewerId: 'victor', previousReviewerId: 'rita', assignedBy: 'root', assignedAt: iso(2) },
          },
        ]));
    it('refuses a reviewer assigning someone else', () =>
      given(disputeDecider, [filed])
        .when(assign({ reviewerId: 'victor' }))
        .thenThrows('assign-self-only'));
    it('refuses an assignee without the reviewer role', () =>
      given(disputeDecider, [filed])
        .when(assign({ actor: 'root', actorIsAdmin: true, reviewerId: 'carol', reviewerRoles: ['creator'] }))
        .thenThrows('not-a-reviewer'));
    it('refuses an assignee that is no principal', () =>
      given(disputeDecider, [filed])
        .when(assign({ actor: 'root', actorIsAdmin: true, reviewerId: 'ghost', reviewerRoles: null }))
        .thenThrows('unknown-reviewer'));
    it('refuses a party as reviewer', () =>
      given(disputeDecider, [filed])
        .when(assign({ actor: 'alice', reviewerId: 'alice', reviewerRoles: ['creator', 'reviewer'] }))
        .thenThrows('reviewer-is-party'));
    it('refuses an admin assigning a party as reviewer', () =>
      given(disputeDecider, [filed])
        .when(assign({ actor: 'root', actorIsAdmin: true, reviewerId: 'bob', reviewerRoles: ['creator', 'reviewer'] }))
        .thenThrows('reviewer-is-party'));
    it("refuses a reviewer taking over another reviewer's dispute", () =>
      given(disputeDecider, [filed, assigned])
        .when(assign({ actor: 'victor', reviewerId: 'victor' }))
        .thenThrows('already-assigned'));
    it('refuses assigning the same reviewer again', () =>
      given(disputeDecider, [filed, assigned])
        .when(assign({ actor: 'root', actorIsAdmin: true }))
        .thenThrows('already-assigned'));
    it('refuses a returned complaint', () =>
      given(disputeDecider, [filed, returned([{ sha256: h('c'), declaredAiGenerated: true, aiFilingId: null }])])
        .when(assign())
        .thenThrows('dispute-returned'));
    it('refuses a decided dispute', () =>
      given(disputeDecider, [filed, assigned, responded, decided])
        .when(assign({ actor: 'root', actorIsAdmin: true, reviewerId: 'victor', now: at(4) }))
        .thenThrows('already-decided', { decidedAt: iso(3) }));
    it('refuses a dispute that does not exist', () => given(disputeDecider, []).when(assign()).thenThrows('dispute-not-found'));
  });

  describe('SubmitResponse', () => {
    it('the respondent answers within responseDays', () => given(disputeDecider, [filed, assigned]).when(respond()).then([responded]));
    it('the respondent may answer before a reviewer is assigned', () => given(disputeDecider, [filed]).when(respond()).then([responded]));
    it('refuses anyone but the respondent', () =>
      given(disputeDecider, [filed, assigned])
        .when(respond({ actor: 'bob' }))
        .thenThrows('not-respondent'));
    it('refuses a second response', () =>
      given(disputeDecider, [filed, assigned, responded])
        .when(respond({ now: at(3) }))
        .thenThrows('already-responded', { respondedAt: iso(2) }));
    it('refuses a response once responseDays have passed', () =>
      given(disputeDecider, [filed, assigned])
        .when(respond({ now: at(7) }))
        .thenThrows('response-window-closed', { responseDueAt: iso(7) }));
    it('refuses a response after the decision', () =>
      given(disputeDecider, [
        filed,
        assigned,
        { ...decided, data: { ...decidedData, decidedAt: iso(8), appealUntil: iso(23) } } as DisputeEvent,
      ])
        .when(respond({ now: at(8.5) }))
        .thenThrows('already-decided', { decidedAt: iso(8) }));
    it('refuses a blank statement', () =>
      given(disputeDecider, [filed])
        .when(respond({ statement: ' ' }))
        .thenThrows('statement-required'));
    it('refuses a withdrawn complaint', () =>
      given(disputeDecider, [filed, withdrawn(1)])
        .when(respond())
        .thenThrows('dispute-withdrawn'));
  });

  describe('DecideDispute', () => {
    it('the assigned reviewer upholds with a remedy; the event carries what the rights register needs', () =>
      given(disputeDecider, [filed, assigned, responded]).when(decide()).then([decided]));
    it('the assigned reviewer rejects without a remedy', () =>
      given(disputeDecider, [filed, assigned, responded])
        .when(decide({ outcome: 'rejected', remedy: null }))
        .then([{ type: 'DisputeDecided', data: { ...decidedData, outcome: 'rejected', remedy: null } }]));
    it('decides without a response once the response window has closed', () =>
      given(disputeDecider, [filed, assigned])
        .when(decide({ now: at(8) }))
        .then([{ type: 'DisputeDecided', data: { ...decidedData, decidedAt: iso(8), appealUntil: iso(23) } }]));
    it('refuses an unassigned dispute', () => given(disputeDecider, [filed, responded]).when(decide()).thenThrows('not-assigned'));
    it('refuses anyone but the assigned reviewer', () =>
      given(disputeDecider, [filed, assigned, responded])
        .when(decide({ actor: 'victor' }))
        .thenThrows('not-assigned-reviewer'));
    it('refuses a second decision', () =>
      given(disputeDecider, [filed, assigned, responded, decided])
        .when(decide({ now: at(3.5) }))
        .thenThrows('already-decided', { decidedAt: iso(3) }));
    it('waits for the respondent while the response window is open', () =>
      given(disputeDecider, [filed, assigned])
        .when(decide({ now: at(6) }))
        .thenThrows('awaiting-response', { responseDueAt: iso(7) }));
    it('refuses upheld without a remedy', () =>
      given(disputeDecider, [filed, assigned, responded])
        .when(decide({ remedy: null }))
        .thenThrows('remedy-required'));
    it('refuses rejected with a remedy', () =>
      given(disputeDecider, [filed, assigned, responded])
        .when(decide({ outcome: 'rejected', remedy: 'suspend' }))
        .thenThrows('remedy-not-allowed'));
    it('allows transfer on a priority complaint', () =>
      given(disputeDecider, [filed, assigned, responded])
        .when(decide({ remedy: 'transfer' }))
        .then([{ type: 'DisputeDecided', data: { ...decidedData, remedy: 'transfer' } }]));
    it('refuses transfer on a mislabeling complaint', () =>
      given(disputeDecider, [{ ...filed, data: { ...filed.data, type: 'mislabeling' } } as DisputeEvent, assigned, responded])
        .when(decide({ remedy: 'transfer' }))
        .thenThrows('remedy-not-applicable'));
    it('refuses blank reasoning', () =>
      given(disputeDecider, [filed, assigned, responded])
        .when(decide({ reasoning: '\t' }))
        .thenThrows('reasoning-required'));
    it('refuses a withdrawn complaint', () =>
      given(disputeDecider, [filed, assigned, responded, withdrawn(2.5)])
        .when(decide())
        .thenThrows('dispute-withdrawn'));
    it('refuses a dispute that does not exist', () => given(disputeDecider, []).when(decide()).thenThrows('dispute-not-found'));
  });

  describe('FileAppeal', () => {
    it('the respondent appeals within appealDays', () =>
      given(disputeDecider, [filed, assigned, responded, decided]).when(appeal()).then([appealed]));
    it('the complainant appeals too', () =>
      given(disputeDecider, [filed, assigned, responded, decided])
        .when(appeal({ actor: 'bob', now: at(17.9) }))
        .then([
          {
            type: 'AppealFiled',
            data: {
              disputeId: 'd1',
              appellant: 'bob',
              party: 'complainant',
              grounds: 'The reviewer ignored my drafts.',
              appealedAt: iso(17.9),
            },
          },
        ]));
    it('refuses an appeal once appealDays have passed', () =>
      given(disputeDecider, [filed, assigned, responded, decided])
        .when(appeal({ now: at(18) }))
        .thenThrows('appeal-window-closed', { appealUntil: iso(18) }));
    it('refuses anyone but a party', () =>
      given(disputeDecider, [filed, assigned, responded, decided])
        .when(appeal({ actor: 'carol' }))
        .thenThrows('not-a-party'));
    it('refuses an appeal before any decision', () =>
      given(disputeDecider, [filed, assigned, responded]).when(appeal()).thenThrows('not-decided'));
    describe('of a rejection', () => {
      const rejected: DisputeEvent = { type: 'DisputeDecided', data: { ...decidedData, outcome: 'rejected', remedy: null } };
      it('the complainant appeals it', () =>
        given(disputeDecider, [filed, assigned, responded, rejected])
          .when(appeal({ actor: 'bob', grounds: 'The remedy is too mild.', now: at(4.5) }))
          .then([complainantAppealed]));
      it('refuses the respondent, who has no decision against it to appeal', () =>
        given(disputeDecider, [filed, assigned, responded, rejected]).when(appeal()).thenThrows('nothing-to-appeal'));
      it('refuses the respondent after the complainant appealed', () =>
        given(disputeDecider, [filed, assigned, responded, rejected, complainantAppealed])
          .when(appeal({ now: at(5) }))
          .thenThrows('nothing-to-appeal'));
    });
    it('the other party appeals too while the first appeal is pending', () =>
      given(disputeDecider, [filed, assigned, responded, decided, appealed])
        .when(appeal({ actor: 'bob', grounds: 'The remedy is too mild.', now: at(4.5) }))
        .then([complainantAppealed]));
    it('refuses a second appeal by the same party', () =>
      given(disputeDecider, [filed, assigned, responded, decided, appealed])
        .when(appeal({ now: at(4.5) }))
        .thenThrows('already-appealed'));
    it('refuses a second appeal by the same party after the other party appealed', () =>
      given(disputeDecider, [filed, assigned, responded, decided, appealed, complainantAppealed])
        .when(appeal({ actor: 'bob', now: at(4.6) }))
        .thenThrows('already-appealed'));
    it('refuses the other party once the window has closed, though the first appeal is pending', () =>
      given(disputeDecider, [filed, assigned, responded, decided, appealed])
        .when(appeal({ actor: 'bob', now: at(18) }))
        .thenThrows('appeal-window-closed'));
    it('refuses an appeal of a decided appeal', () =>
      given(disputeDecider, [filed, assigned, responded, decided, appealed, appealDecided])
        .when(appeal({ now: at(6) }))
        .thenThrows('already-appealed'));
    it("refuses the other party's appeal once the first appeal is decided, within the window", () =>
      given(disputeDecider, [filed, assigned, responded, decided, appealed, appealDecided])
        .when(appeal({ actor: 'bob', now: at(6) }))
        .thenThrows('appeal-already-decided'));
    it('refuses a blank appeal', () =>
      given(disputeDecider, [filed, assigned, responded, decided])
        .when(appeal({ grounds: '' }))
        .thenThrows('grounds-required'));
    it('refuses a withdrawn complaint', () =>
      given(disputeDecider, [filed, assigned, responded, decided, withdrawn(3.5)])
        .when(appeal())
        .thenThrows('dispute-withdrawn'));
    it('refuses a returned complaint', () =>
      given(disputeDecider, [filed, returned([{ sha256: h('c'), declaredAiGenerated: true, aiFilingId: null }])])
        .when(appeal({ actor: 'bob' }))
        .thenThrows('dispute-returned'));
  });

  describe('DecideAppeal', () => {
    it('a second reviewer affirms: the first outcome and remedy stay in force and the dispute is final', () =>
      given(disputeDecider, [filed, assigned, responded, decided, appealed]).when(decideAppeal()).then([appealDecided]));
    it('a second reviewer reverses an upheld decision into a rejection', () =>
      given(disputeDecider, [filed, assigned, responded, decided, appealed])
        .when(decideAppeal({ ruling: 'reverse', reasoning: "Alice's drafts predate it." }))
        .then([
          {
            type: 'AppealDecided',
            data: { ...appealDecided.data, ruling: 'reversed', outcome: 'rejected', remedy: null, reasoning: "Alice's drafts predate it." },
          } as DisputeEvent,
        ]));
    it('reversing a rejection needs a remedy', () => {
      const rejected: DisputeEvent = { type: 'DisputeDecided', data: { ...decidedData, outcome: 'rejected', remedy: null } };
      given(disputeDecider, [filed, assigned, responded, rejected, appealed])
        .when(decideAppeal({ ruling: 'reverse' }))
        .thenThrows('remedy-required');
      given(disputeDecider, [filed, assigned, responded, rejected, appealed])
        .when(decideAppeal({ ruling: 'reverse', remedy: 'suspend' }))
        .then([
          {
            type: 'AppealDecided',
            data: { ...appealDecided.data, ruling: 'reversed', outcome: 'upheld', remedy: 'suspend' },
          } as DisputeEvent,
        ]);
    });
    it("one appeal decision answers both parties' appeals", () =>
      given(disputeDecider, [filed, assigned, responded, decided, appealed, complainantAppealed])
        .when(decideAppeal())
        .then([appealDecided]));
    it('varies the remedy: the first outcome stays, the remedy given is in force', () =>
      given(disputeDecider, [filed, assigned, responded, decided, appealed])
        .when(decideAppeal({ ruling: 'vary', remedy: 'suspend', reasoning: 'Revoking is too harsh.' }))
        .then([
          {
            type: 'AppealDecided',
            data: { ...appealDecided.data, ruling: 'varied', outcome: 'upheld', remedy: 'suspend', reasoning: 'Revoking is too harsh.' },
          },
        ]));
    it('varies a suspension into a transfer on a priority complaint', () =>
      given(disputeDecider, [filed, assigned, responded, suspended, appealed])
        .when(decideAppeal({ ruling: 'vary', remedy: 'transfer' }))
        .then([{ type: 'AppealDecided', data: { ...appealDecided.data, ruling: 'varied', remedy: 'transfer' } }]));
    it('refuses varying to the same remedy', () =>
      given(disputeDecider, [filed, assigned, responded, decided, appealed])
        .when(decideAppeal({ ruling: 'vary', remedy: 'revoke' }))
        .thenThrows('remedy-unchanged'));
    it('refuses varying without a remedy', () =>
      given(disputeDecider, [filed, assigned, responded, decided, appealed])
        .when(decideAppeal({ ruling: 'vary' }))
        .thenThrows('remedy-required'));
    it('refuses varying to a remedy the dispute type does not allow', () =>
      given(disputeDecider, [mislabeling, assigned, responded, suspended, appealed])
        .when(decideAppeal({ ruling: 'vary', remedy: 'transfer' }))
        .thenThrows('remedy-not-applicable'));
    it('refuses varying a rejection, which has no remedy', () => {
      const rejected: DisputeEvent = { type: 'DisputeDecided', data: { ...decidedData, outcome: 'rejected', remedy: null } };
      const history = [filed, assigned, responded, rejected, appealed];
      given(disputeDecider, history)
        .when(decideAppeal({ ruling: 'vary', remedy: 'suspend' }))
        .thenThrows('remedy-not-allowed');
      given(disputeDecider, history)
        .when(decideAppeal({ ruling: 'vary' }))
        .thenThrows('remedy-not-allowed');
    });
    it('refuses a remedy with an affirmation', () =>
      given(disputeDecider, [filed, assigned, responded, decided, appealed])
        .when(decideAppeal({ remedy: 'suspend' }))
        .thenThrows('remedy-not-allowed'));
    it('refuses the reviewer who made the first decision', () =>
      given(disputeDecider, [filed, assigned, responded, decided, appealed])
        .when(decideAppeal({ actor: 'rita' }))
        .thenThrows('same-reviewer'));
    it('refuses a party as appeal reviewer', () =>
      given(disputeDecider, [filed, assigned, responded, decided, appealed])
        .when(decideAppeal({ actor: 'alice' }))
        .thenThrows('reviewer-is-party'));
    it('refuses when nothing was appealed', () =>
      given(disputeDecider, [filed, assigned, responded, decided]).when(decideAppeal()).thenThrows('not-appealed'));
    it('refuses a second appeal decision', () =>
      given(disputeDecider, [filed, assigned, responded, decided, appealed, appealDecided])
        .when(decideAppeal({ actor: 'walt', now: at(6) }))
        .thenThrows('appeal-already-decided'));
    it('refuses blank reasoning', () =>
      given(disputeDecider, [filed, assigned, responded, decided, appealed])
        .when(decideAppeal({ reasoning: ' ' }))
        .thenThrows('reasoning-required'));
    it('refuses a withdrawn complaint', () =>
      given(disputeDecider, [filed, assigned, responded, decided, appealed, withdrawn(4.5)])
        .when(decideAppeal())
        .thenThrows('dispute-withdrawn'));
    it('refuses a dispute that does not exist', () => given(disputeDecider, []).when(decideAppeal()).thenThrows('dispute-not-found'));
  });

  describe('WithdrawComplaint', () => {
    it('the complainant withdraws an open dispute', () =>
      given(disputeDecider, [filed, assigned])
        .when(withdraw({ now: at(1.5) }))
        .then([withdrawn(1.5)]));
    it('the complainant withdraws during the appeal', () =>
      given(disputeDecider, [filed, assigned, responded, decided, appealed])
        .when(withdraw())
        .then([withdrawn(6)]));
    it('the complainant withdraws a decided dispute while its appeal window is open', () =>
      given(disputeDecider, [filed, assigned, responded, decided])
        .when(withdraw({ now: at(17) }))
        .then([withdrawn(17)]));
    it('refuses anyone but the complainant', () =>
      given(disputeDecider, [filed, assigned])
        .when(withdraw({ actor: 'alice' }))
        .thenThrows('not-complainant'));
    it('refuses a dispute made final by the appeal decision', () =>
      given(disputeDecider, [filed, assigned, responded, decided, appealed, appealDecided]).when(withdraw()).thenThrows('dispute-final'));
    it('refuses a dispute made final by the lapse of the appeal window', () =>
      given(disputeDecider, [filed, assigned, responded, decided])
        .when(withdraw({ now: at(18) }))
        .thenThrows('dispute-final'));
    it('refuses a second withdrawal', () =>
      given(disputeDecider, [filed, withdrawn(1)])
        .when(withdraw())
        .thenThrows('dispute-withdrawn'));
    it('refuses a returned complaint', () =>
      given(disputeDecider, [filed, returned([{ sha256: h('c'), declaredAiGenerated: true, aiFilingId: null }])])
        .when(withdraw())
        .thenThrows('dispute-returned'));
  });

  describe('statusAt', () => {
    it('reads a decision as final from the end of its appeal window, not before', () => {
      expect(statusAt('decided', iso(18), new Date(at(18).getTime() - 1))).toBe('decided');
      expect(statusAt('decided', iso(18), at(18))).toBe('final');
      expect(statusAt('appealed', iso(18), at(30))).toBe('appealed');
    });
  });

  describe('aiGeneratedEvidence', () => {
    it('names each offending item and the AI filing it matched', () => {
      const c: ComplaintInput = {
        ...complaint,
        evidence: [
          { sha256: h('1'), description: 'x', declaredAiGenerated: false },
          { sha256: h('2'), description: 'y', declaredAiGenerated: true },
          { sha256: h('3'), description: 'z', declaredAiGenerated: false },
        ],
      };
      expect(aiGeneratedEvidence(c, [{ contentHash: h('1'), filingId: 'f9' }])).toEqual([
        { sha256: h('1'), declaredAiGenerated: false, aiFilingId: 'f9' },
        { sha256: h('2'), declaredAiGenerated: true, aiFilingId: null },
      ]);
    });
  });

  describe('uploaded evidence files', () => {
    const inspected = (signals: AiSignal[] = []): EvidenceInspection => ({
      filename: 'photo.jpg',
      sha256: h('d'),
      size: 1000,
      sniffedType: 'image/jpeg',
      image: { width: 10, height: 10 },
      perceptualHash: { scheme: 'phash64', value: '0'.repeat(16) },
      provenance: { labels: [], c2pa: null, digitalSourceTypes: [], unread: [] },
      signals,
    });
    const label: AiSignal = { signal: 'aigc-label', location: 'png:tEXt:AIGC', label: '1' };
    const upload = (signals: AiSignal[] = [], declaredAiGenerated = false) => ({
      evidence: [{ sha256: h('d'), description: 'the original', declaredAiGenerated, inspection: inspected(signals) }],
    });
    const near = (filingId: string) => ({ sha256: h('d'), filingId, distance: 2, threshold: 8 });
    const nearSignal = (filingId: string): AiSignal => ({ signal: 'near-duplicate-of-ai-filing', filingId, distance: 2, threshold: 8 });
    const filedWith = (c: Partial<ComplaintInput>): DisputeEvent =>
      ({ ...filed, data: { ...filed.data, evidence: c.evidence! } }) as DisputeEvent;

    it('a file whose inspection found a signal returns the complaint, naming it; the declared flag stays false', () => {
      const c = upload([label]);
      given(disputeDecider, [])
        .when(fileComplaint({}, c))
        .then([filedWith(c), returned([{ sha256: h('d'), declaredAiGenerated: false, aiFilingId: null, signals: [label] } as never])]);
    });

    it("a near-duplicate of a filed AI work is added to the file's signals and returns the complaint", () => {
      const withNear = { evidence: [{ ...upload().evidence[0], inspection: inspected([nearSignal('f-ai')]) }] };
      given(disputeDecider, [])
        .when(fileComplaint({ nearAiWorks: [near('f-ai')] }, upload()))
        .then([
          filedWith(withNear),
          returned([{ sha256: h('d'), declaredAiGenerated: false, aiFilingId: null, signals: [nearSignal('f-ai')] } as never]),
        ]);
    });

    it('a near-duplicate of the filing complained about or of the basis filing is no signal: the complaint names them', () => {
      given(disputeDecider, [])
        .when(fileComplaint({ nearAiWorks: [near('f-target'), near('f-basis')] }, upload()))
        .then([filedWith(upload())]);
    });

    it('a file without any signal leaves the complaint opened, its inspection recorded', () =>
      given(disputeDecider, [])
        .when(fileComplaint({}, upload()))
        .then([filedWith(upload())]));
  });
});
