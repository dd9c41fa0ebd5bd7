import { Controller, Get, Header, Inject, ServiceUnavailableException, type OnModuleInit } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { ApiTags } from '@nestjs/swagger';
import { ApiRoute } from '../common/api-docs.js';
import { DomainError } from '../common/domain-error.js';
import { HealthDto, LivenessDto } from './ledger-responses.dto.js';
import { Public } from '../common/access.js';
import type { EventStore } from './event-store/event-store.port.js';
import { EVENT_STORE, MERKLE_LOG } from './ledger.tokens.js';
import { APP_CONFIG, type AppConfig } from '../config.js';
import { witnessPolicy } from './log/attestors.js';
import type { MerkleLog } from './log/merkle-log.js';
import { MERKLE_TREE_STORE, type MerkleTreeStore } from './log/merkle-tree.store.js';
import { ProjectionRunner } from './read-models/projection-runner.js';
import { ReadsNoReadModels } from './read-models/read-your-writes.js';
import { ReadinessCheck, type Readiness } from './readiness.js';
import { metricsRegistry } from '../common/metrics.js';

@ApiTags('operations')
@Public()
@Controller()
export class OpsController implements OnModuleInit {
  private checks: Readiness[] = [];

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly projections: ProjectionRunner,
    @Inject(DiscoveryService) private readonly discovery: DiscoveryService,
    @Inject(MERKLE_LOG) private readonly log: MerkleLog,
    @Inject(MERKLE_TREE_STORE) private readonly tree: MerkleTreeStore,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.checks = this.discovery.getProviders({ metadataKey: ReadinessCheck.KEY }).map((w) => w.instance as Readiness);
  }

  /**
   * Readiness: the event store answers, and every provider marked @ReadinessCheck() says this instance can serve (503
   * with its refusal otherwise, e.g. ruleset-unknown). With it, what an operator watches: whether this instance is the
   * log's sequencer, the latest checkpoint, and how far each witness and the TSAs have attested, from the store (the
   * same on every instance). A witness or TSA behind does not make the instance unready: writes go on without them.
   */
  @ApiRoute({ summary: 'Readiness', answer: HealthDto, problems: ['unavailable', 'ruleset-unknown'] })
  @Get('health')
  @ReadsNoReadModels()
  async health() {
    let logSize: number;
    try {
      await this.store.ping();
      logSize = await this.store.count();
      for (const check of this.checks) await check.ready();
    } catch (err) {
      if (err instanceof DomainError) throw err; // a check's refusal, as the requests it refuses get it
      throw new ServiceUnavailableException('the event store does not answer');
    }
    // The proofs and checkpoints come from the tree's store: an instance that cannot read it cannot answer them.
    const log = await this.attested().catch(() => {
      throw new ServiceUnavailableException("the Merkle tree's store does not answer");
    });
    return { status: 'ok', store: 'up', logSize, projectedTo: this.projections.position, ...log };
  }

  /**
   * The log's side of /health: the sequencer, the latest checkpoint, and the attestations on the checkpoints. One
   * indexed lookup per witness and TSA, one after another: a probe takes one of the tree store's connections at a time.
   */
  private async attested() {
    const latest = await this.tree.latestCheckpoint();
    const attestedSize = async (kind: 'cosignature' | 'timestamp', source: string) =>
      (await this.tree.latestAttestation(kind, source))?.treeSize ?? null;
    const witnesses: Array<{ witness: string; cosignedSize: number | null }> = [];
    for (const witness of witnessPolicy(this.config)?.cosigners ?? [])
      witnesses.push({ witness, cosignedSize: await attestedSize('cosignature', witness) });
    // The TSAs' URLs are not published (they may hold credentials): the largest checkpoint any of them time-stamped.
    let timestampedSize: number | null = null;
    for (const url of this.config.tsaUrls) {
      const size = await attestedSize('timestamp', url);
      if (size !== null && (timestampedSize === null || size > timestampedSize)) timestampedSize = size;
    }
    return {
      sequencer: this.log.isSequencer,
      checkpoint: latest ? { treeSize: latest.treeSize, time: latest.time } : null,
      ...(witnesses.length > 0 && { witnesses }),
      ...(this.config.tsaUrls.length > 0 && { timestampedSize }),
    };
  }

  /**
   * Liveness alone: the process answers. It reads nothing (unless a Min-Position asks it to wait, as on any route), so a
   * liveness probe restarts an instance that stopped answering, not one that cannot serve for now (a store down, rules
   * newer than its build), which /health tells.
   */
  @ApiRoute({ summary: 'Liveness', answer: LivenessDto })
  @Get('health/live')
  @ReadsNoReadModels()
  live() {
    return { status: 'alive' };
  }

  @ApiRoute({
    summary: 'Prometheus metrics',
    answer: { mediaType: 'text/plain', schema: { type: 'string', description: 'Prometheus text exposition format' } },
  })
  @Get('metrics')
  @ReadsNoReadModels()
  @Header('content-type', 'text/plain; version=0.0.4')
  metrics() {
    return metricsRegistry.metrics();
  }
}
