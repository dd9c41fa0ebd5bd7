import type { EntityManager } from 'typeorm';
import type { EventEnvelope } from '../verifier/envelope.js';

/** A read model: a handler on the one projection runner, applied in log order inside the runner's transaction. */
export interface Projection {
  readonly name: string;
  apply(event: EventEnvelope, em: EntityManager): Promise<void>;
  /** Deletes every row this projection owns (before a rebuild). */
  clear(em: EntityManager): Promise<void>;
}
