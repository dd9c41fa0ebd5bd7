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
        /** The command is refused with `code`, and with these members of the problem (the values it names) where given. */
        thenThrows(code: string, extensions?: Record<string, unknown>): void {
          try {
            run();
          } catch (err) {
            if (err instanceof DomainError && err.code === code) {
              if (!extensions) return;
              const got = Object.fromEntries(Object.keys(extensions).map((k) => [k, err.extensions[k]]));
              if (JSON.stringify(got) === JSON.stringify(extensions)) return;
              throw new Error(`expected ${code} with ${JSON.stringify(extensions)}, got ${JSON.stringify(err.extensions)}`, { cause: err });
            }
            throw new Error(`expected DomainError ${code}, got ${(err as Error).message}`, { cause: err });
          }
          throw new Error(`expected DomainError ${code}, but the command was accepted`);
        },
      };
    },
  };
}
