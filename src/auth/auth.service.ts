import { Injectable } from '@nestjs/common';
import { IsNull } from 'typeorm';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { ApiKeyView, PrincipalView } from '../projections/read-model.entities.js';
import { hashApiKey } from './api-key.js';
import type { Principal } from './auth.decorators.js';
import type { Role } from './identity.events.js';

@Injectable()
export class AuthService {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** The principal behind a live (unrevoked) key, or null. */
  async authenticate(key: string): Promise<Principal | null> {
    const apiKey = await this.db.getRepository(ApiKeyView).findOneBy({ keyHash: hashApiKey(key), revokedAt: IsNull() });
    if (!apiKey) return null;
    const principal = await this.db.getRepository(PrincipalView).findOneBy({ principalId: apiKey.principalId });
    if (!principal) return null;
    return { principalId: principal.principalId, name: principal.name, roles: principal.roles as Role[], keyId: apiKey.keyId };
  }

  async adminExists(): Promise<boolean> {
    return (await this.db.getRepository(PrincipalView).countBy({ isAdmin: true })) > 0;
  }

  async principal(principalId: string): Promise<PrincipalView | null> {
    return this.db.getRepository(PrincipalView).findOneBy({ principalId });
  }

  async key(keyId: string): Promise<ApiKeyView | null> {
    return this.db.getRepository(ApiKeyView).findOneBy({ keyId });
  }
}
