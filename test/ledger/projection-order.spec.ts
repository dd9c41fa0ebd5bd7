import 'reflect-metadata';
import type { DataSource } from 'typeorm';
import { PrincipalsProjection } from '../../src/auth/principals.projection.js';
import { DisputesProjection } from '../../src/disputes/disputes.projection.js';
import { FilingsProjection } from '../../src/filing/filings.projection.js';
import { LabelsProjection } from '../../src/labeling/labels.projection.js';
import { RightsProjection } from '../../src/settlement/rights.projection.js';
import type { EventStore } from '../../src/ledger/event-store/event-store.port.js';
import { orderProjections, type Projection } from '../../src/ledger/read-models/projection.js';
import { ProjectionRunner } from '../../src/ledger/read-models/projection-runner.js';

const projection = (name: string, ...after: string[]): Projection => ({
  name,
  handles: [],
  ...(after.length ? { after } : {}),
  applyBatch: async () => {},
  clear: async () => {},
});
const names = (projections: Projection[]) => projections.map((p) => p.name);

describe('orderProjections', () => {
  it('puts each projection after those it names, whatever the order they come in', () => {
    expect(names(orderProjections([projection('c', 'b'), projection('b', 'a'), projection('a')]))).toEqual(['a', 'b', 'c']);
    const application = [projection('labels', 'filings'), projection('rights', 'disputes'), projection('disputes'), projection('filings')];
    expect(names(orderProjections(application))).toEqual(['filings', 'labels', 'disputes', 'rights']);
  });

  it('keeps the order given among projections that do not depend on each other', () =>
    expect(names(orderProjections([projection('principals'), projection('filings'), projection('disputes')]))).toEqual([
      'principals',
      'filings',
      'disputes',
    ]));

  it('puts a projection several others run after once, before all of them', () =>
    expect(names(orderProjections([projection('x', 'base'), projection('y', 'base', 'x'), projection('base')]))).toEqual([
      'base',
      'x',
      'y',
    ]));

  it('refuses a projection that runs after one not registered', () =>
    expect(() => orderProjections([projection('rights', 'disputes'), projection('filings')])).toThrow(
      'projection rights runs after disputes, which is not registered',
    ));

  it('refuses projections that depend on each other, naming the cycle', () => {
    expect(() => orderProjections([projection('a', 'b'), projection('b', 'c'), projection('c', 'a')])).toThrow(
      'projections depend on each other: a -> b -> c -> a',
    );
    expect(() => orderProjections([projection('a', 'a')])).toThrow('projections depend on each other: a -> a');
  });

  it('refuses two projections of one name', () =>
    expect(() => orderProjections([projection('filings'), projection('filings')])).toThrow('two projections share a name'));
});

describe("ProjectionRunner over the application's read models", () => {
  // Ordering needs neither the store nor the database: the runner only keeps them until it starts.
  const store = {} as EventStore;
  const db = {} as DataSource;

  it('applies every batch to the read models in dependency order: labels after filings, rights after disputes', () => {
    const runner = new ProjectionRunner(store, db, [
      new RightsProjection(store),
      new LabelsProjection(),
      new PrincipalsProjection(),
      new DisputesProjection(),
      new FilingsProjection(store),
    ]);
    expect(runner.names).toEqual(['disputes', 'rights', 'filings', 'labels', 'principals']);
  });

  it('refuses a read model whose dependency is not registered', () =>
    expect(() => new ProjectionRunner(store, db, [new LabelsProjection()])).toThrow(
      'projection labels runs after filings, which is not registered',
    ));
});
