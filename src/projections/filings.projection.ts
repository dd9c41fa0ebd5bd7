import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { fold } from '../ledger/decider.js';
import type { EventStore } from '../ledger/event-store.port.js';
import { EVENT_STORE } from '../ledger/ledger.tokens.js';
import { policyDecider, policyInForce } from '../settlement/policy.decider.js';
import { POLICY_STREAM, type PolicyPublished } from '../settlement/settlement.events.js';
import type { WorkFiledData } from '../filing/filing.events.js';
import { labelStateAfterCheck, TIER_DECLARED_ONLY, type LabelFileCheckedData, type LabelsDeclaredData } from '../labeling/labeling.events.js';
import type { EventEnvelope } from '../verifier/envelope.js';
import { addDays } from './policy.js';
import type { Projection } from './projection.js';
import { FilingView } from './read-model.entities.js';
import { RowBatch } from './row-batch.js';

/** Events that change an existing filing row. */
const UPDATES = new Set(['FilingWithdrawn', 'LabelsDeclared', 'LabelFileChecked']);

@Injectable()
export class FilingsProjection implements Projection {
  readonly name = 'filings';
  /** The `policy` stream as last read, complete for every leaf below `completeBelow` (a rebuild reads it once). */
  private policy: { events: EventEnvelope[]; completeBelow: number } = { events: [], completeBelow: 0 };

  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  /** labelGraceDays of the policy version in force at the filing time, from the versions published before the filing. */
  private async labelGraceDays(filedAt: string, leafIndex: number): Promise<number> {
    if (leafIndex >= this.policy.completeBelow) {
      const completeBelow = await this.store.count();
      this.policy = { events: await this.store.readStream(POLICY_STREAM), completeBelow };
    }
    const published = this.policy.events.filter((p) => p.type === 'PolicyPublished' && p.leafIndex < leafIndex) as unknown as PolicyPublished[];
    return policyInForce(fold(policyDecider, published), new Date(filedAt)).labelGraceDays;
  }

  async applyBatch(events: readonly EventEnvelope[], em: EntityManager): Promise<void> {
    const rows = new RowBatch(em, FilingView, 'filingId');
    const filed = new Set(events.filter((e) => e.type === 'WorkFiled').map((e) => (e.data as WorkFiledData).filingId));
    await rows.load(events.filter((e) => UPDATES.has(e.type) && !filed.has(String(e.data.filingId))).map((e) => String(e.data.filingId)));
    for (const e of events) await this.apply(e, rows);
    await rows.flush();
  }

  private async apply(e: EventEnvelope, rows: RowBatch<FilingView>): Promise<void> {
    switch (e.type) {
      case 'WorkFiled': {
        const d = e.data as WorkFiledData;
        rows.insert({
          filingId: d.filingId, contentHash: d.contentHash, contentType: d.contentType, title: d.title,
          creator: d.creator, status: 'active', filedAt: d.filedAt, leafIndex: e.leafIndex, eventHash: e.hash,
          generation: d.generation, processEvidence: d.processEvidence, perceptualHash: d.perceptualHash,
          labelState: 'none', labelDueAt: addDays(d.filedAt, await this.labelGraceDays(d.filedAt, e.leafIndex)), withdrawnAt: null, withdrawReason: null,
          labelTier: null, labels: null, labelCheck: null,
        } as FilingView);
        return;
      }
      case 'FilingWithdrawn': {
        const d = e.data as { filingId: string; reason: string | null; withdrawnAt: string };
        rows.update(d.filingId, { status: 'withdrawn', withdrawnAt: d.withdrawnAt, withdrawReason: d.reason });
        return;
      }
      case 'LabelsDeclared': {
        // A new declaration is "declared" until a file check matches it.
        const { filingId, ...labels } = e.data as LabelsDeclaredData;
        rows.update(filingId, { labelState: 'declared', labelTier: TIER_DECLARED_ONLY, labels });
        return;
      }
      case 'LabelFileChecked': {
        const { filingId, ...check } = e.data as LabelFileCheckedData;
        rows.update(filingId, { labelState: labelStateAfterCheck(check), labelTier: check.tier, labelCheck: { ...check, leafIndex: e.leafIndex } });
        return;
      }
    }
  }

  async clear(em: EntityManager): Promise<void> {
    await em.clear(FilingView);
  }
}
