import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { IsNull } from 'typeorm';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { Unsubscribe } from '../ledger/event-store/event-store.port.js';
import { ProjectionRunner } from '../ledger/read-models/projection-runner.js';
import { ApiKeyView, PrincipalView } from './principal-view.entity.js';
import { hashApiKey } from './api-key.js';
import type { Principal } from '../common/access.js';
import type { Role } from './identity.events.js';

const CACHED_KEYS = 10_000;

@Injectable()
export class AuthService implements OnModuleDestroy {
  /**
   * Live keys by hash, so a request costs no read-model lookup. Only on the embedded store, where this process applies
   * every event: the runner drops a key before a revocation is answered. (Instances sharing PostgreSQL read the table.)
   */
  private readonly live = new Map<string, Principal>();
  /** Bumped on every invalidation: a lookup that began before one must not cache what it read. */
  private generation = 0;
  private readonly unsubscribe: Unsubscribe | undefined;

  constructor(@InjectDataSource() private readonly db: DataSource, runner: ProjectionRunner) {
    if (db.options.type !== 'better-sqlite3') return;
    this.unsubscribe = runner.onApplied((events) => {
      for (const e of events) {
        if (e.type === 'ApiKeyRevoked') this.forget((p) => p.keyId === e.data.keyId);
        else if (/^(Principal|ApiKey|Role)/.test(e.type) && e.type !== 'ApiKeyIssued') this.forget(() => true); // anything else about who may act
      }
    });
  }

  onModuleDestroy(): void {
    this.unsubscribe?.();
  }

  private forget(which: (p: Principal) => boolean): void {
    this.generation++;
    for (const [hash, p] of this.live) if (which(p)) this.live.delete(hash);
  }

  /** The principal behind a live (unrevoked) key, or null. */
  async authenticate(key: string): Promise<Principal | null> {
    const keyHash = hashApiKey(key);
    const cached = this.live.get(keyHash);
    if (cached) return { ...cached, roles: [...cached.roles] };
    const generation = this.generation;
    const apiKey = await this.db.getRepository(ApiKeyView).findOneBy({ keyHash, revokedAt: IsNull() });
    if (!apiKey) return null;
    const principal = await this.db.getRepository(PrincipalView).findOneBy({ principalId: apiKey.principalId });
    if (!principal) return null;
    const found: Principal = { principalId: principal.principalId, name: principal.name, roles: principal.roles as Role[], keyId: apiKey.keyId };
    if (this.unsubscribe && generation === this.generation) {
      if (this.live.size >= CACHED_KEYS) this.live.delete(this.live.keys().next().value!);
      this.live.set(keyHash, { ...found, roles: [...found.roles] });
    }
    return found;
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
