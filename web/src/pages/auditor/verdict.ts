// An export's verdict worded as `sandbox-ledger verify --export FILE --checkpoint NOTE --vkey KEY` prints it
// (src/cli/verify.ts): the checks and their failure reasons come from the project's ExportVerifier; only the framing
// (FAILED / ok, the checkpoint that failed, the speed) is written here.
import { base64Encode, ExportVerifier, failurePlace, parseCheckpoint, parseNote, unsignedTail, type ExportResult } from '../../verifier.js';

const rootBase64 = (hex: string) => base64Encode(Uint8Array.from(hex.match(/../g) ?? [], (byte) => parseInt(byte, 16)));

/** Claimed (unverified) tree size of a checkpoint note, only to name the one that failed. */
function claimedTreeSize(note: string): number | null {
  const parsed = parseNote(note);
  if (!parsed.ok) return null;
  try {
    return parseCheckpoint(parsed.text).treeSize;
  } catch {
    return null;
  }
}

export interface ExportRun {
  verifier: ExportVerifier;
  /** Set when a checkpoint failed before streaming: named after the failure as the CLI names it. */
  badCheckpoint?: string;
  notes: number;
}

/** Gives the verifier every checkpoint first (as the CLI does), stopping at the first that fails. */
export function startExport(notes: readonly string[], vkey: string): ExportRun {
  const verifier = new ExportVerifier();
  const run: ExportRun = { verifier, notes: notes.length };
  for (const [i, note] of notes.entries()) {
    if (!verifier.checkCheckpoint(note, vkey)) {
      const size = claimedTreeSize(note);
      run.badCheckpoint = `checkpoint ${i + 1} of ${notes.length}${size === null ? '' : `, claiming tree size ${size}`}`;
      break;
    }
  }
  return run;
}

export type Verdict = { ok: boolean; message: string; result: ExportResult };

/** The line the CLI prints for this result; `seconds` and `bytes` give its speed figures. */
export function verdictOf(run: ExportRun, result: ExportResult, seconds: number, bytes: number): Verdict {
  if (!result.ok) {
    return {
      ok: false,
      result,
      message: `FAILED${failurePlace(result)}: ${result.reason}${run.badCheckpoint ? ` (${run.badCheckpoint})` : ''}`,
    };
  }
  if (run.notes === 0)
    return {
      ok: false,
      result,
      message: `FAILED: no checkpoint given; the export's ${result.treeSize} events hash and chain correctly, but nothing signed covers them`,
    };
  const s = Math.max(seconds, 1e-9);
  return {
    ok: true,
    result,
    message:
      `ok: ${result.treeSize} events in ${result.streams} streams; root ${rootBase64(result.rootHash)} (base64, as in checkpoint notes); ${result.checkpointsChecked} checkpoint(s) verified, signed up to tree size ${result.signedTreeSize}` +
      unsignedTail(result) +
      `; ${run.verifier.settlementsAudited} settlement(s) match the sandbox rules` +
      ` (${Math.round(result.treeSize / s)} events/s, ${(bytes / 1e6 / s).toFixed(1)} MB/s, checked in a Web Worker)`,
  };
}

/**
 * Feeds the verifier the lines of a byte stream as the CLI reads a file: split at \n, and a line holding \r split again
 * at \r\n or a lone \r; each line decoded as UTF-8 on its own, strictly (a line that is not well-formed UTF-8 fails);
 * blank lines skipped. Stops at the first failure.
 */
export async function pushLines(run: ExportRun, stream: ReadableStream<Uint8Array>, onBytes: (bytes: number) => void): Promise<number> {
  const reader = stream.getReader();
  let rest = new Uint8Array(0);
  let read = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      let chunk = value;
      if (rest.length > 0) {
        const joined = new Uint8Array(rest.length + chunk.length);
        joined.set(rest);
        joined.set(chunk, rest.length);
        chunk = joined;
      }
      let start = 0;
      for (let nl = chunk.indexOf(10); nl >= 0; nl = chunk.indexOf(10, start)) {
        if (!run.verifier.pushBytes(chunk.subarray(start, nl))) {
          await reader.cancel();
          return read - (chunk.length - value.length) + nl; // the bytes before this chunk's leftover, then to the line's end
        }
        start = nl + 1;
      }
      rest = chunk.slice(start);
      read += value.length;
      onBytes(read);
    }
    if (rest.length > 0) run.verifier.pushBytes(rest);
  } finally {
    reader.releaseLock();
  }
  return read;
}
