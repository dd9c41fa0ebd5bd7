// The rights register read model: after every event that can change a right, the right is recomputed by the pure rules
// as of that event (from the store's events up to its leaf), so a rebuild gives the same rows.
import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { EventStore } from '../ledger/event-store.port.js';
import { EVENT_STORE } from '../ledger/ledger.tokens.js';
import { DisputeView } from '../projections/dispute-view.entity.js';
import type { Projection } from '../projections/projection.js';
import { RightView } from '../projections/right-view.entity.js';
import type { EventEnvelope } from '../verifier/envelope.js';
import { eventInstant, RIGHTS_EVENT_TYPES, rightOf, type Right, type RightsSettledData } from '../verifier/rights-rules.js';
import { loadRightEvents } from './right-events.js';

export const rightRow = (r: Right, leafIndex: number, lastLeafIndex: number): RightView => ({
  filingId: r.filingId, creator: r.creator, holder: r.holder, status: r.status, rule: r.rule, cause: r.cause, since: r.since, flags: r.flags,
  disputed: r.flags.includes('disputed'), labelOverdue: r.flags.includes('labelOverdue'), similarityReview: r.flags.includes('similarityReview'),
  probation: r.flags.includes('probation'), nearDuplicates: r.similarity?.candidates.length ?? 0, similarityDecision: r.similarity?.review ?? null,
  probationDecision: r.probation?.review ?? null, policyVersion: r.policyVersion, filedAt: r.filedAt, labelDueAt: r.labelDueAt, quietUntil: r.quietUntil,
  labelsDeclaredAt: r.labelsDeclaredAt, confirmedAt: r.confirmedAt, expiresAt: r.expiresAt, asOf: r.asOf, leafIndex, lastLeafIndex,
});

/** Events without a filingId whose dispute names it. */
const BY_DISPUTE = new Set(['AppealFiled']);

@Injectable()
export class RightsProjection implements Projection {
  readonly name = 'rights';

  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async apply(e: EventEnvelope, em: EntityManager): Promise<void> {
    if (!RIGHTS_EVENT_TYPES.has(e.type) && !BY_DISPUTE.has(e.type)) return;
    const instant = eventInstant(e) ?? e.recordedAt;
    if (e.type === 'RightsSettled') {
      const d = e.data as RightsSettledData;
      for (const c of d.changes) await this.recompute(c.filingId, e.leafIndex, d.asOf, em);
      return;
    }
    let filingId = typeof e.data.filingId === 'string' ? e.data.filingId : null;
    if (!filingId && BY_DISPUTE.has(e.type)) filingId = (await em.findOneBy(DisputeView, { disputeId: String(e.data.disputeId) }))?.filingId ?? null;
    if (filingId) await this.recompute(filingId, e.leafIndex, instant, em);
  }

  /** The right as of `instant` (never earlier than the row's own), from the events up to `leafIndex`. */
  private async recompute(filingId: string, leafIndex: number, instant: string, em: EntityManager): Promise<void> {
    const row = await em.findOneBy(RightView, { filingId });
    const asOf = row && row.asOf > instant ? row.asOf : instant;
    const events = await loadRightEvents(this.store, em, filingId, leafIndex);
    const right = rightOf(events, filingId, asOf);
    if (!right) return;
    const filed = events.find((x) => x.type === 'WorkFiled')!;
    await em.save(RightView, rightRow(right, filed.leafIndex, leafIndex));
  }

  async clear(em: EntityManager): Promise<void> {
    await em.clear(RightView);
  }
}
