// The reviewer queue: one DisputeView row per dispute stream, kept by the one projection runner.
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { addDays } from '../verifier/sandbox-policy.js';
import { DisputeView } from './dispute-view.entity.js';
import { ReadModelProjection, type Projection } from '../ledger/read-models/projection.js';
import type { BatchRows, RowBatch } from '../ledger/read-models/row-batch.js';
import type { EventEnvelope } from '../verifier/envelope.js';
import type {
  AppealDecidedData,
  AppealFiledData,
  ComplaintFiledData,
  ComplaintReturnedData,
  ComplaintWithdrawnData,
  DisputeAssignedData,
  DisputeDecidedData,
  ResponseSubmittedData,
} from './dispute.events.js';

/**
 * The outcome in force after event `e` of a dispute stream, given the one before: the first decision's, then the appeal
 * decision's; none once withdrawn. (The rights register reads the same rule to find a creator's upheld disputes.)
 */
export function outcomeAfter(e: { type: string; data: { [key: string]: unknown } }, before: string | null): string | null {
  switch (e.type) {
    case 'ComplaintFiled':
    case 'ComplaintWithdrawn':
      return null;
    case 'DisputeDecided':
    case 'AppealDecided':
      return e.data.outcome as string;
    default:
      return before;
  }
}

/** Events that change an existing dispute row. */
const UPDATES = new Set([
  'ComplaintReturned',
  'DisputeAssigned',
  'ResponseSubmitted',
  'DisputeDecided',
  'AppealFiled',
  'AppealDecided',
  'ComplaintWithdrawn',
]);

@ReadModelProjection()
@Injectable()
export class DisputesProjection implements Projection {
  readonly name = 'disputes';
  readonly handles = ['ComplaintFiled', ...UPDATES];

  async applyBatch(events: readonly EventEnvelope[], _em: EntityManager, batch: BatchRows): Promise<void> {
    const rows = batch.of(DisputeView, 'disputeId');
    const filed = new Set(events.filter((e) => e.type === 'ComplaintFiled').map((e) => String(e.data.disputeId)));
    await rows.load(events.filter((e) => UPDATES.has(e.type) && !filed.has(String(e.data.disputeId))).map((e) => String(e.data.disputeId)));
    for (const e of events) this.apply(e, rows);
  }

  private apply(e: EventEnvelope, rows: RowBatch<DisputeView>): void {
    const touch = { lastLeafIndex: e.leafIndex, updatedAt: e.recordedAt };
    switch (e.type) {
      case 'ComplaintFiled': {
        const d = e.data as ComplaintFiledData;
        const decisionDueAt = addDays(d.filedAt, d.policy.decisionSlaDays);
        rows.insert({
          disputeId: d.disputeId,
          type: d.type,
          filingId: d.filingId,
          complainant: d.complainant,
          respondent: d.respondent,
          basisFilingId: d.basisFilingId,
          claim: d.claim,
          evidence: d.evidence,
          status: 'opened',
          assignee: null,
          policy: d.policy,
          openedAt: d.filedAt,
          responseDueAt: addDays(d.filedAt, d.policy.responseDays),
          decisionDueAt,
          reviewDueAt: decisionDueAt,
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
          leafIndex: e.leafIndex,
          eventHash: e.hash,
          ...touch,
        } as DisputeView);
        return;
      }
      case 'ComplaintReturned': {
        const { disputeId, reason, evidence, returnedAt } = e.data as ComplaintReturnedData;
        rows.update(disputeId, { status: 'returned', reviewDueAt: null, returned: { reason, evidence, returnedAt }, ...touch });
        return;
      }
      case 'DisputeAssigned': {
        const d = e.data as DisputeAssignedData;
        rows.update(d.disputeId, { status: 'assigned', assignee: d.reviewerId, ...touch });
        return;
      }
      case 'ResponseSubmitted': {
        const { disputeId, statement, evidence, respondedAt } = e.data as ResponseSubmittedData;
        rows.update(disputeId, { response: { statement, evidence, respondedAt }, ...touch });
        return;
      }
      case 'DisputeDecided': {
        const d = e.data as DisputeDecidedData;
        rows.update(d.disputeId, {
          status: 'decided',
          reviewDueAt: null,
          appealUntil: d.appealUntil,
          outcome: d.outcome,
          remedy: d.remedy,
          decision: {
            outcome: d.outcome,
            remedy: d.remedy,
            reasoning: d.reasoning,
            decidedBy: d.decidedBy,
            decidedAt: d.decidedAt,
            leafIndex: e.leafIndex,
          },
          ...touch,
        });
        return;
      }
      case 'AppealFiled': {
        const d = e.data as AppealFiledData;
        const row = rows.get(d.disputeId);
        if (!row) throw new Error(`dispute ${d.disputeId} not found`);
        const first = row.appeal as { decisionDueAt: string } | null;
        // One appeal decision answers every appeal: it is due after the decision SLA from the first.
        const decisionDueAt = first?.decisionDueAt ?? addDays(d.appealedAt, (row.policy as { decisionSlaDays: number }).decisionSlaDays);
        const appeal = { appellant: d.appellant, party: d.party, grounds: d.grounds, appealedAt: d.appealedAt, decisionDueAt };
        const appeals = [...(row.appeals ?? (first ? [first] : [])), appeal];
        rows.update(d.disputeId, { status: 'appealed', reviewDueAt: decisionDueAt, appeal: first ?? appeal, appeals, ...touch });
        return;
      }
      case 'AppealDecided': {
        const d = e.data as AppealDecidedData;
        rows.update(d.disputeId, {
          status: 'final',
          reviewDueAt: null,
          outcome: d.outcome,
          remedy: d.remedy,
          appealDecision: {
            ruling: d.ruling,
            outcome: d.outcome,
            remedy: d.remedy,
            reasoning: d.reasoning,
            decidedBy: d.decidedBy,
            decidedAt: d.decidedAt,
            leafIndex: e.leafIndex,
          },
          ...touch,
        });
        return;
      }
      case 'ComplaintWithdrawn': {
        const { disputeId, reason, withdrawnAt } = e.data as ComplaintWithdrawnData;
        rows.update(disputeId, {
          status: 'withdrawn',
          reviewDueAt: null,
          outcome: null,
          remedy: null,
          withdrawal: { reason, withdrawnAt },
          ...touch,
        });
        return;
      }
    }
  }

  async clear(em: EntityManager): Promise<void> {
    await em.clear(DisputeView);
  }
}
