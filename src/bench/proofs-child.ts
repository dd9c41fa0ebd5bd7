// The proof figures in a process of their own, which opens the generated ledger's log as a server opens its own at a
// start (with the server's node flags) and holds nothing else: the log's proof calls alone, without HTTP or the rest
// of a server's state (the HTTP figures measure what a request costs on top). They used to be measured on the
// generator's own log, the one that had just integrated every leaf, in the bench's process: on one million-leaf tree
// its medians were 0.065–0.095 ms where a log opened afresh on the same files gave 0.057–0.059 ms (three runs each,
// alternated in one process).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { GENERATED_FILES, openLedgerLog } from './dataset.js';
import { benchProofs } from './figures.js';

const dataDir = process.env.LEDGER_DATA_DIR ?? '';
const missing = GENERATED_FILES.filter((f) => !existsSync(join(dataDir, f)));
if (missing.length > 0) throw new Error(`LEDGER_DATA_DIR (${dataDir}) holds no generated ledger: ${missing.join(', ')} missing`);
const samples = Number(process.env.BENCH_PROOF_SAMPLES);
const events = Number(process.env.BENCH_PROOF_EVENTS);
if (!Number.isSafeInteger(samples) || samples < 1) throw new Error('BENCH_PROOF_SAMPLES must be a positive integer');
const { log, close } = await openLedgerLog(dataDir);
try {
  // A tree behind its events would be completed by the start above: the figure must be at the ledger's size.
  if (log.treeSize !== events) throw new Error(`the tree has ${log.treeSize} leaves, the ledger ${events} events`);
  process.stdout.write(JSON.stringify(await benchProofs(log, samples)) + '\n');
} finally {
  await close();
}
