// The copies read model: a row per registered distribution copy, for the public lookup by hash.
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { CopyView } from '../filing/copy-view.entity.js';
import { ReadModelProjection, type Projection } from '../ledger/read-models/projection.js';
import type { EventEnvelope } from '../verifier/envelope.js';
import type { CopyRegisteredData } from './labeling.events.js';

@ReadModelProjection()
@Injectable()
export class CopiesProjection implements Projection {
  readonly name = 'copies';
  readonly handles = ['CopyRegistered'];

  async applyBatch(events: readonly EventEnvelope[], em: EntityManager): Promise<void> {
    const rows = events
      .filter((e) => e.type === 'CopyRegistered')
      .map((e) => {
        const d = e.data as CopyRegisteredData;
        return {
          leafIndex: e.leafIndex,
          sha256: d.copy.sha256,
          filingId: d.filingId,
          registeredAt: d.registeredAt,
          eventHash: e.hash,
          perceptualHash: d.copy.perceptualHash,
          distance: d.distance,
        };
      });
    if (rows.length) await em.insert(CopyView, rows);
  }

  async clear(em: EntityManager): Promise<void> {
    await em.clear(CopyView);
  }
}
