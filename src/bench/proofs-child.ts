// The proof figures in a process of their own, as a server gives proofs: the generated ledger's log opened at start,
// with the server's node flags, rather than in the bench's own process, which still holds what generating the ledger
// left in its heap (in one run on the same million-leaf tree: medians 0.065–0.095 ms there, 0.057–0.059 ms here).
import { openLedgerLog } from './dataset.js';
import { benchProofs } from './figures.js';

const dataDir = process.env.LEDGER_DATA_DIR;
if (!dataDir) throw new Error('LEDGER_DATA_DIR must name the generated ledger');
const samples = Number(process.env.BENCH_PROOF_SAMPLES ?? 5000);
const { log, close } = await openLedgerLog(dataDir);
try {
  process.stdout.write(JSON.stringify(await benchProofs(log, samples)) + '\n');
} finally {
  await close();
}
