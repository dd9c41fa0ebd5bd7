// The shape of every aggregate: pure decide/evolve over domain events.
import type { JsonObject } from '../verifier/envelope.js';

export interface DomainEvent<T extends string = string, D extends JsonObject = JsonObject> {
  type: T;
  data: D;
}

export interface Decider<C, E extends DomainEvent, S> {
  initialState: () => S;
  evolve: (state: S, event: E) => S;
  /** Pure: returns the new events or throws a DomainError. */
  decide: (command: C, state: S) => E[];
}

export const fold = <E extends DomainEvent, S>(decider: Pick<Decider<unknown, E, S>, 'initialState' | 'evolve'>, events: E[]): S =>
  events.reduce(decider.evolve, decider.initialState());
