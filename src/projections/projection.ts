import type { EntityManager, EntityTarget, ObjectLiteral } from 'typeorm';
import type { EventEnvelope } from '../verifier/envelope.js';

/**
 * A read model: a handler on the one projection runner. It applies consecutive events of the log, in order, inside the
 * runner's transaction; applying a batch must leave the same rows as applying its events one batch each.
 */
export interface Projection {
  readonly name: string;
  applyBatch(events: readonly EventEnvelope[], em: EntityManager): Promise<void>;
  /**
   * Tables whose non-unique indexes this projection never reads while applying: a rebuild on SQLite fills them without
   * those indexes and creates them at its end.
   */
  readonly rebuiltWithoutIndexes?: ReadonlyArray<EntityTarget<ObjectLiteral>>;
  /** Deletes every row this projection owns (before a rebuild). */
  clear(em: EntityManager): Promise<void>;
}
