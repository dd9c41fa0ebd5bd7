// Where the Merkle log keeps its tree and who sequences it, as the configuration says.
import { join } from 'node:path';
import type { AppConfig } from '../../config.js';
import { PostgresLeadership, SoleLeadership, type LogLeadership } from './log-leadership.js';
import { SqliteMerkleTreeStore, type MerkleTreeStore } from './merkle-tree.store.js';
import { PostgresMerkleTreeStore } from './postgres-merkle-tree.store.js';

/** Where the log sequencer keeps its tree and checkpoints: beside the events, so every instance on a shared store sees one tree. */
export async function openMerkleTreeStore(config: AppConfig): Promise<MerkleTreeStore> {
  if (config.store === 'sqlite') return SqliteMerkleTreeStore.open(join(config.dataDir, 'merkle.sqlite'));
  if (!config.databaseUrl)
    throw new Error(`DATABASE_URL is required when LEDGER_STORE=${config.store} (read models and the Merkle tree live in PostgreSQL)`);
  return PostgresMerkleTreeStore.open(config.databaseUrl, config.databaseSchema);
}

/** One process owns an embedded store; instances sharing PostgreSQL elect the sequencer by advisory lock. */
export function logLeadership(config: AppConfig): LogLeadership {
  if (config.store === 'sqlite') return new SoleLeadership();
  return new PostgresLeadership(config.databaseUrl!, { schema: config.databaseSchema, retryMs: config.sequencerRetryMs });
}
