// `verify` and `verify-receipt`: offline checks of an export or a receipt, exit status 0 only when everything holds.
import { ExportVerifier } from '../verifier/export-verifier.js';
import { verifyReceipt } from '../verifier/tlog-proof.js';
import { FileSpill } from './file-spill.js';
import { SqliteFilingStore } from './sqlite-filing-store.js';
import { nativeEd25519Verify, nativeSha256, nativeSha256Text } from './native-crypto.js';
import { progressBar } from './progress.js';
import { CheckpointHistoryError, claimedCheckpoint, openLineBatches, readCheckpoints, readText, readVkey } from './sources.js';

export interface VerifyArgs { export: string; checkpoint: string[]; checkpoints: string[]; vkey: string; apiKey?: string }

export async function verifyCommand(args: VerifyArgs, out: NodeJS.WritableStream = process.stdout, options: { runRecords?: number; spillDir?: string } = {}): Promise<number> {
  const vkey = await readVkey(args.vkey);
  // The chain runs and the audit's filings go to temporary files: memory does not grow with the export.
  const spill = new FileSpill(options.spillDir);
  let filings: SqliteFilingStore | undefined;
  try {
    filings = new SqliteFilingStore(options.spillDir);
    const verifier = new ExportVerifier({ sha256: nativeSha256, sha256Text: nativeSha256Text, verify: nativeEd25519Verify, spill, runRecords: options.runRecords, filings });
    return await verifyWith(verifier, args, vkey, out);
  } finally {
    spill.dispose(); // the verifier removes it at the end too; this covers a source that fails half way
    filings?.dispose();
  }
}

async function verifyWith(verifier: ExportVerifier, args: VerifyArgs, vkey: string, out: NodeJS.WritableStream): Promise<number> {
  let notes: string[];
  try {
    notes = await readCheckpoints(args.checkpoint, args.checkpoints);
  } catch (err) {
    if (!(err instanceof CheckpointHistoryError)) throw err;
    out.write(`FAILED: ${err.message}\n`);
    return 1;
  }
  let badCheckpoint: string | undefined;
  for (const [i, note] of notes.entries()) {
    if (!verifier.checkCheckpoint(note, vkey)) {
      const claimed = claimedCheckpoint(note); // unverified, only to name the checkpoint that failed
      badCheckpoint = `checkpoint ${i + 1} of ${notes.length}${claimed ? `, claiming tree size ${claimed.treeSize}` : ''}`;
      break;
    }
  }
  const bar = progressBar('verifying');
  let readBytes = 0;
  const started = performance.now();
  if (verifier.ok) {
    const { batches, bytes, stream } = await openLineBatches(args.export, args.apiKey);
    let shown = 0;
    read: for await (const batch of batches) {
      for (const line of batch.lines) {
        if (line === '') continue;
        if (!verifier.push(line)) { stream.destroy(); break read; }
      }
      readBytes += batch.bytes;
      if (bytes && readBytes - shown >= bytes / 200) { bar.update(readBytes, bytes); shown = readBytes; } // at most 200 redraws
    }
    if (bytes) bar.update(Math.min(readBytes, bytes), bytes);
  }
  bar.stop();
  const result = verifier.finish();
  const seconds = (performance.now() - started) / 1000;
  if (!result.ok) {
    out.write(`FAILED${result.leafIndex === null ? '' : ` at leaf ${result.leafIndex}`}: ${result.reason}${badCheckpoint ? ` (${badCheckpoint})` : ''}\n`);
    return 1;
  }
  if (notes.length === 0) {
    out.write(`FAILED: no checkpoint given; the export's ${result.treeSize} events hash and chain correctly, but nothing signed covers them\n`);
    return 1;
  }
  out.write(`ok: ${result.treeSize} events in ${result.streams} streams; root ${result.rootHash}; ${result.checkpointsChecked} checkpoint(s) verified, signed up to tree size ${result.signedTreeSize}` +
    `; ${verifier.settlementsAudited} settlement(s) match the sandbox rules` +
    ` (${Math.round(result.treeSize / Math.max(seconds, 1e-9))} events/s, ${(readBytes / 1e6 / Math.max(seconds, 1e-9)).toFixed(1)} MB/s)\n`);
  return 0;
}

export async function verifyReceiptCommand(file: string, vkeyArg: string, out: NodeJS.WritableStream = process.stdout): Promise<number> {
  const text = await readText(file);
  const vkey = await readVkey(vkeyArg);
  let receipt: Parameters<typeof verifyReceipt>[0] = text;
  if (text.trimStart().startsWith('{')) receipt = JSON.parse(text);
  const result = verifyReceipt(receipt, vkey, { sha256: nativeSha256, verify: nativeEd25519Verify });
  out.write(result.ok ? 'ok: the receipt verifies against the checkpoint and the key\n' : `FAILED: ${result.reason}\n`);
  return result.ok ? 0 : 1;
}
