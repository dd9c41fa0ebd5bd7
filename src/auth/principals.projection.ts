import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { ApiKeyIssued, ApiKeyRevoked, PrincipalRegistered } from './identity.events.js';
import type { EventEnvelope } from '../verifier/envelope.js';
import { ReadModelProjection, type Projection } from '../ledger/read-models/projection.js';
import { ApiKeyView, PrincipalView } from './principal-view.entity.js';
import type { BatchRows } from '../ledger/read-models/row-batch.js';

@ReadModelProjection()
@Injectable()
export class PrincipalsProjection implements Projection {
  readonly name = 'principals';
  readonly handles = ['PrincipalRegistered', 'ApiKeyIssued', 'ApiKeyRevoked'];

  async applyBatch(events: readonly EventEnvelope[], _em: EntityManager, batch: BatchRows): Promise<void> {
    const principals = batch.of(PrincipalView, 'principalId');
    const keys = batch.of(ApiKeyView, 'keyId');
    const issued = new Set(events.filter((e) => e.type === 'ApiKeyIssued').map((e) => String(e.data.keyId)));
    await keys.load(events.filter((e) => e.type === 'ApiKeyRevoked' && !issued.has(String(e.data.keyId))).map((e) => String(e.data.keyId)));
    for (const e of events) {
      switch (e.type) {
        case 'PrincipalRegistered': {
          const d = e.data as PrincipalRegistered['data'];
          principals.insert({
            principalId: d.principalId,
            name: d.name,
            roles: d.roles,
            isAdmin: d.roles.includes('admin'),
            registeredAt: d.registeredAt,
          });
          break;
        }
        case 'ApiKeyIssued': {
          const d = e.data as ApiKeyIssued['data'];
          keys.insert({
            keyId: d.keyId,
            keyHash: d.keyHash,
            principalId: d.principalId,
            issuedAt: d.issuedAt,
            revokedAt: null,
            expiresAt: d.expiresAt ?? null,
          });
          break;
        }
        case 'ApiKeyRevoked': {
          const d = e.data as ApiKeyRevoked['data'];
          keys.update(d.keyId, { revokedAt: d.revokedAt });
          break;
        }
      }
    }
    // Principals first: the order single inserts had.
  }

  async clear(em: EntityManager): Promise<void> {
    await em.clear(ApiKeyView);
    await em.clear(PrincipalView);
  }
}
