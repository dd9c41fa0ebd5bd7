import { Controller, Get, Header, Inject, ServiceUnavailableException, type OnModuleInit } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { ApiTags } from '@nestjs/swagger';
import { ApiRoute } from '../common/api-docs.js';
import { DomainError } from '../common/domain-error.js';
import { HealthDto, LivenessDto } from './ledger-responses.dto.js';
import { Public } from '../common/access.js';
import type { EventStore } from './event-store/event-store.port.js';
import { EVENT_STORE } from './ledger.tokens.js';
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
  ) {}

  onModuleInit(): void {
    this.checks = this.discovery.getProviders({ metadataKey: ReadinessCheck.KEY }).map((w) => w.instance as Readiness);
  }

  /**
   * Readiness: the event store answers, and every provider marked @ReadinessCheck() says this instance can serve (503
   * with its refusal otherwise, e.g. ruleset-unknown).
   */
  @ApiRoute({ summary: 'Readiness', answer: HealthDto, problems: ['unavailable', 'ruleset-unknown'] })
  @Get('health')
  @ReadsNoReadModels()
  async health() {
    try {
      await this.store.ping();
      const logSize = await this.store.count();
      for (const check of this.checks) await check.ready();
      return { status: 'ok', store: 'up', logSize, projectedTo: this.projections.position };
    } catch (err) {
      if (err instanceof DomainError) throw err; // a check's refusal, as the requests it refuses get it
      throw new ServiceUnavailableException('the event store does not answer');
    }
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
