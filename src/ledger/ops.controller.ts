import { Controller, Get, Header, Inject, ServiceUnavailableException } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { ApiRoute } from '../common/api-docs.js';
import { HealthDto } from './ledger-responses.dto.js';
import { Public } from '../common/access.js';
import type { EventStore } from './event-store/event-store.port.js';
import { EVENT_STORE } from './ledger.tokens.js';
import { ProjectionRunner } from './read-models/projection-runner.js';
import { ReadsNoReadModels } from './read-models/read-your-writes.js';
import { metricsRegistry } from '../common/metrics.js';

@ApiTags('operations')
@Public()
@Controller()
export class OpsController {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly projections: ProjectionRunner,
  ) {}

  /** Liveness and readiness: the event store answers. */
  @ApiRoute({ summary: 'Liveness and readiness', answer: HealthDto, problems: ['unavailable'] })
  @Get('health')
  @ReadsNoReadModels()
  async health() {
    try {
      await this.store.ping();
      const logSize = await this.store.count();
      return { status: 'ok', store: 'up', logSize, projectedTo: this.projections.position };
    } catch {
      throw new ServiceUnavailableException('the event store does not answer');
    }
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
