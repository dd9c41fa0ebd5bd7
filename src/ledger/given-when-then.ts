// Given / when / then for deciders: no database, no Nest.
import { DomainError } from '../common/domain-error.js';
import { fold, type Decider, type DomainEvent } from './decider.js';

export function given<C, E extends DomainEvent, S>(decider: Decider<C, E, S>, history: E[]) {
  return {
    when(command: C) {
      const run = () => decider.decide(command, fold(decider, history));
      return {
        then(expected: E[]): void {
          const events = run();
          if (JSON.stringify(events) !== JSON.stringify(expected)) {
            throw new Error(`expected events\n${JSON.stringify(expected, null, 1)}\nbut got\n${JSON.stringify(events, null, 1)}`);
          }
        },
        thenThrows(code: string): void {
          try {
            run();
          } catch (err) {
            if (err instanceof DomainError && err.code === code) return;
            throw new Error(`expected DomainError ${code}, got ${(err as Error).message}`, { cause: err });
          }
          throw new Error(`expected DomainError ${code}, but the command was accepted`);
        },
      };
    },
  };
}
