// A reviewer's decision on a filing's similarityReview or probation flag. The flags themselves come from
// the rules (the right as of now), which the handler computes and passes in as a fact.
import { conflict, forbidden, invalid, notFound } from '../common/domain-error.js';
import type { FilingEvent } from '../filing/filing.events.js';
import type { Decider, DomainEvent } from '../ledger/decider.js';
import type { ReviewableFlag, ReviewDecision, Right } from '../verifier/rights-rules.js';
import type { FlagReviewed } from './settlement.events.js';

export interface FlagReviewState {
  filing: 'none' | 'active' | 'withdrawn';
  creator: string | null;
  reviews: Partial<Record<ReviewableFlag, { decision: ReviewDecision; reviewedAt: string }>>;
}

export type ReviewFlagCommand = {
  type: 'ReviewFlag';
  filingId: string;
  flag: ReviewableFlag;
  decision: ReviewDecision;
  reasoning: string;
  actor: string;
  /** The right as the rules give it now. */
  right: Right | null;
  now: Date;
};

type FilingStreamEvent = FilingEvent | FlagReviewed | DomainEvent;
const CLOSED = new Set(['withdrawn', 'revoked', 'transferred', 'expired']);

export const flagReviewDecider: Decider<ReviewFlagCommand, FilingStreamEvent, FlagReviewState> = {
  initialState: () => ({ filing: 'none', creator: null, reviews: {} }),

  evolve(state, event) {
    switch (event.type) {
      case 'WorkFiled':
        return { ...state, filing: 'active', creator: String(event.data.creator) };
      case 'FilingWithdrawn':
        return { ...state, filing: 'withdrawn' };
      case 'FlagReviewed': {
        const d = event.data as FlagReviewed['data'];
        return { ...state, reviews: { ...state.reviews, [d.flag]: { decision: d.decision, reviewedAt: d.reviewedAt } } };
      }
      default:
        return state;
    }
  },

  decide(c, state) {
    if (state.filing === 'none' || c.right === null) throw notFound('filing-not-found', `no filing ${c.filingId}`);
    if (state.creator === c.actor) throw forbidden('reviewer-is-creator', 'a reviewer cannot review a flag on their own filing');
    if (c.reasoning.trim() === '') throw invalid('reasoning-required', 'a review needs its reasoning');
    const prior = state.reviews[c.flag];
    if (prior)
      throw conflict('flag-already-reviewed', `the ${c.flag} flag was ${prior.decision} at ${prior.reviewedAt}`, {
        flag: c.flag,
        decision: prior.decision,
        reviewedAt: prior.reviewedAt,
      });
    if (CLOSED.has(c.right.status)) throw conflict('right-closed', `the right is ${c.right.status}; there is nothing left to review`);
    const raised = c.flag === 'similarityReview' ? c.right.similarity : c.right.probation;
    if (raised === null) {
      throw conflict(
        'flag-not-raised',
        c.flag === 'similarityReview'
          ? 'no earlier filing by someone else is within the similarity threshold of this one'
          : 'the creator was not on probation when this work was filed',
      );
    }
    if (c.flag === 'similarityReview' && c.right.similarity?.review === 'decided-by-dispute')
      throw conflict('flag-decided-by-dispute', 'a final dispute already decided the similarity question');
    return [
      {
        type: 'FlagReviewed',
        data: {
          filingId: c.filingId,
          flag: c.flag,
          decision: c.decision,
          reasoning: c.reasoning,
          reviewedBy: c.actor,
          reviewedAt: c.now.toISOString(),
        },
      },
    ];
  },
};
