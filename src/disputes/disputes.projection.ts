// The reviewer queue: one DisputeView row per dispute stream, kept by the one projection runner.
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { addDays } from '../projections/policy.js';
import { DisputeView } from '../projections/dispute-view.entity.js';
import type { Projection } from '../projections/projection.js';
import type { EventEnvelope } from '../verifier/envelope.js';
import type {
  AppealDecidedData, AppealFiledData, ComplaintFiledData, ComplaintReturnedData, ComplaintWithdrawnData, DisputeAssignedData, DisputeDecidedData,
  ResponseSubmittedData,
} from './dispute.events.js';

@Injectable()
export class DisputesProjection implements Projection {
  readonly name = 'disputes';

  async apply(e: EventEnvelope, em: EntityManager): Promise<void> {
    const touch = { lastLeafIndex: e.leafIndex, updatedAt: e.recordedAt };
    switch (e.type) {
      case 'ComplaintFiled': {
        const d = e.data as ComplaintFiledData;
        const decisionDueAt = addDays(d.filedAt, d.policy.decisionSlaDays);
        await em.insert(DisputeView, {
          disputeId: d.disputeId, type: d.type, filingId: d.filingId, complainant: d.complainant, respondent: d.respondent, basisFilingId: d.basisFilingId,
          claim: d.claim, evidence: d.evidence, status: 'opened', assignee: null, policy: d.policy, openedAt: d.filedAt,
          responseDueAt: addDays(d.filedAt, d.policy.responseDays), decisionDueAt, reviewDueAt: decisionDueAt, appealUntil: null,
          outcome: null, remedy: null, returned: null, response: null, decision: null, appeal: null, appealDecision: null, withdrawal: null,
          leafIndex: e.leafIndex, eventHash: e.hash, ...touch,
        });
        return;
      }
      case 'ComplaintReturned': {
        const { disputeId, reason, evidence, returnedAt } = e.data as ComplaintReturnedData;
        await em.update(DisputeView, { disputeId }, { status: 'returned', reviewDueAt: null, returned: { reason, evidence, returnedAt }, ...touch });
        return;
      }
      case 'DisputeAssigned': {
        const d = e.data as DisputeAssignedData;
        await em.update(DisputeView, { disputeId: d.disputeId }, { status: 'assigned', assignee: d.reviewerId, ...touch });
        return;
      }
      case 'ResponseSubmitted': {
        const { disputeId, statement, evidence, respondedAt } = e.data as ResponseSubmittedData;
        await em.update(DisputeView, { disputeId }, { response: { statement, evidence, respondedAt }, ...touch });
        return;
      }
      case 'DisputeDecided': {
        const d = e.data as DisputeDecidedData;
        await em.update(DisputeView, { disputeId: d.disputeId }, {
          status: 'decided', reviewDueAt: null, appealUntil: d.appealUntil, outcome: d.outcome, remedy: d.remedy,
          decision: { outcome: d.outcome, remedy: d.remedy, reasoning: d.reasoning, decidedBy: d.decidedBy, decidedAt: d.decidedAt, leafIndex: e.leafIndex }, ...touch,
        });
        return;
      }
      case 'AppealFiled': {
        const d = e.data as AppealFiledData;
        const row = await em.findOneByOrFail(DisputeView, { disputeId: d.disputeId });
        const decisionDueAt = addDays(d.appealedAt, (row.policy as { decisionSlaDays: number }).decisionSlaDays);
        await em.update(DisputeView, { disputeId: d.disputeId }, {
          status: 'appealed', reviewDueAt: decisionDueAt, appeal: { appellant: d.appellant, party: d.party, grounds: d.grounds, appealedAt: d.appealedAt, decisionDueAt }, ...touch,
        });
        return;
      }
      case 'AppealDecided': {
        const d = e.data as AppealDecidedData;
        await em.update(DisputeView, { disputeId: d.disputeId }, {
          status: 'final', reviewDueAt: null, outcome: d.outcome, remedy: d.remedy,
          appealDecision: { ruling: d.ruling, outcome: d.outcome, remedy: d.remedy, reasoning: d.reasoning, decidedBy: d.decidedBy, decidedAt: d.decidedAt, leafIndex: e.leafIndex }, ...touch,
        });
        return;
      }
      case 'ComplaintWithdrawn': {
        const { disputeId, reason, withdrawnAt } = e.data as ComplaintWithdrawnData;
        await em.update(DisputeView, { disputeId }, { status: 'withdrawn', reviewDueAt: null, outcome: null, remedy: null, withdrawal: { reason, withdrawnAt }, ...touch });
        return;
      }
    }
  }

  async clear(em: EntityManager): Promise<void> {
    await em.clear(DisputeView);
  }
}
