// The one write path of the server: decide, append durably (tagged with the request's idempotency token and counted),
// and record the log position the request reached (its reads wait for the read models to cover it: read-your-writes);
// the request's writes come with each call (`WriteOptions.writes`).
// Lost races on an expected revision are retried here.
import { Inject, Injectable } from '@nestjs/common';
import { eventsAppended } from '../../common/metrics.js';
import type { EventEnvelope, JsonObject } from '../../verifier/envelope.js';
import type { Decider, DomainEvent } from '../decider.js';
import { ConcurrencyError, type AppendResult, type EventStore, type StreamAppend } from '../event-store/event-store.port.js';
import { EVENT_STORE } from '../ledger.tokens.js';
import { StaleTimeError } from '../event-store/event-admission.js';
import { ProjectionRunner } from '../read-models/projection-runner.js';
import { loadAggregate, toNewEvents } from './aggregate-stream.js';
import { recordWrite, withIdempotencyToken, type RequestWrites } from './request-writes.js';

/** A stored event whose type and data are those of the domain event it records. */
export type RecordedEvent<E extends DomainEvent = DomainEvent> = Omit<EventEnvelope, 'type' | 'data'> & {
  type: E['type'];
  data: E['data'];
};

/** What a command wrote: every stored event in log order, and those of the command's own stream typed. */
export interface Written<E extends DomainEvent> extends AppendResult {
  decided: RecordedEvent<E>[];
}

export interface WriteOptions {
  /**
   * Wait until the read models include the write before answering (default: no, the answer comes from the events; a
   * write that an in-memory cache of a read model must show at once, such as a revoked key, waits).
   */
  waitForReadModels?: boolean;
  /** Decide and append again this many times when another write to the stream wins the race (default: none). */
  retries?: number;
  /** The request this write is for: its Idempotency-Key token tags the events, and it learns the log position reached. */
  writes?: RequestWrites | null;
}

export interface ExecuteOptions<E extends DomainEvent, S> extends WriteOptions {
  /** The stream is named by an id made for this command: it is not read, and the append expects it not to exist. */
  newStream?: boolean;
  /**
   * Appends to other streams that commit atomically with the decided events, before them: a guard (a reservation, a mark)
   * whose expected revision must hold first where a store cannot commit several streams at once.
   */
  extra?: (events: E[], state: S) => StreamAppend[] | Promise<StreamAppend[]>;
  /** Appends to other streams that commit atomically with the decided events, after them: a consequence (a release). */
  then?: (events: E[], state: S) => StreamAppend[] | Promise<StreamAppend[]>;
}

@Injectable()
export class LedgerWriter {
  constructor(
    @Inject(EVENT_STORE) readonly store: EventStore,
    /** Absent where no read models run (the bench's dataset builder). */
    private readonly readModels?: ProjectionRunner,
  ) {}

  /** Loads the stream, decides the command against its state and appends the events at the revision it was loaded at. */
  execute<C, E extends DomainEvent, S>(
    stream: string,
    decider: Decider<C, E, S>,
    command: C,
    meta: JsonObject,
    options: ExecuteOptions<E, S> = {},
  ): Promise<Written<E>> {
    return this.retrying(options.retries ?? 0, async () => {
      const { state, expected } = options.newStream
        ? { state: decider.initialState(), expected: 'no-stream' as const }
        : await loadAggregate(this.store, stream, decider);
      const events = decider.decide(command, state);
      const extra = (await options.extra?.(events, state)) ?? [];
      const then = (await options.then?.(events, state)) ?? [];
      // The request's token marks the command's own events (a retry after a crash looks for them), not the extra ones.
      const result = await this.commit(
        [
          ...extra,
          { stream, expectedRevision: expected, events: toNewEvents(events, withIdempotencyToken(meta, options.writes)) },
          ...then,
        ],
        options,
      );
      return { ...result, decided: result.events.filter((e) => e.stream === stream) as RecordedEvent<E>[] };
    });
  }

  /** Resolves once the read models include the event at `position` (at once where no read models run). */
  async readModelsReach(position: number): Promise<void> {
    if (this.readModels) await this.readModels.waitFor(position);
  }

  /** Appends to one or more streams in one atomic commit: the only place the server calls the store to append. */
  append(appends: StreamAppend[], options: WriteOptions = {}): Promise<AppendResult> {
    const tagged = new Map<JsonObject, JsonObject>();
    const metaOf = (meta: JsonObject) => tagged.get(meta) ?? tagged.set(meta, withIdempotencyToken(meta, options.writes)).get(meta)!;
    return this.commit(
      appends.map((a) => ({ ...a, events: a.events.map((e) => ({ ...e, meta: metaOf(e.meta) })) })),
      options,
    );
  }

  private async commit(appends: StreamAppend[], options: WriteOptions): Promise<AppendResult> {
    const result = await this.store.appendMulti(appends);
    for (const e of result.events) eventsAppended.inc({ type: e.type });
    recordWrite(options.writes, result.lastPosition + 1);
    if (options.waitForReadModels && this.readModels) await this.readModels.waitFor(result.lastPosition);
    return result;
  }

  /**
   * Runs `attempt` again, up to `retries` more times, when it loses a race on an expected revision; and, for an attempt
   * that reads the time it states anew (`readsTime`), when its commit came too long after that time (StaleTimeError).
   */
  async retrying<T>(retries: number, attempt: () => Promise<T>, readsTime = false): Promise<T> {
    for (let tried = 0; ; tried++) {
      try {
        return await attempt();
      } catch (err) {
        const again = err instanceof ConcurrencyError || (readsTime && err instanceof StaleTimeError);
        if (!again || tried >= retries) throw err;
      }
    }
  }
}
