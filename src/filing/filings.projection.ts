import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { fold } from '../ledger/decider.js';
import type { EventStore } from '../ledger/event-store/event-store.port.js';
import { EVENT_STORE } from '../ledger/ledger.tokens.js';
import { policyDecider, policyInForce, type PolicyState } from '../policy/policy.decider.js';
import { POLICY_STREAM, type PolicyPublished } from '../policy/policy.events.js';
import type { FilingAmended, WorkFiledData } from './filing.events.js';
import type { EventEnvelope } from '../verifier/envelope.js';
import { labelDueAt } from '../verifier/sandbox-policy.js';
import { ReadModelProjection, type Projection } from '../ledger/read-models/projection.js';
import { FilingView } from './filing-view.entity.js';
import type { BatchRows, RowBatch } from '../ledger/read-models/row-batch.js';

/** Events that change an existing filing row. */
const UPDATES = new Set(['FilingWithdrawn', 'FilingAmended']);

@ReadModelProjection()
@Injectable()
export class FilingsProjection implements Projection {
  readonly name = 'filings';
  readonly handles = ['WorkFiled', 'FilingWithdrawn', 'FilingAmended', 'PolicyPublished'];
  readonly rebuiltWithoutIndexes = [FilingView];
  /** The policy versions published before leaf `next` (-1: unknown, read again from the store). */
  private policy: { state: PolicyState; next: number } = { state: policyDecider.initialState(), next: -1 };

  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  /** The versions published before `leafIndex`: carried over from the last batch when this one follows it. */
  private async policyBefore(leafIndex: number): Promise<PolicyState> {
    if (leafIndex === this.policy.next) return this.policy.state;
    const published = (await this.store.readStream(POLICY_STREAM)).filter((e) => e.type === 'PolicyPublished' && e.leafIndex < leafIndex);
    return fold(policyDecider, published as unknown as PolicyPublished[]);
  }

  async applyBatch(events: readonly EventEnvelope[], _em: EntityManager, batch: BatchRows): Promise<void> {
    if (events.length === 0) return;
    const rows = batch.of(FilingView, 'filingId');
    const filed = new Set(events.filter((e) => e.type === 'WorkFiled').map((e) => (e.data as WorkFiledData).filingId));
    await rows.load(events.filter((e) => UPDATES.has(e.type) && !filed.has(String(e.data.filingId))).map((e) => String(e.data.filingId)));
    let policy = await this.policyBefore(events[0].leafIndex);
    this.policy.next = -1; // until this batch has been applied whole (a failed batch is applied again from its start)
    for (const e of events) {
      if (e.type === 'PolicyPublished' && e.stream === POLICY_STREAM)
        policy = policyDecider.evolve(policy, e as unknown as PolicyPublished);
      else this.apply(e, rows, policy);
    }
    this.policy = { state: policy, next: events[events.length - 1].leafIndex + 1 };
  }

  /** Applies one event to the batch's rows; `policy` holds the versions published before it. */
  private apply(e: EventEnvelope, rows: RowBatch<FilingView>, policy: PolicyState): void {
    switch (e.type) {
      case 'WorkFiled': {
        const d = e.data as WorkFiledData;
        rows.insert({
          filingId: d.filingId,
          contentHash: d.contentHash,
          contentType: d.contentType,
          title: d.title,
          creator: d.creator,
          status: 'active',
          filedAt: d.filedAt,
          leafIndex: e.leafIndex,
          eventHash: e.hash,
          generation: d.generation,
          processEvidence: d.processEvidence,
          perceptualHash: d.perceptualHash,
          file: d.file ?? null,
          labelState: 'none',
          labelDueAt: labelDueAt(d.filedAt, policyInForce(policy, new Date(d.filedAt))),
          withdrawnAt: null,
          withdrawReason: null,
          labelTier: null,
          labels: null,
          labelCheck: null,
          priorFilings: d.priorFilings ?? null,
          humanContributionNotes: null,
          amendedAt: null,
        } as FilingView);
        return;
      }
      case 'FilingAmended': {
        const d = e.data as FilingAmended['data'];
        const row = rows.get(d.filingId);
        if (!row) return;
        rows.update(d.filingId, {
          ...(d.title !== null ? { title: d.title } : {}),
          // Evidence added later says when, so a reader can tell it from what was declared at filing.
          ...(d.addedProcessEvidence.length
            ? { processEvidence: [...row.processEvidence, ...d.addedProcessEvidence.map((p) => ({ ...p, addedAt: d.amendedAt }))] }
            : {}),
          ...(d.humanContributionNote !== null
            ? { humanContributionNotes: [...(row.humanContributionNotes ?? []), d.humanContributionNote] }
            : {}),
          amendedAt: d.amendedAt,
        });
        return;
      }
      case 'FilingWithdrawn': {
        const d = e.data as { filingId: string; reason: string | null; withdrawnAt: string };
        rows.update(d.filingId, { status: 'withdrawn', withdrawnAt: d.withdrawnAt, withdrawReason: d.reason });
        return;
      }
    }
  }

  async clear(em: EntityManager): Promise<void> {
    await em.clear(FilingView);
  }
}
