// An export's verdict as `sandbox-ledger verify --export FILE --checkpoint NOTE --vkey KEY` gives it (src/cli/verify.ts),
// as data: the checks and their failures (each with its code and values) come from the project's ExportVerifier, and
// what the line adds (the checkpoint that failed, the speed) is gathered here. web/src/i18n/verdicts.ts words it in the
// page's language: in English, as the CLI prints it.
import { base64Encode, ExportVerifier, parseCheckpoint, parseNote, type ExportFailure, type ExportResult } from '../../verifier.js';

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

/** A checkpoint that failed, as the verdict names it: its place among those given, and the tree size it claims (unverified). */
export interface BadCheckpoint {
  index: number;
  of: number;
  claimedSize: number | null;
}

export interface ExportRun {
  verifier: ExportVerifier;
  /** Set when a checkpoint failed before streaming: named after the failure, as the CLI names it. */
  badCheckpoint?: BadCheckpoint;
  notes: number;
}

/** Gives the verifier every checkpoint first (as the CLI does), stopping at the first that fails. */
export function startExport(notes: readonly string[], vkey: string): ExportRun {
  const verifier = new ExportVerifier();
  const run: ExportRun = { verifier, notes: notes.length };
  for (const [i, note] of notes.entries()) {
    if (!verifier.checkCheckpoint(note, vkey)) {
      run.badCheckpoint = { index: i + 1, of: notes.length, claimedSize: claimedTreeSize(note) };
      break;
    }
  }
  return run;
}

/**
 * What the verdict says: the export verifies (with the figures the line names), or it hashes and chains but no
 * checkpoint was given, or it fails (the verifier's failure, and the checkpoint it failed on when that is the cause).
 * Plain data: it crosses from the worker to the page as it is, and is worded there in the page's language.
 */
export type Verdict =
  | {
      kind: 'ok';
      treeSize: number;
      streams: number;
      /** The root in base64, as checkpoint notes write it. */
      root: string;
      checkpoints: number;
      signedTreeSize: number;
      settlements: number;
      eventsPerSecond: number;
      /** One decimal, as the CLI prints it. */
      megabytesPerSecond: string;
    }
  | { kind: 'unsigned'; treeSize: number }
  | { kind: 'failed'; failure: ExportFailure; checkpoint?: BadCheckpoint };

/** The verdict for this result; `seconds` and `bytes` give its speed figures. */
export function verdictOf(run: ExportRun, result: ExportResult, seconds: number, bytes: number): Verdict {
  if (!result.ok)
    return run.badCheckpoint ? { kind: 'failed', failure: result, checkpoint: run.badCheckpoint } : { kind: 'failed', failure: result };
  if (run.notes === 0) return { kind: 'unsigned', treeSize: result.treeSize };
  const s = Math.max(seconds, 1e-9);
  return {
    kind: 'ok',
    treeSize: result.treeSize,
    streams: result.streams,
    root: rootBase64(result.rootHash),
    checkpoints: result.checkpointsChecked,
    signedTreeSize: result.signedTreeSize,
    settlements: run.verifier.settlementsAudited,
    eventsPerSecond: Math.round(result.treeSize / s),
    megabytesPerSecond: (bytes / 1e6 / s).toFixed(1),
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
