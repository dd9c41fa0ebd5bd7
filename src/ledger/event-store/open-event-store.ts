// The event store the configuration names: embedded SQLite, PostgreSQL shared by instances, or EventStoreDB, each
// appending only events that `verify` takes (event-admission.ts).
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { AppConfig } from '../../config.js';
import type { EventStore } from './event-store.port.js';
import { PostgresEventStore } from './postgres-event-store.js';
import { SqliteEventStore } from './sqlite-event-store.js';
import { POLICY_STREAM } from '../../verifier/rights-events.js';
import { observeLogTime } from '../ledger-clock.js';
import { admitLedgerEvent } from './event-admission.js';

/** The store, its log's last time known to the process's commit clock (ledger-clock.ts). */
export async function openEventStore(config: AppConfig): Promise<EventStore> {
  const store = await openStore(config);
  try {
    await observeLogTime(store);
  } catch (err) {
    await store.close().catch(() => undefined);
    throw err;
  }
  return store;
}

async function openStore(config: AppConfig): Promise<EventStore> {
  switch (config.store) {
    case 'sqlite':
      mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
      return SqliteEventStore.open(join(config.dataDir, 'events.sqlite'), {
        synchronous: config.sqliteSynchronous,
        heldStreams: [POLICY_STREAM], // read by every filing
        admit: admitLedgerEvent,
      });
    case 'postgres':
      if (!config.databaseUrl) throw new Error('DATABASE_URL is required when LEDGER_STORE=postgres');
      return PostgresEventStore.open(config.databaseUrl, { schema: config.databaseSchema, admit: admitLedgerEvent });
    case 'eventstoredb': {
      if (!config.eventstoreUrl) throw new Error('EVENTSTORE_URL is required when LEDGER_STORE=eventstoredb');
      // Loaded only here: the gRPC client weighs some 25 MB of memory that the other stores never use.
      const { EventStoreDbEventStore } = await import('./eventstoredb-event-store.js');
      return EventStoreDbEventStore.open(config.eventstoreUrl, { prefix: config.eventstorePrefix, admit: admitLedgerEvent });
    }
  }
}
