// Answers of the dispute endpoints, as the OpenAPI document describes them.
import { EventEnvelopeDto } from '../ledger/ledger-responses.dto.js';
import type { DisputeType } from './dispute.events.js';

export class DisputePartyDto {
  id: string;
  name: string | null;
}

export class DisputePartiesDto {
  complainant: DisputePartyDto;
  respondent: DisputePartyDto;
  assignee: DisputePartyDto | null;
}

export class DisputeDeadlinesDto {
  responseDueAt: string;
  decisionDueAt: string;
  appealUntil: string | null;
  appealDecisionDueAt: string | null;
}

export class RecordedEventDto {
  type: string;
  revision: number;
  leafIndex: number;
  eventHash: string;
  recordedAt: string;
}

export class TimelineEntryDto {
  revision: number;
  type: string;
  at: string;
  actor: string | null;
  leafIndex: number;
  prevHash: string;
  hash: string;
}

/** A dispute as of now (a decision whose appeal window passed reads as final). */
export class DisputeDto {
  disputeId: string;
  type: DisputeType;
  filingId: string;
  complainant: string;
  respondent: string;
  basisFilingId: string | null;
  parties: DisputePartiesDto;
  claim: string;
  evidence: Record<string, unknown>[];
  status: 'opened' | 'assigned' | 'decided' | 'appealed' | 'final' | 'returned' | 'withdrawn';
  /** What the dispute waits for: assignment, response, decision, appeal-window, appeal-decision; null when closed. */
  awaiting: string | null;
  assignee: string | null;
  openedAt: string;
  /** The sandbox policy version and parameters the dispute runs under. */
  policy: Record<string, unknown>;
  deadlines: DisputeDeadlinesDto;
  reviewDueAt: string | null;
  overdue: boolean;
  outcome: string | null;
  remedy: string | null;
  finalAt: string | null;
  /** Why the complaint was returned at once (AI-generated evidence), or null. */
  returned: Record<string, unknown> | null;
  response: Record<string, unknown> | null;
  decision: Record<string, unknown> | null;
  appeal: Record<string, unknown> | null;
  appeals: Record<string, unknown>[];
  appealDecision: Record<string, unknown> | null;
  withdrawal: Record<string, unknown> | null;
  leafIndex: number;
  eventHash: string;
  lastLeafIndex: number;
}

/** The dispute after a write, with the events the write appended. */
export class DisputeWrittenDto extends DisputeDto {
  recorded: RecordedEventDto[];
}

export class DisputeDetailDto extends DisputeDto {
  timeline: TimelineEntryDto[];
  /** Every principal the dispute's record names (parties, reviewers, appellants, the timeline's actors), with their names. */
  people: DisputePartyDto[];
}

export class DisputePageDto {
  items: DisputeDto[];
  nextCursor: string | null;
}

export class DisputeHistoryDto {
  disputeId: string;
  events: EventEnvelopeDto[];
}
