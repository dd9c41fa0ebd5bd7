// The label columns of the filings read model: the declaration in force, the latest file check and the tier.
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { FilingView } from '../filing/filing-view.entity.js';
import { ReadModelProjection, type Projection } from '../ledger/read-models/projection.js';
import type { BatchRows } from '../ledger/read-models/row-batch.js';
import type { EventEnvelope } from '../verifier/envelope.js';
import { labelStateAfterCheck, TIER_DECLARED_ONLY, type LabelFileCheckedData, type LabelsDeclaredData } from './labeling.events.js';

const LABEL_EVENTS = new Set(['LabelsDeclared', 'LabelFileChecked']);

@ReadModelProjection()
@Injectable()
export class LabelsProjection implements Projection {
  readonly name = 'labels';
  readonly handles = [...LABEL_EVENTS];
  /** Changes the rows the filings projection inserts, in the same batch. */
  readonly after = ['filings'];

  async applyBatch(events: readonly EventEnvelope[], _em: EntityManager, batch: BatchRows): Promise<void> {
    const labelled = events.filter((e) => LABEL_EVENTS.has(e.type));
    if (labelled.length === 0) return;
    // The rows the filings projection inserted or read for this batch are in memory already.
    const rows = batch.of(FilingView, 'filingId');
    await rows.load(labelled.map((e) => String(e.data.filingId)));
    for (const e of labelled) {
      if (e.type === 'LabelsDeclared') {
        // A new declaration is "declared" until a file check matches it.
        const { filingId, ...labels } = e.data as LabelsDeclaredData;
        rows.update(filingId, { labelState: 'declared', labelTier: TIER_DECLARED_ONLY, labels });
      } else {
        const { filingId, ...check } = e.data as LabelFileCheckedData;
        const labelCheck = { ...check, leafIndex: e.leafIndex };
        // Verified stays so until the declaration changes: whatever a later check of another file finds (no label in the
        // filed original, which cannot carry the filing's id; a label that differs, in a file someone changed) is that
        // file's finding, recorded as the last check, not the filing's. As labelStatus in the decider.
        if (rows.get(filingId)?.labelState === 'verified' && labelStateAfterCheck(check) !== 'verified')
          rows.update(filingId, { labelCheck });
        else rows.update(filingId, { labelState: labelStateAfterCheck(check), labelTier: check.tier, labelCheck });
      }
    }
  }

  /** The filings projection clears the rows. */
  async clear(): Promise<void> {}
}
