// The whole ledger a suite wrote, checked as an auditor checks it: its export against a checkpoint the log signs now.
import { MERKLE_LOG } from '../../src/ledger/ledger.tokens.js';
import type { MerkleLog } from '../../src/ledger/log/merkle-log.js';
import { exportLine, type EventEnvelope } from '../../src/verifier/envelope.js';
import { verifyExport, type ExportResult } from '../../src/verifier/export-verifier.js';
import type { LedgerApp } from './ledger-app.js';

/** Verifies every event the ledger holds (hashes, chains, root, the times the rules read, settlements); its events too. */
export async function verifyWholeLedger(ledger: LedgerApp): Promise<{ result: ExportResult; events: EventEnvelope[] }> {
  const log = ledger.app.get<MerkleLog>(MERKLE_LOG);
  const { note } = await log.checkpoint();
  const vkey = (await ledger.http().get('/v1/ledger/key')).text;
  const events = await ledger.store.readAll(0, { limit: 10_000_000 });
  return { result: verifyExport(events.map(exportLine), [note], vkey), events };
}
