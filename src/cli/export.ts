// `export`: the log as NDJSON straight from the store (no server needed), in leaf order.
import 'reflect-metadata';
import { createWriteStream, openSync } from 'node:fs';
import { once } from 'node:events';
import { loadConfig } from '../config.js';
import { openEventStore } from '../ledger/event-store/open-event-store.js';
import { requireLedger } from './existing-ledger.js';
import { progressBar } from './progress.js';
import { exportText } from '../verifier/envelope.js';

export async function exportCommand(outFile: string | undefined): Promise<number> {
  const config = loadConfig();
  await requireLedger(config, 'export');
  const store = await openEventStore(config);
  // Opened before anything is read, so that a path that cannot be written is named at once (exitOnError words it).
  const out = outFile ? createWriteStream(outFile, { fd: openSync(outFile, 'w') }) : process.stdout;
  const total = await store.count();
  const bar = progressBar('exporting', 'events');
  let exported = false;
  try {
    for (let position = 0; position < total;) {
      const batch = await store.readAll(position, { limit: 5000 });
      if (batch.length === 0) break;
      if (!out.write(exportText(batch))) await once(out, 'drain');
      position += batch.length;
      bar.update(position, total);
    }
    // Exported once the file has it all: a write that fails at the end (a full disk) fails the export.
    if (outFile) {
      out.end();
      await once(out, 'finish');
    }
    exported = true;
  } finally {
    bar.stop(exported ? undefined : 'failed');
    await store.close();
  }
  return 0;
}
