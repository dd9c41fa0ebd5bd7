// The offline commands that act on a ledger (export, settle, projections rebuild) open its stores as the server does, and
// opening makes what is missing: pointed by a mistyped LEDGER_DATA_DIR (or run from the wrong directory, whose ./data
// is the default) they made a new, empty ledger there, new signing keys included, and reported success.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { AppConfig } from '../config.js';

/**
 * Throws when the configured data directory holds no ledger: on the embedded store its event file must exist; on
 * PostgreSQL the directory itself (its keys sign what the commands record). Only `serve` makes a new ledger.
 */
export function requireLedger(config: AppConfig, command: string): void {
  const missing =
    config.store === 'sqlite'
      ? existsSync(join(config.dataDir, 'events.sqlite'))
        ? null
        : join(config.dataDir, 'events.sqlite')
      : existsSync(config.dataDir)
        ? null
        : config.dataDir;
  if (missing === null) return;
  throw new Error(
    `${command}: no ledger in ${config.dataDir} (${missing} does not exist); set LEDGER_DATA_DIR to the data directory of an existing ledger (only serve makes a new one)`,
  );
}
