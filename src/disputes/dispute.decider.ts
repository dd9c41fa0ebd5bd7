// A dispute: a complaint against a filing, from opening to final. Pure; facts read from other streams and
// the time arrive in the command.
import { conflict, forbidden, invalid, notFound } from '../common/domain-error.js';
import type { AiSignal } from '../inspection/file-inspection.js';
import type { Decider } from '../ledger/decider.js';
import { appealChoices, mayAppeal, remediesFor, TRANSFERABLE_TYPES } from '../domain-rules/disputes.js';
import { addDays } from '../verifier/sandbox-policy.js';
import type { Right } from '../verifier/rights-rules.js';
import {
  type AppealParty,
  type DisputeEvent,
  type DisputePolicy,
  type DisputeType,
  type EvidenceItem,
  type Outcome,
  type Remedy,
  type AppealDecidedData,
  type ResponseEvidenceItem,
  type ReturnedEvidence,
  type Ruling,
} from './dispute.events.js';

/** Stored lifecycle; `decided` reads as `final` once its appeal window has passed (see `statusAt`). */
export type DisputeStatus = 'none' | 'opened' | 'assigned' | 'decided' | 'appealed' | 'final' | 'returned' | 'withdrawn';

export interface DisputeState {
  status: DisputeStatus;
  disputeId: string | null;
  type: DisputeType | null;
  filingId: string | null;
  complainant: string | null;
  respondent: string | null;
  policy: DisputePolicy | null;
  responseDueAt: string | null;
  decisionDueAt: string | null;
  assignee: string | null;
  respondedAt: string | null;
  decision: { outcome: Outcome; remedy: Remedy | null; decidedBy: string; decidedAt: string; appealUntil: string } | null;
  /** When the first appeal was filed. */
  appealedAt: string | null;
  /** The parties who appealed, each at most once; one appeal decision answers them all. */
  appellants: AppealParty[];
}

/** What the event store says about a filing, read by the handler. */
export type FilingFacts = { filingId: string; creator: string; contentHash: string; withdrawn: boolean };
/** A filed work whose IPTC digital source type is AI-generated, matched by an evidence hash. */
export type FiledAiWork = { contentHash: string; filingId: string };
/** A filed AI work an uploaded evidence file (`sha256`) looks like: within `threshold` bits of its perceptual hash. */
export type NearAiWork = { sha256: string; filingId: string; distance: number; threshold: number };

export type ComplaintInput = {
  disputeId: string;
  type: DisputeType;
  filingId: string;
  complainant: string;
  claim: string;
  basisFilingId: string | null;
  evidence: EvidenceItem[];
};

export type FileComplaintCommand = {
  type: 'FileComplaint';
  complaint: ComplaintInput;
  target: FilingFacts | null;
  /** The target's right at `now` as the rules give it (RightsBook.rightAt); null when none is known (no such filing). */
  targetRight: Pick<Right, 'status' | 'holder'> | null;
  basis: FilingFacts | null;
  filedAiWorks: FiledAiWork[];
  nearAiWorks?: NearAiWork[];
  policy: DisputePolicy;
  now: Date;
};
export type AssignDisputeCommand = {
  type: 'AssignDispute';
  disputeId: string;
  actor: string;
  actorIsAdmin: boolean;
  reviewerId: string;
  /** The assignee's roles from their principal stream; null when no such principal exists. */
  reviewerRoles: string[] | null;
  now: Date;
};
export type SubmitResponseCommand = {
  type: 'SubmitResponse';
  disputeId: string;
  actor: string;
  statement: string;
  evidence: ResponseEvidenceItem[];
  now: Date;
};
export type DecideDisputeCommand = {
  type: 'DecideDispute';
  disputeId: string;
  actor: string;
  outcome: Outcome;
  remedy: Remedy | null;
  reasoning: string;
  now: Date;
};
export type FileAppealCommand = { type: 'FileAppeal'; disputeId: string; actor: string; grounds: string; now: Date };
export type DecideAppealCommand = {
  type: 'DecideAppeal';
  disputeId: string;
  actor: string;
  ruling: Ruling;
  remedy: Remedy | null;
  reasoning: string;
  now: Date;
};
export type WithdrawComplaintCommand = { type: 'WithdrawComplaint'; disputeId: string; actor: string; reason: string | null; now: Date };
export type DisputeCommand =
  | FileComplaintCommand
  | AssignDisputeCommand
  | SubmitResponseCommand
  | DecideDisputeCommand
  | FileAppealCommand
  | DecideAppealCommand
  | WithdrawComplaintCommand;

/** The status as of `now`: a decision nobody appealed within the window is final. */
export function statusAt(status: DisputeStatus, appealUntil: string | null, now: Date): DisputeStatus {
  return status === 'decided' && appealUntil !== null && now.getTime() >= Date.parse(appealUntil) ? 'final' : status;
}

/** Filings a complaint names rather than proves with: the filing complained about and the complainant's basis filing. */
const exemptFilings = (c: ComplaintInput) => new Set([c.basisFilingId, c.filingId]);

/**
 * The evidence as recorded: an uploaded file's signals get a near-duplicate signal for each filed AI work it looks like
 * (but those the complaint names).
 */
export function evidenceWithSignals(c: ComplaintInput, nearAiWorks: NearAiWork[]): EvidenceItem[] {
  const exempt = exemptFilings(c);
  return c.evidence.map((e) => {
    if (!e.inspection) return e;
    const near = nearAiWorks.filter((w) => w.sha256 === e.sha256 && !exempt.has(w.filingId));
    if (near.length === 0) return e;
    const signals: AiSignal[] = near.map((w) => ({
      signal: 'near-duplicate-of-ai-filing',
      filingId: w.filingId,
      distance: w.distance,
      threshold: w.threshold,
    }));
    return { ...e, inspection: { ...e.inspection, signals: [...e.inspection.signals, ...signals] } };
  });
}

/** Evidence that cannot prove a right to a human-made work: declared AI-generated, the content of a filed AI work other
 * than the complainant's basis filing and the filing complained about (which the complaint names, not proves with), or an
 * uploaded file its inspection found AI-generated (the declared flag stays what it was, a claim). */
export function aiGeneratedEvidence(c: ComplaintInput, filedAiWorks: FiledAiWork[]): ReturnedEvidence[] {
  const exempt = exemptFilings(c);
  return c.evidence.flatMap((e) => {
    const work = filedAiWorks.find((w) => w.contentHash === e.sha256 && !exempt.has(w.filingId));
    const signals = e.inspection?.signals ?? [];
    if (!e.declaredAiGenerated && !work && signals.length === 0) return [];
    return [
      {
        sha256: e.sha256,
        declaredAiGenerated: e.declaredAiGenerated,
        aiFilingId: work?.filingId ?? null,
        ...(e.inspection ? { signals } : {}),
      },
    ];
  });
}

const isParty = (s: DisputeState, who: string) => who === s.complainant || who === s.respondent;
const before = (now: Date, iso: string) => now.getTime() < Date.parse(iso);

function mustExist(s: DisputeState, disputeId: string): void {
  if (s.status === 'none') throw notFound('dispute-not-found', `no dispute ${disputeId}`);
}

/** Refuses any change to a dispute that has ended: returned, withdrawn or final. */
function mustBeOpen(s: DisputeState, now: Date): void {
  const status = statusAt(s.status, s.decision?.appealUntil ?? null, now);
  if (status === 'returned') throw conflict('dispute-returned', 'the complaint was returned; file a new one');
  if (status === 'withdrawn') throw conflict('dispute-withdrawn', 'the complaint was withdrawn');
  if (status === 'final') throw conflict('dispute-final', 'the dispute is final');
}

function checkRemedy(type: DisputeType, outcome: Outcome, remedy: Remedy | null): void {
  if (outcome === 'upheld' && remedy === null)
    throw invalid('remedy-required', 'an upheld complaint needs a remedy: revoke, suspend or transfer');
  if (outcome === 'rejected' && remedy !== null) throw invalid('remedy-not-allowed', 'a rejected complaint has no remedy');
  if (remedy !== null && !remediesFor(type).includes(remedy)) {
    throw invalid(
      'remedy-not-applicable',
      `a ${type} complaint cannot transfer the right; only ${TRANSFERABLE_TYPES.join(' and ')} complaints can`,
    );
  }
}

const blank = (text: string) => text.trim().length === 0;

/**
 * A right a final decision revoked or transferred, or whose term ended, can no longer change: the rules apply no remedy
 * to it (a later decision would be recorded and change nothing), so no complaint is taken against it. A withdrawn
 * filing is refused before this, as `filing-withdrawn`.
 */
function refuseFinalRight(filingId: string, right: Pick<Right, 'status' | 'holder'> | null): void {
  if (right?.status === 'transferred') {
    throw conflict(
      'right-transferred',
      `the right in filing ${filingId} was transferred to ${right.holder} by a final dispute decision; no complaint can change it`,
      { holder: right.holder },
    );
  }
  if (right?.status === 'revoked')
    throw conflict('right-revoked', `the right in filing ${filingId} was revoked by a final dispute decision; no complaint can change it`);
  if (right?.status === 'expired')
    throw conflict('right-expired', `the right in filing ${filingId} has expired (its term ended); no complaint can change it`);
}

function decideFileComplaint(command: FileComplaintCommand, s: DisputeState): DisputeEvent[] {
  const at = command.now.toISOString();
  const c = command.complaint;
  if (s.status !== 'none') throw conflict('dispute-exists', `dispute ${c.disputeId} already exists`);
  if (blank(c.claim)) throw invalid('claim-required', 'the claim must not be blank');
  const target = command.target;
  if (!target) throw notFound('filing-not-found', `no filing ${c.filingId}`);
  if (target.withdrawn) throw conflict('filing-withdrawn', `filing ${c.filingId} was withdrawn; there is nothing to complain about`);
  refuseFinalRight(c.filingId, command.targetRight);
  if (target.creator === c.complainant) throw invalid('own-filing', 'a creator cannot complain about their own filing');
  if (c.basisFilingId !== null) {
    if (c.basisFilingId === c.filingId)
      throw invalid('basis-is-target', 'the basis filing must be another filing than the one complained about');
    const basis = command.basis;
    if (!basis) throw notFound('basis-filing-not-found', `no filing ${c.basisFilingId}`);
    if (basis.creator !== c.complainant) throw forbidden('basis-not-owned', "the basis filing must be the complainant's own");
    if (basis.withdrawn) throw conflict('basis-filing-withdrawn', `basis filing ${c.basisFilingId} was withdrawn`);
  }
  const hashes = c.evidence.map((e) => e.sha256);
  if (new Set(hashes).size !== hashes.length) throw invalid('duplicate-evidence', 'each evidence item must have a distinct sha256');
  const evidence = evidenceWithSignals(c, command.nearAiWorks ?? []);
  const filed: DisputeEvent = {
    type: 'ComplaintFiled',
    data: {
      disputeId: c.disputeId,
      type: c.type,
      filingId: c.filingId,
      complainant: c.complainant,
      respondent: target.creator,
      claim: c.claim,
      basisFilingId: c.basisFilingId,
      evidence,
      policy: command.policy,
      filedAt: at,
    },
  };
  const ai = aiGeneratedEvidence({ ...c, evidence }, command.filedAiWorks);
  if (ai.length === 0) return [filed];
  return [
    filed,
    {
      type: 'ComplaintReturned',
      data: {
        disputeId: c.disputeId,
        filingId: c.filingId,
        complainant: c.complainant,
        reason: 'ai-generated-evidence',
        evidence: ai,
        returnedAt: at,
      },
    },
  ];
}

function decideAssignDispute(command: AssignDisputeCommand, s: DisputeState): DisputeEvent[] {
  const at = command.now.toISOString();
  mustExist(s, command.disputeId);
  mustBeOpen(s, command.now);
  if (s.decision)
    throw conflict('already-decided', 'the dispute is already decided; an appeal goes to another reviewer', {
      decidedAt: s.decision.decidedAt,
    });
  const self = command.reviewerId === command.actor;
  if (!command.actorIsAdmin && !self)
    throw forbidden('assign-self-only', 'a reviewer may assign a dispute only to themself; an admin may assign anyone');
  if (command.reviewerRoles === null) throw invalid('unknown-reviewer', `no principal ${command.reviewerId}`);
  if (!command.reviewerRoles.includes('reviewer'))
    throw invalid('not-a-reviewer', `principal ${command.reviewerId} does not hold the reviewer role`);
  if (isParty(s, command.reviewerId)) {
    if (self) throw forbidden('reviewer-is-party', 'a party to the dispute cannot review it');
    throw invalid('reviewer-is-party', 'a party to the dispute cannot review it');
  }
  if (s.assignee === command.reviewerId) throw conflict('already-assigned', 'the dispute is already assigned to this reviewer');
  if (s.assignee !== null && !command.actorIsAdmin)
    throw conflict('already-assigned', 'the dispute is assigned to another reviewer; only an admin may reassign it');
  return [
    {
      type: 'DisputeAssigned',
      data: {
        disputeId: command.disputeId,
        reviewerId: command.reviewerId,
        previousReviewerId: s.assignee,
        assignedBy: command.actor,
        assignedAt: at,
      },
    },
  ];
}

function decideSubmitResponse(command: SubmitResponseCommand, s: DisputeState): DisputeEvent[] {
  const at = command.now.toISOString();
  mustExist(s, command.disputeId);
  if (command.actor !== s.respondent)
    throw forbidden('not-respondent', "only the respondent (the filing's creator) may answer the complaint");
  mustBeOpen(s, command.now);
  if (s.decision)
    throw conflict('already-decided', `the dispute was decided at ${s.decision.decidedAt}`, { decidedAt: s.decision.decidedAt });
  if (s.respondedAt !== null)
    throw conflict('already-responded', `the respondent answered at ${s.respondedAt}`, { respondedAt: s.respondedAt });
  if (!before(command.now, s.responseDueAt!))
    throw conflict('response-window-closed', `the response was due by ${s.responseDueAt}`, { responseDueAt: s.responseDueAt });
  if (blank(command.statement)) throw invalid('statement-required', 'the statement must not be blank');
  const hashes = command.evidence.map((e) => e.sha256);
  if (new Set(hashes).size !== hashes.length) throw invalid('duplicate-evidence', 'each evidence item must have a distinct sha256');
  return [
    {
      type: 'ResponseSubmitted',
      data: {
        disputeId: command.disputeId,
        respondent: command.actor,
        statement: command.statement,
        evidence: command.evidence,
        respondedAt: at,
      },
    },
  ];
}

function decideDecideDispute(command: DecideDisputeCommand, s: DisputeState): DisputeEvent[] {
  const at = command.now.toISOString();
  mustExist(s, command.disputeId);
  mustBeOpen(s, command.now);
  if (s.decision)
    throw conflict('already-decided', `the dispute was decided at ${s.decision.decidedAt}`, { decidedAt: s.decision.decidedAt });
  if (s.assignee === null) throw conflict('not-assigned', 'the dispute has no reviewer yet; assign one first');
  if (command.actor !== s.assignee) throw forbidden('not-assigned-reviewer', 'only the assigned reviewer may decide the dispute');
  // The respondent is heard first: a decision waits for the answer or for the response window to close.
  if (s.respondedAt === null && before(command.now, s.responseDueAt!)) {
    throw conflict('awaiting-response', `the respondent may answer until ${s.responseDueAt}`, { responseDueAt: s.responseDueAt });
  }
  checkRemedy(s.type!, command.outcome, command.remedy);
  if (blank(command.reasoning)) throw invalid('reasoning-required', 'a decision needs its reasoning');
  return [
    {
      type: 'DisputeDecided',
      data: {
        disputeId: command.disputeId,
        filingId: s.filingId!,
        type: s.type!,
        complainant: s.complainant!,
        respondent: s.respondent!,
        outcome: command.outcome,
        remedy: command.remedy,
        reasoning: command.reasoning,
        decidedBy: command.actor,
        decidedAt: at,
        appealUntil: addDays(at, s.policy!.appealDays),
        policyVersion: s.policy!.version,
      },
    },
  ];
}

function decideFileAppeal(command: FileAppealCommand, s: DisputeState): DisputeEvent[] {
  const at = command.now.toISOString();
  mustExist(s, command.disputeId);
  if (!isParty(s, command.actor)) throw forbidden('not-a-party', 'only the complainant or the respondent may appeal');
  if (s.status === 'returned' || s.status === 'withdrawn') mustBeOpen(s, command.now);
  const party: AppealParty = command.actor === s.complainant ? 'complainant' : 'respondent';
  if (s.appellants.includes(party)) throw conflict('already-appealed', `the ${party} has already appealed the decision`);
  if (s.status === 'final' && s.appealedAt !== null)
    throw conflict('appeal-already-decided', 'the appeal is decided; the dispute is final');
  if (!s.decision) throw conflict('not-decided', 'there is no decision to appeal yet');
  if (!mayAppeal(party, s.decision.outcome))
    throw conflict('nothing-to-appeal', 'the complaint was rejected: the respondent has no decision against it to appeal');
  if (!before(command.now, s.decision.appealUntil))
    throw conflict('appeal-window-closed', `the decision could be appealed until ${s.decision.appealUntil}`, {
      appealUntil: s.decision.appealUntil,
    });
  if (blank(command.grounds)) throw invalid('grounds-required', 'an appeal needs its grounds');
  return [
    {
      type: 'AppealFiled',
      data: { disputeId: command.disputeId, appellant: command.actor, party, grounds: command.grounds, appealedAt: at },
    },
  ];
}

const RULED = { affirm: 'affirmed', reverse: 'reversed', vary: 'varied' } as const satisfies Record<Ruling, AppealDecidedData['ruling']>;

/**
 * The outcome and remedy an appeal ruling leaves in force (the shared rules' `appealChoices`): affirmed as decided,
 * reversed, or the outcome kept with another remedy; each refusal says which rule the remedy broke.
 */
function appealRuling(type: DisputeType, first: NonNullable<DisputeState['decision']>, ruling: Ruling, remedy: Remedy | null) {
  const choice = appealChoices(type, first).find((c) => c.ruling === ruling);
  if (!choice) throw invalid('remedy-not-allowed', 'a rejection has no remedy to vary; reverse it to uphold the complaint');
  if (ruling === 'affirm') {
    if (remedy !== null) throw invalid('remedy-not-allowed', "affirming keeps the first decision's remedy; send none");
    return { outcome: first.outcome, remedy: first.remedy };
  }
  checkRemedy(type, choice.outcome, remedy);
  if (remedy !== null && !choice.remedies.includes(remedy))
    throw invalid('remedy-unchanged', `varying must change the remedy; the first decision's is ${first.remedy}`);
  return { outcome: choice.outcome, remedy };
}

function decideDecideAppeal(command: DecideAppealCommand, s: DisputeState): DisputeEvent[] {
  const at = command.now.toISOString();
  mustExist(s, command.disputeId);
  if (s.status === 'final' && s.appealedAt !== null)
    throw conflict('appeal-already-decided', 'the appeal is decided; the dispute is final');
  mustBeOpen(s, command.now);
  if (s.status !== 'appealed') throw conflict('not-appealed', 'there is no pending appeal');
  const first = s.decision!;
  if (command.actor === first.decidedBy)
    throw forbidden('same-reviewer', "an appeal is decided by a different reviewer than the first decision's");
  if (isParty(s, command.actor)) throw forbidden('reviewer-is-party', 'a party to the dispute cannot decide its appeal');
  const { outcome, remedy } = appealRuling(s.type!, first, command.ruling, command.remedy);
  if (blank(command.reasoning)) throw invalid('reasoning-required', 'an appeal decision needs its reasoning');
  return [
    {
      type: 'AppealDecided',
      data: {
        disputeId: command.disputeId,
        filingId: s.filingId!,
        type: s.type!,
        complainant: s.complainant!,
        respondent: s.respondent!,
        ruling: RULED[command.ruling],
        outcome,
        remedy,
        reasoning: command.reasoning,
        decidedBy: command.actor,
        decidedAt: at,
        policyVersion: s.policy!.version,
      },
    },
  ];
}

function decideWithdrawComplaint(command: WithdrawComplaintCommand, s: DisputeState): DisputeEvent[] {
  const at = command.now.toISOString();
  mustExist(s, command.disputeId);
  if (command.actor !== s.complainant) throw forbidden('not-complainant', 'only the complainant may withdraw the complaint');
  mustBeOpen(s, command.now);
  return [
    {
      type: 'ComplaintWithdrawn',
      data: { disputeId: command.disputeId, filingId: s.filingId!, complainant: command.actor, reason: command.reason, withdrawnAt: at },
    },
  ];
}

export const disputeDecider: Decider<DisputeCommand, DisputeEvent, DisputeState> = {
  initialState: () => ({
    status: 'none',
    disputeId: null,
    type: null,
    filingId: null,
    complainant: null,
    respondent: null,
    policy: null,
    responseDueAt: null,
    decisionDueAt: null,
    assignee: null,
    respondedAt: null,
    decision: null,
    appealedAt: null,
    appellants: [],
  }),

  evolve(state, event) {
    switch (event.type) {
      case 'ComplaintFiled': {
        const d = event.data;
        return {
          ...state,
          status: 'opened',
          disputeId: d.disputeId,
          type: d.type,
          filingId: d.filingId,
          complainant: d.complainant,
          respondent: d.respondent,
          policy: d.policy,
          responseDueAt: addDays(d.filedAt, d.policy.responseDays),
          decisionDueAt: addDays(d.filedAt, d.policy.decisionSlaDays),
        };
      }
      case 'ComplaintReturned':
        return { ...state, status: 'returned' };
      case 'DisputeAssigned':
        return { ...state, status: 'assigned', assignee: event.data.reviewerId };
      case 'ResponseSubmitted':
        return { ...state, respondedAt: event.data.respondedAt };
      case 'DisputeDecided': {
        const d = event.data;
        return {
          ...state,
          status: 'decided',
          decision: { outcome: d.outcome, remedy: d.remedy, decidedBy: d.decidedBy, decidedAt: d.decidedAt, appealUntil: d.appealUntil },
        };
      }
      case 'AppealFiled':
        return {
          ...state,
          status: 'appealed',
          appealedAt: state.appealedAt ?? event.data.appealedAt,
          appellants: [...state.appellants, event.data.party],
        };
      case 'AppealDecided':
        return { ...state, status: 'final' };
      case 'ComplaintWithdrawn':
        return { ...state, status: 'withdrawn' };
      default:
        return state;
    }
  },

  decide(command, s) {
    switch (command.type) {
      case 'FileComplaint':
        return decideFileComplaint(command, s);
      case 'AssignDispute':
        return decideAssignDispute(command, s);
      case 'SubmitResponse':
        return decideSubmitResponse(command, s);
      case 'DecideDispute':
        return decideDecideDispute(command, s);
      case 'FileAppeal':
        return decideFileAppeal(command, s);
      case 'DecideAppeal':
        return decideDecideAppeal(command, s);
      case 'WithdrawComplaint':
        return decideWithdrawComplaint(command, s);
    }
  },
};
