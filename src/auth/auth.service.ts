import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { In, IsNull, Like, MoreThan, type DataSource, type FindOptionsWhere } from 'typeorm';
import type { Unsubscribe } from '../ledger/event-store/event-store.port.js';
import { ProjectionRunner } from '../ledger/read-models/projection-runner.js';
import { KeyedRead } from '../ledger/read-models/keyed-read.js';
import { ApiKeyView, PrincipalView } from './principal-view.entity.js';
import { hashApiKey } from './api-key.js';
import type { Principal } from '../common/access.js';
import { DomainError } from '../common/domain-error.js';
import type { Role } from './identity.events.js';

const CACHED_KEYS = 10_000;

const keyExpired = (at: string) =>
  new DomainError('unauthorized', 'key-expired', `the API key expired at ${at}; ask for a new one or issue one with another key`, {
    expiredAt: at,
  });

/** A live key and its principal (null columns: no such principal). */
interface KeyRow {
  keyHash: string;
  keyId: string;
  expiresAt: string | null;
  principalId: string | null;
  name: string | null;
  /** simple-json, as TypeORM stores it. */
  roles: string | null;
}

/** What the principal routes say of a principal (its row less the derived `isAdmin`). */
const summaryOf = (p: PrincipalView) => ({
  principalId: p.principalId,
  name: p.name,
  roles: p.roles as Role[],
  registeredAt: p.registeredAt,
});

@Injectable()
export class AuthService implements OnModuleDestroy {
  /**
   * Live keys by hash, so a request costs no read-model lookup. Only on the embedded store, where this process applies
   * every event: the runner drops a key before a revocation is answered. (Instances sharing PostgreSQL read the table.)
   */
  private readonly live = new Map<string, { principal: Principal; expiresAt: number }>();
  /** Bumped on every invalidation: a lookup that began before one must not cache what it read. */
  private generation = 0;
  private readonly unsubscribe: Unsubscribe | undefined;
  /** The key and its principal in one prepared statement (on PostgreSQL, the lookups of one turn of the event loop in one query). */
  private readonly keyReads: KeyedRead<KeyRow>;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    runner: ProjectionRunner,
  ) {
    this.keyReads = new KeyedRead<KeyRow>(
      db,
      'live-keys',
      (sql) => `SELECT k."keyHash", k."keyId", k."expiresAt", p."principalId", p."name", p."roles"
        FROM ${sql.table(ApiKeyView)} k LEFT JOIN ${sql.table(PrincipalView)} p ON p."principalId" = k."principalId"
        WHERE ${sql.key('k."keyHash"')} AND k."revokedAt" IS NULL`,
      (row) => row.keyHash,
    );
    if (db.options.type !== 'better-sqlite3') return;
    this.unsubscribe = runner.onApplied((events) => {
      for (const e of events) {
        if (e.type === 'ApiKeyRevoked') this.forget((p) => p.keyId === e.data.keyId);
        else if (/^(Principal|ApiKey|Role)/.test(e.type) && e.type !== 'ApiKeyIssued') this.forget(() => true); // anything else about who may act
      }
    });
  }

  async onModuleDestroy(): Promise<void> {
    this.unsubscribe?.();
    await this.keyReads.close(); // before the data source closes its pool
  }

  private forget(which: (p: Principal) => boolean): void {
    this.generation++;
    for (const [hash, entry] of this.live) if (which(entry.principal)) this.live.delete(hash);
  }

  /** The principal behind a live (unrevoked) key, or null; an expired key is refused with its own problem type. */
  async authenticate(key: string, now = Date.now()): Promise<Principal | null> {
    const keyHash = hashApiKey(key);
    const cached = this.held(keyHash, now);
    if (cached) return cached;
    const generation = this.generation;
    const [row] = await this.keyReads.read(keyHash);
    if (!row) return null;
    const expiresAt = row.expiresAt === null ? Infinity : Date.parse(row.expiresAt);
    if (now >= expiresAt) throw keyExpired(row.expiresAt!);
    if (row.principalId === null) return null;
    const found: Principal = {
      principalId: row.principalId,
      name: row.name!,
      roles: JSON.parse(row.roles!) as Role[],
      keyId: row.keyId,
      keyExpiresAt: row.expiresAt,
    };
    if (this.unsubscribe && generation === this.generation) {
      if (this.live.size >= CACHED_KEYS) this.live.delete(this.live.keys().next().value!);
      this.live.set(keyHash, { principal: { ...found, roles: [...found.roles] }, expiresAt });
    }
    return found;
  }

  /** The principal of a key this process holds as valid, without a read; null when it holds none. */
  heldPrincipal(key: string, now = Date.now()): Principal | null {
    return this.held(hashApiKey(key), now);
  }

  private held(keyHash: string, now: number): Principal | null {
    const cached = this.live.get(keyHash);
    if (!cached) return null;
    if (now >= cached.expiresAt) throw keyExpired(new Date(cached.expiresAt).toISOString());
    return { ...cached.principal, roles: [...cached.principal.roles] };
  }

  /** A principal and its keys, oldest first (hashes left out), or null when there is no such principal. */
  async principalWithKeys(principalId: string) {
    const principal = await this.principal(principalId);
    if (!principal) return null;
    return { ...summaryOf(principal), keys: await this.keysOf(principalId) };
  }

  /** A principal's keys, oldest first (hashes left out). */
  async keysOf(principalId: string): Promise<Array<Omit<ApiKeyView, 'keyHash'>>> {
    const keys = await this.db.getRepository(ApiKeyView).find({ where: { principalId }, order: { issuedAt: 'ASC', keyId: 'ASC' } });
    return keys.map(({ keyHash: _hash, ...key }) => key);
  }

  /**
   * The ids of the admin keys that do not expire (unrevoked, of a principal with the admin role): a key that expires
   * cannot issue one that outlives it, so without one of these the ledger would in time have no admin.
   */
  async lastingAdminKeys(): Promise<string[]> {
    const admins = await this.db.getRepository(PrincipalView).find({ select: { principalId: true }, where: { isAdmin: true } });
    if (admins.length === 0) return [];
    const keys = await this.db
      .getRepository(ApiKeyView)
      .findBy({ principalId: In(admins.map((a) => a.principalId)), revokedAt: IsNull(), expiresAt: IsNull() });
    return keys.map((k) => k.keyId);
  }

  async adminExists(): Promise<boolean> {
    return (await this.db.getRepository(PrincipalView).countBy({ isAdmin: true })) > 0;
  }

  /**
   * Principals by id, a page at a time; `role`: those holding it. An id is a UUIDv7, made by the instance that registered
   * the principal: about the order they were registered in, not the log's.
   */
  async principals(q: { role?: Role; limit?: number; cursor?: string }) {
    const limit = q.limit ?? 20;
    const where: FindOptionsWhere<PrincipalView> = {};
    // Roles are stored as a JSON array of their names (simple-json), which JSON writes as they are: none holds a quote, a
    // backslash or a LIKE wildcard (% or _), so a name in quotes matches that role and no other.
    if (q.role) where.roles = Like(`%"${q.role}"%`) as never;
    if (q.cursor) where.principalId = MoreThan(q.cursor);
    const rows = await this.db.getRepository(PrincipalView).find({ where, order: { principalId: 'ASC' }, take: limit + 1 });
    const page = rows.slice(0, limit);
    return {
      items: page.map(summaryOf),
      nextCursor: rows.length > limit ? page[page.length - 1].principalId : null,
    };
  }

  async principal(principalId: string): Promise<PrincipalView | null> {
    return this.db.getRepository(PrincipalView).findOneBy({ principalId });
  }

  async key(keyId: string): Promise<ApiKeyView | null> {
    return this.db.getRepository(ApiKeyView).findOneBy({ keyId });
  }
}
