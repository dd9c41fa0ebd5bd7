import { DiscoveryService } from '@nestjs/core';
import type { EntityManager, EntityTarget, ObjectLiteral } from 'typeorm';
import type { EventEnvelope } from '../../verifier/envelope.js';
import type { BatchRows } from './row-batch.js';

/**
 * A read model: a handler on the one projection runner. It applies consecutive events of the log, in order, inside the
 * runner's transaction; applying a batch must leave the same rows as applying its events one batch each. It changes
 * rows through the batch's `rows`, which the runner writes once every projection has applied the batch.
 */
export interface Projection {
  readonly name: string;
  /** The event types this projection reads (its declaration of what it handles; a batch is given whole, in log order). */
  readonly handles: readonly string[];
  /** Names of the projections whose rows this one reads while applying: the runner applies each batch to them first. */
  readonly after?: readonly string[];
  applyBatch(events: readonly EventEnvelope[], em: EntityManager, rows: BatchRows): Promise<void>;
  /**
   * Tables whose non-unique indexes this projection never reads while applying: a rebuild on SQLite fills them without
   * those indexes and creates them at its end.
   */
  readonly rebuiltWithoutIndexes?: ReadonlyArray<EntityTarget<ObjectLiteral>>;
  /** Deletes every row this projection owns (before a rebuild). */
  clear(em: EntityManager): Promise<void>;
}

/**
 * Marks a provider as a read model of the one projection runner: the module that owns the read model provides it, and
 * the runner finds every marked provider when the application starts.
 */
export const ReadModelProjection = DiscoveryService.createDecorator<void>();

/** The projections in an order that applies every projection after those it names in `after`; refuses unknown names and cycles. */
export function orderProjections(projections: readonly Projection[]): Projection[] {
  const byName = new Map(projections.map((p) => [p.name, p]));
  if (byName.size !== projections.length) throw new Error('two projections share a name');
  const ordered: Projection[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (p: Projection, path: string[]): void => {
    if (state.get(p.name) === 'done') return;
    if (state.get(p.name) === 'visiting') throw new Error(`projections depend on each other: ${[...path, p.name].join(' -> ')}`);
    state.set(p.name, 'visiting');
    for (const name of p.after ?? []) {
      const dependency = byName.get(name);
      if (!dependency) throw new Error(`projection ${p.name} runs after ${name}, which is not registered`);
      visit(dependency, [...path, p.name]);
    }
    state.set(p.name, 'done');
    ordered.push(p);
  };
  for (const p of projections) visit(p, []);
  return ordered;
}
