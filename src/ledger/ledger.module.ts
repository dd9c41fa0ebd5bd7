// Composition root of the ledger: config, the event store, the read-model database and the projection runner.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Global, Inject, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { getDataSourceToken, TypeOrmModule } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../config.js';
import { DisputesProjection } from '../disputes/disputes.projection.js';
import { RightsProjection } from '../settlement/rights.projection.js';
import { FilingsProjection } from '../projections/filings.projection.js';
import { PrincipalsProjection } from '../projections/principals.projection.js';
import { ProjectionRunner } from '../projections/projection-runner.js';
import { openReadModels, readModelOptions } from '../projections/read-store.js';
import type { EventStore } from './event-store.port.js';
import { LedgerWriter } from './ledger-writer.js';
import { LedgerController } from './ledger.controller.js';
import { EVENT_STORE, MERKLE_LOG, SIGNING_KEY } from './ledger.tokens.js';
import { PostgresLeadership, SoleLeadership, type LogLeadership } from './log-leadership.js';
import { MerkleLog } from './merkle-log.js';
import { MERKLE_TREE_STORE, SqliteMerkleTreeStore, type MerkleTreeStore } from './merkle-tree.store.js';
import { PostgresMerkleTreeStore } from './postgres-merkle-tree.store.js';
import { loadSigningKey, type SigningKey } from './signing-key.js';
import { nativeSha256 } from './native-sha256.js';
import { PostgresEventStore } from './postgres-event-store.js';
import { SqliteEventStore } from './sqlite-event-store.js';

export async function openEventStore(config: AppConfig): Promise<EventStore> {
  switch (config.store) {
    case 'sqlite':
      mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
      return SqliteEventStore.open(join(config.dataDir, 'events.sqlite'), { synchronous: config.sqliteSynchronous, sha256: nativeSha256 });
    case 'postgres':
      if (!config.databaseUrl) throw new Error('DATABASE_URL is required when LEDGER_STORE=postgres');
      return PostgresEventStore.open(config.databaseUrl, { schema: config.databaseSchema, sha256: nativeSha256 });
    case 'eventstoredb': {
      if (!config.eventstoreUrl) throw new Error('EVENTSTORE_URL is required when LEDGER_STORE=eventstoredb');
      // Loaded only here: the gRPC client weighs some 25 MB of memory that the other stores never use.
      const { EventStoreDbEventStore } = await import('./eventstoredb-event-store.js');
      return EventStoreDbEventStore.open(config.eventstoreUrl, { prefix: config.eventstorePrefix, sha256: nativeSha256 });
    }
  }
}

/** Where the log sequencer keeps its tree and checkpoints: beside the events, so every instance on a shared store sees one tree. */
export async function openMerkleTreeStore(config: AppConfig): Promise<MerkleTreeStore> {
  if (config.store === 'sqlite') return SqliteMerkleTreeStore.open(join(config.dataDir, 'merkle.sqlite'));
  if (!config.databaseUrl) throw new Error(`DATABASE_URL is required when LEDGER_STORE=${config.store} (read models and the Merkle tree live in PostgreSQL)`);
  return PostgresMerkleTreeStore.open(config.databaseUrl, config.databaseSchema);
}

/** One process owns an embedded store; instances sharing PostgreSQL elect the sequencer by advisory lock. */
export function logLeadership(config: AppConfig): LogLeadership {
  if (config.store === 'sqlite') return new SoleLeadership();
  return new PostgresLeadership(config.databaseUrl!, { schema: config.databaseSchema, retryMs: config.sequencerRetryMs });
}

const PROJECTIONS = [FilingsProjection, PrincipalsProjection, DisputesProjection, RightsProjection];

class LedgerLifecycle implements OnApplicationShutdown {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(ProjectionRunner) private readonly runner: ProjectionRunner,
    @Inject(MERKLE_LOG) private readonly log: MerkleLog,
    @Inject(MERKLE_TREE_STORE) private readonly tree: MerkleTreeStore,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    this.runner.stop();
    await this.log.stop(); // gives the sequencer role up (a follower takes it) before the tree store closes
    await this.tree.close();
    await this.store.close();
  }
}

@Global()
@Module({})
export class LedgerModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: LedgerModule,
      controllers: [LedgerController],
      imports: [TypeOrmModule.forRootAsync({
        useFactory: () => { mkdirSync(config.dataDir, { recursive: true, mode: 0o700 }); return readModelOptions(config); },
        dataSourceFactory: (options) => openReadModels(options!),
      })],
      providers: [
        { provide: APP_CONFIG, useValue: config },
        { provide: EVENT_STORE, useFactory: () => openEventStore(config) },
        ...PROJECTIONS,
        {
          provide: ProjectionRunner,
          inject: [EVENT_STORE, getDataSourceToken(), ...PROJECTIONS],
          useFactory: (store: EventStore, db: DataSource, ...projections: FilingsProjection[]) => new ProjectionRunner(store, db, projections),
        },
        { provide: SIGNING_KEY, useFactory: () => { mkdirSync(config.dataDir, { recursive: true, mode: 0o700 }); return loadSigningKey(config.dataDir, config.signingKey); } },
        // After the event store: on PostgreSQL it creates the shared schema first.
        { provide: MERKLE_TREE_STORE, inject: [EVENT_STORE], useFactory: () => openMerkleTreeStore(config) },
        {
          provide: MERKLE_LOG,
          inject: [EVENT_STORE, MERKLE_TREE_STORE, SIGNING_KEY],
          useFactory: (store: EventStore, tree: MerkleTreeStore, key: SigningKey) => new MerkleLog(store, tree, key, config.origin, nativeSha256, {
            leadership: logLeadership(config), followerWaitMs: config.sequencerWaitMs,
          }),
        },
        LedgerWriter,
        LedgerLifecycle,
      ],
      exports: [APP_CONFIG, EVENT_STORE, MERKLE_LOG, SIGNING_KEY, ProjectionRunner, LedgerWriter],
    };
  }
}
