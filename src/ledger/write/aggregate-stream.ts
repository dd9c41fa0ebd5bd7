// Load a stream, fold it, decide, append with the stream's revision as the expectation.
import type { EventEnvelope, JsonObject } from '../../verifier/envelope.js';
import type { Decider, DomainEvent } from '../decider.js';
import type { EventStore, ExpectedRevision } from '../event-store/event-store.port.js';

export interface LoadedStream<S> {
  state: S;
  /** Revision to expect on append: the last revision, or `no-stream`. */
  expected: ExpectedRevision;
  events: EventEnvelope[];
}

export async function loadAggregate<E extends DomainEvent, S>(
  store: EventStore,
  stream: string,
  decider: Pick<Decider<unknown, E, S>, 'initialState' | 'evolve'>,
): Promise<LoadedStream<S>> {
  const events = await store.readStream(stream);
  const state = events.reduce((s, e) => decider.evolve(s, e as unknown as E), decider.initialState());
  return { state, expected: events.length === 0 ? 'no-stream' : events[events.length - 1].revision, events };
}

export const toNewEvents = (events: DomainEvent[], meta: JsonObject) => events.map((e) => ({ type: e.type, data: e.data, meta }));
