// A filing: first filing of one work by its creator, its amendments, and its withdrawal (never while a complaint
// against it is open, nor once its right was transferred).
import { conflict, DomainError, forbidden, invalid, notFound, unprocessable } from '../common/domain-error.js';
import type { Decider } from '../ledger/decider.js';
import type { FilingAmendment, FilingDetails, FilingEvent, PriorFiling, ProcessEvidenceItem } from './filing.events.js';

export interface FilingState {
  status: 'none' | 'active' | 'withdrawn';
  creator: string | null;
  contentHash: string | null;
  title: string | null;
  /** Complaints filed against the filing (FilingDisputed), open or not. */
  disputes: string[];
  /** Amendments so far, and the SHA-256 of each process evidence item the filing holds (its own and those amendments added). */
  amendments: number;
  processEvidence: string[];
}

/**
 * How far amendments may grow a filing: each one rewrites the filing's record, which its owner, the reviewers and the
 * auditors read whole, so a filing amended without end would make every read of it, and each amendment, cost more.
 */
export const AMENDMENT_LIMITS = { amendments: 50, processEvidence: 300 } as const;

/**
 * How far (ms) a `createdAt` may be after the time its filing or amendment is recorded: a client that stamps a draft with
 * its own clock when it files it, a little ahead of the ledger's, files what it made before it filed.
 */
export const EVIDENCE_CLOCK_SKEW_MS = 5 * 60_000;

/** `priorFilings`: earlier filings of the content, withdrawn (from its reservation stream). */
export type FileWorkCommand = { type: 'FileWork'; filing: FilingDetails; priorFilings?: PriorFiling[]; now: Date };
/**
 * Facts read by the handler: `closedDisputes`, those of the filing's complaints known to be closed (returned, withdrawn or
 * final) at `now`; `holder`, who holds the filing's right at `now`, and `rightStatus`, its status then.
 */
export type WithdrawFilingCommand = {
  type: 'WithdrawFiling';
  filingId: string;
  actor: string;
  reason: string | null;
  /** Complaints against the filing known outside its stream (the read model), besides those that marked it. */
  disputes?: string[];
  closedDisputes?: string[];
  holder?: string | null;
  rightStatus?: string | null;
  now: Date;
};
/** `holder`: who holds the filing's right at `now` (a fact read by the handler). */
export type AmendFilingCommand = {
  type: 'AmendFiling';
  filingId: string;
  actor: string;
  amendment: FilingAmendment;
  holder?: string | null;
  now: Date;
};
export type FilingCommand = FileWorkCommand | WithdrawFilingCommand | AmendFilingCommand;

/** SHA-256 of no bytes at all. */
export const EMPTY_CONTENT_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

/**
 * Refuses no bytes as a work (422 empty-content), naming the field that gave them (`contentHash`, or an upload's `file`):
 * filed once, their hash would be one creator's, and every other empty file a duplicate of it.
 */
export function refuseEmptyContent(contentHash: string, field: 'contentHash' | 'file'): void {
  if (contentHash !== EMPTY_CONTENT_SHA256) return;
  const message = 'the content is empty (0 bytes, SHA-256 e3b0c442…b855): there is no work to file';
  throw new DomainError('unprocessable', 'empty-content', message, { errors: [{ field, message }] });
}

/**
 * Process evidence says what the work was made from, each file once, made before it is recorded: an item listed twice
 * (in the request, or already held by the filing) or dated more than EVIDENCE_CLOCK_SKEW_MS after `now` is refused,
 * naming the request's field.
 */
function checkProcessEvidence(items: ProcessEvidenceItem[], held: readonly string[], now: Date): void {
  const seen = new Set(held);
  items.forEach((item, i) => {
    const field = `processEvidence.${i}`;
    if (seen.has(item.sha256)) {
      const message = `${field}.sha256 ${item.sha256} is listed ${held.includes(item.sha256) ? 'in the filing already' : 'twice'}: list each file once`;
      throw invalid('duplicate-evidence', message, { errors: [{ field: `${field}.sha256`, message }] });
    }
    seen.add(item.sha256);
    if (item.createdAt !== null && Date.parse(item.createdAt) > now.getTime() + EVIDENCE_CLOCK_SKEW_MS) {
      const message = `${field}.createdAt ${item.createdAt} is more than ${EVIDENCE_CLOCK_SKEW_MS / 60_000} minutes after ${now.toISOString()}, when it is recorded: evidence is made before it is filed`;
      throw unprocessable('evidence-made-later', message, { errors: [{ field: `${field}.createdAt`, message }] });
    }
  });
}

function decideFileWork(command: FileWorkCommand, state: FilingState): FilingEvent[] {
  if (state.status !== 'none') throw conflict('filing-exists', `filing ${command.filing.filingId} already exists`);
  refuseEmptyContent(command.filing.contentHash, 'contentHash');
  checkProcessEvidence(command.filing.processEvidence, [], command.now);
  const prior = command.priorFilings ?? [];
  return [
    {
      type: 'WorkFiled',
      data: { ...command.filing, filedAt: command.now.toISOString(), ...(prior.length ? { priorFilings: prior } : {}) },
    },
  ];
}

function decideWithdrawFiling(command: WithdrawFilingCommand, state: FilingState): FilingEvent[] {
  if (state.status === 'none') throw notFound('filing-not-found', `no filing ${command.filingId}`);
  if (state.creator !== command.actor) throw forbidden('not-owner', "only the filing's creator may withdraw it");
  if (state.status === 'withdrawn') throw conflict('already-withdrawn', `filing ${command.filingId} is already withdrawn`);
  const closed = new Set(command.closedDisputes ?? []);
  const open = [...new Set([...state.disputes, ...(command.disputes ?? [])])].filter((d) => !closed.has(d));
  if (open.length > 0) {
    throw conflict(
      'dispute-open',
      `a complaint against filing ${command.filingId} is open (${open.join(', ')}); it can be withdrawn once the complaint is closed`,
      { openDisputes: open },
    );
  }
  if (command.holder && command.holder !== state.creator) {
    throw conflict(
      'right-transferred',
      `the right in filing ${command.filingId} was transferred to ${command.holder} by a final dispute decision`,
      { holder: command.holder },
    );
  }
  // Withdrawn, the filing would release its content, and its creator could file it again with a fresh right.
  if (command.rightStatus === 'revoked') {
    throw conflict(
      'right-revoked',
      `the right in filing ${command.filingId} was revoked by a final dispute decision; the filing stays, so that filing its content again cannot undo the revocation`,
    );
  }
  return [
    { type: 'FilingWithdrawn', data: { filingId: command.filingId, reason: command.reason, withdrawnAt: command.now.toISOString() } },
  ];
}

function decideAmendFiling(command: AmendFilingCommand, state: FilingState): FilingEvent[] {
  if (state.status === 'none') throw notFound('filing-not-found', `no filing ${command.filingId}`);
  if (state.creator !== command.actor) throw forbidden('not-owner', "only the filing's creator may amend it");
  if (state.status === 'withdrawn') throw conflict('filing-withdrawn', `filing ${command.filingId} is withdrawn`);
  if (command.holder && command.holder !== state.creator) {
    throw conflict(
      'right-transferred',
      `the right in filing ${command.filingId} was transferred to ${command.holder}; its record is no longer its creator's to amend`,
      { holder: command.holder },
    );
  }
  const a = command.amendment;
  if (state.amendments >= AMENDMENT_LIMITS.amendments) {
    throw conflict('amendment-limit', `filing ${command.filingId} has been amended ${state.amendments} times, the most a filing may be`, {
      limit: AMENDMENT_LIMITS.amendments,
    });
  }
  if (state.processEvidence.length + a.addedProcessEvidence.length > AMENDMENT_LIMITS.processEvidence) {
    throw conflict(
      'amendment-limit',
      `filing ${command.filingId} holds ${state.processEvidence.length} process evidence items; with ${a.addedProcessEvidence.length} more it would exceed the ${AMENDMENT_LIMITS.processEvidence} a filing may hold`,
      { limit: AMENDMENT_LIMITS.processEvidence },
    );
  }
  checkProcessEvidence(a.addedProcessEvidence, state.processEvidence, command.now);
  const title = a.title !== null && a.title !== state.title ? a.title : null;
  if (title === null && a.addedProcessEvidence.length === 0 && a.humanContributionNote === null) {
    throw invalid(
      'empty-amendment',
      'an amendment corrects the title (to a new one) or adds process evidence or a human contribution note',
    );
  }
  return [{ type: 'FilingAmended', data: { filingId: command.filingId, ...a, title, amendedAt: command.now.toISOString() } }];
}

export const filingDecider: Decider<FilingCommand, FilingEvent, FilingState> = {
  initialState: () => ({ status: 'none', creator: null, contentHash: null, title: null, disputes: [], amendments: 0, processEvidence: [] }),

  evolve(state, event) {
    switch (event.type) {
      case 'WorkFiled':
        return {
          ...state,
          status: 'active',
          creator: event.data.creator,
          contentHash: event.data.contentHash,
          title: event.data.title,
          processEvidence: event.data.processEvidence.map((p) => p.sha256),
        };
      case 'FilingWithdrawn':
        return { ...state, status: 'withdrawn' };
      case 'FilingDisputed':
        return { ...state, disputes: [...state.disputes, event.data.disputeId] };
      case 'FilingAmended':
        return {
          ...state,
          title: event.data.title ?? state.title,
          amendments: state.amendments + 1,
          processEvidence: [...state.processEvidence, ...event.data.addedProcessEvidence.map((p) => p.sha256)],
        };
      default:
        return state; // other contexts (labels, near-duplicates, flag reviews) append to the filing stream too
    }
  },

  decide(command, state) {
    switch (command.type) {
      case 'FileWork':
        return decideFileWork(command, state);
      case 'WithdrawFiling':
        return decideWithdrawFiling(command, state);
      case 'AmendFiling':
        return decideAmendFiling(command, state);
    }
  },
};
