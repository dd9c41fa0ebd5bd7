import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { ApiKeyIssued, ApiKeyRevoked, PrincipalRegistered } from '../auth/identity.events.js';
import type { EventEnvelope } from '../verifier/envelope.js';
import type { Projection } from './projection.js';
import { ApiKeyView, PrincipalView } from './read-model.entities.js';

@Injectable()
export class PrincipalsProjection implements Projection {
  readonly name = 'principals';

  async apply(e: EventEnvelope, em: EntityManager): Promise<void> {
    switch (e.type) {
      case 'PrincipalRegistered': {
        const d = e.data as PrincipalRegistered['data'];
        await em.insert(PrincipalView, { principalId: d.principalId, name: d.name, roles: d.roles, isAdmin: d.roles.includes('admin'), registeredAt: d.registeredAt });
        return;
      }
      case 'ApiKeyIssued': {
        const d = e.data as ApiKeyIssued['data'];
        await em.insert(ApiKeyView, { keyId: d.keyId, keyHash: d.keyHash, principalId: d.principalId, issuedAt: d.issuedAt, revokedAt: null });
        return;
      }
      case 'ApiKeyRevoked': {
        const d = e.data as ApiKeyRevoked['data'];
        await em.update(ApiKeyView, { keyId: d.keyId }, { revokedAt: d.revokedAt });
        return;
      }
    }
  }

  async clear(em: EntityManager): Promise<void> {
    await em.clear(ApiKeyView);
    await em.clear(PrincipalView);
  }
}
