// Composition of the ledger: config, the event store, the read-model database, the projection runner, the Merkle log
// and the one write path. Domain modules depend on it; it knows none of them (their read models register themselves).
import { mkdirSync } from 'node:fs';
import { Global, Inject, Module, type DynamicModule, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { DiscoveryModule, DiscoveryService } from '@nestjs/core';
import { getDataSourceToken, TypeOrmModule } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../config.js';
import type { EventStore } from './event-store/event-store.port.js';
import { openEventStore } from './event-store/open-event-store.js';
import { LedgerController } from './ledger.controller.js';
import { CHECKPOINT_ATTESTORS, EVENT_STORE, LOG_KEYS, MERKLE_LOG, ML_DSA_KEY, SIGNING_KEY } from './ledger.tokens.js';
import { type CheckpointAttestors, logKeys, startAttestors, witnessPolicy } from './log/attestors.js';
import { MerkleLog } from './log/merkle-log.js';
import { MERKLE_TREE_STORE, type MerkleTreeStore } from './log/merkle-tree.store.js';
import { logLeadership, openMerkleTreeStore } from './log/open-log.js';
import { loadMlDsaKey, loadSigningKey, type MlDsaKey, type SigningKey } from './log/signing-key.js';
import { nativeSha256 } from './native-sha256.js';
import { OpsController } from './ops.controller.js';
import { ReadModelProjection, type Projection } from './read-models/projection.js';
import { ProjectionRunner } from './read-models/projection-runner.js';
import { openReadModels, readModelOptions } from './read-models/read-store.js';
import { Idempotency } from './write/idempotency.js';
import { ReadYourWrites } from './read-models/read-your-writes.js';
import { LedgerWriter } from './write/ledger-writer.js';
import { isUnopenableFile } from './sqlite/open-file.js';
import { OpenedOnStart, StartAbandoned } from './opened-on-start.js';

class LedgerLifecycle implements OnModuleInit, OnApplicationShutdown {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(ProjectionRunner) private readonly runner: ProjectionRunner,
    @Inject(MERKLE_LOG) private readonly log: MerkleLog,
    @Inject(MERKLE_TREE_STORE) private readonly tree: MerkleTreeStore,
    @Inject(DiscoveryService) private readonly discovery: DiscoveryService,
    @Inject(CHECKPOINT_ATTESTORS) private readonly attestors: CheckpointAttestors,
  ) {}

  /** Every module's read models, found by their @ReadModelProjection() mark, join the runner before it starts. */
  onModuleInit(): void {
    const projections = this.discovery.getProviders({ metadataKey: ReadModelProjection.KEY }).map((w) => w.instance as Projection);
    this.runner.register(projections);
  }

  async onApplicationShutdown(): Promise<void> {
    this.runner.stop();
    this.attestors.stop();
    await this.log.stop(); // gives the sequencer role up (a follower takes it) before the tree store closes
    await this.tree.close();
    await this.store.close();
  }
}

/**
 * A factory that runs only once the providers it is given were made. Nest still calls the factory of a provider whose
 * dependency failed, with null in its place, so a start that failed on the event store went on to make the log's key
 * files and an empty tree; here it fails too, and makes nothing.
 */
const afterMade =
  <T>(make: () => T) =>
  (...made: unknown[]): T => {
    if (made.some((m) => m === null || m === undefined)) throw new Error('not made: a provider it depends on failed');
    return make();
  };

@Global()
@Module({})
export class LedgerModule {
  /** `opened`: where the stores the providers open are tracked, for the start to close if it fails while they are made. */
  static forRoot(config: AppConfig, opened = new OpenedOnStart()): DynamicModule {
    /** A log key, read from (or made once in) the data directory, after the providers it is injected with were made. */
    const keyIn = <T>(load: (dataDir: string) => T) =>
      afterMade(() => {
        if (opened.abandoned) throw new StartAbandoned(); // another provider failed meanwhile: no key file for a start that did not happen
        mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
        return load(config.dataDir);
      });
    return {
      module: LedgerModule,
      controllers: [LedgerController, OpsController],
      imports: [
        DiscoveryModule,
        TypeOrmModule.forRootAsync({
          // After the event store (then the Merkle tree's store, then the keys): a start refused for one of the stores' files
          // makes nothing after it.
          inject: [EVENT_STORE],
          useFactory: afterMade(() => {
            mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
            // A SQLite file that is not a database, or cannot be opened at all, will not be one a few seconds later: fail
            // at once rather than after @nestjs/typeorm's ten attempts three seconds apart (kept for anything else, such
            // as two offline commands migrating a new data directory together, and for PostgreSQL).
            // Nor once the start has failed elsewhere: a retry would open the database again.
            return {
              ...readModelOptions(config),
              autoLoadEntities: true,
              toRetry: (err: unknown) => !isUnopenableFile(err) && !opened.abandoned,
            };
          }),
          // Returned open: @nestjs/typeorm would initialise again a data source it finds closed.
          dataSourceFactory: (options) =>
            opened.open(
              () => openReadModels(options!, () => !opened.abandoned),
              (db) => db.destroy(),
            ),
        }),
      ],
      providers: [
        { provide: APP_CONFIG, useValue: config },
        {
          provide: EVENT_STORE,
          useFactory: () =>
            opened.open(
              () => openEventStore(config),
              (store) => store.close(),
            ),
        },
        {
          provide: ProjectionRunner,
          inject: [EVENT_STORE, getDataSourceToken()],
          useFactory: (store: EventStore, db: DataSource) => new ProjectionRunner(store, db),
        },
        // After the event store (on PostgreSQL it creates the shared schema first) and the read models.
        {
          provide: MERKLE_TREE_STORE,
          inject: [EVENT_STORE, getDataSourceToken()],
          useFactory: afterMade(() =>
            opened.open(
              () => openMerkleTreeStore(config),
              (tree) => tree.close(),
            ),
          ),
        },
        // The keys once the stores and the read models opened: a start that fails on one of them makes no key files.
        {
          provide: SIGNING_KEY,
          inject: [EVENT_STORE, MERKLE_TREE_STORE],
          useFactory: keyIn((dir) => loadSigningKey(dir, config.signingKey)),
        },
        // After the signing key: a start refused for that key's file makes no second key file.
        {
          provide: ML_DSA_KEY,
          inject: [EVENT_STORE, MERKLE_TREE_STORE, SIGNING_KEY],
          useFactory: keyIn((dir) => loadMlDsaKey(dir, config.mlDsaKey)),
        },
        {
          provide: MERKLE_LOG,
          inject: [EVENT_STORE, MERKLE_TREE_STORE, SIGNING_KEY, ML_DSA_KEY],
          useFactory: (store: EventStore, tree: MerkleTreeStore, key: SigningKey, mlDsa: MlDsaKey) =>
            new MerkleLog(store, tree, key, config.origin, nativeSha256, {
              leadership: logLeadership(config),
              followerWaitMs: config.sequencerWaitMs,
              mlDsa,
              witnesses: witnessPolicy(config),
            }),
        },
        {
          provide: LOG_KEYS,
          inject: [SIGNING_KEY, ML_DSA_KEY],
          useFactory: (key: SigningKey, mlDsa: MlDsaKey) => logKeys(config, key, mlDsa),
        },
        {
          provide: CHECKPOINT_ATTESTORS,
          inject: [MERKLE_LOG, MERKLE_TREE_STORE],
          useFactory: (log: MerkleLog, tree: MerkleTreeStore) => startAttestors(config, log, tree),
        },
        LedgerWriter,
        LedgerLifecycle,
        // Around every request: LedgerRequestGuard (registered after AuthGuard) and the server's onSend hook call them.
        ReadYourWrites,
        Idempotency,
      ],
      exports: [
        APP_CONFIG,
        EVENT_STORE,
        MERKLE_LOG,
        SIGNING_KEY,
        ML_DSA_KEY,
        LOG_KEYS,
        ProjectionRunner,
        LedgerWriter,
        ReadYourWrites,
        Idempotency,
      ],
    };
  }
}
