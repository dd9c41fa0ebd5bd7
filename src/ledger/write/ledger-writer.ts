// Every command's write path: decide, append durably, then wait until the read models show it (read-your-writes).
import { Inject, Injectable } from '@nestjs/common';
import { withIdempotencyToken } from '../../common/idempotency-context.js';
import { eventsAppended } from '../../common/metrics.js';
import { ProjectionRunner } from '../read-models/projection-runner.js';
import type { JsonObject } from '../../verifier/envelope.js';
import { decideAndAppend } from './aggregate-stream.js';
import type { Decider, DomainEvent } from '../decider.js';
import type { AppendResult, EventStore, StreamAppend } from '../event-store/event-store.port.js';
import { EVENT_STORE } from '../ledger.tokens.js';

@Injectable()
export class LedgerWriter {
  constructor(@Inject(EVENT_STORE) readonly store: EventStore, private readonly projections: ProjectionRunner) {}

  async execute<C, E extends DomainEvent, S>(
    stream: string,
    decider: Decider<C, E, S>,
    command: C,
    meta: JsonObject,
    extra?: (events: E[], state: S) => StreamAppend[],
  ): Promise<AppendResult> {
    const result = await decideAndAppend(this.store, stream, decider, command, withIdempotencyToken(meta), extra);
    for (const e of result.events) eventsAppended.inc({ type: e.type });
    await this.projections.waitFor(result.lastPosition);
    return result;
  }
}
