// `verify` and `verify-receipt`: offline checks of an export or a receipt, exit status 0 only when everything holds.
import { createHash } from 'node:crypto';
import { type EventEnvelope, isHex64 } from '../verifier/envelope.js';
import { LineChunker, MAX_LINE_BYTES } from '../verifier/export-chunk.js';
import {
  ExportVerifier,
  failurePlace,
  recordedAtMs,
  unsignedTail,
  verifyConsistencyBetweenCheckpoints,
} from '../verifier/export-verifier.js';
import { base64Decode, base64Encode, parseVkey } from '../verifier/note.js';
import { provenContent, publicReceiptDisagreement } from '../verifier/public-receipt.js';
import { parseTlogProof, verifyReceipt } from '../verifier/tlog-proof.js';
import {
  filingDisagreement,
  type ReadReceipt,
  type ReceiptDocument,
  ReceiptDocumentError,
  readReceiptDocument,
} from './receipt-document.js';
import { FileSpill } from './file-spill.js';
import { SqliteFilingStore } from './sqlite-filing-store.js';
import { compiledSchemaCheck } from '../common/compiled-schemas.js';
import { nativeEd25519Verify, nativeSha256, nativeSha256Text } from './native-crypto.js';
import { progressBar } from './progress.js';
import {
  type CheckpointItem,
  CheckpointHistoryError,
  claimedCheckpoint,
  errorAnswer,
  openSource,
  problemAnswer,
  problemIn,
  noteText,
  readCheckpointItems,
  parseJson,
  readNote,
  readLocalFile,
  readText,
} from './sources.js';
import { checkCheckpoint, isoSeconds, loadTrust, type Trust, type TrustArgs } from './trust.js';
import { UsageError } from './usage-error.js';
import { type ChunkQueue, type ChunkSink, defaultThreads, InlineChunks, WorkerChunks } from './verify-pool.js';

/** Bytes per chunk: about a thousand events, checked in a few milliseconds, small next to what the reducer holds. */
const CHUNK_BYTES = 1 << 20;

export interface VerifyArgs extends TrustArgs {
  export: string;
  checkpoint: string[];
  checkpoints: string[];
  apiKey?: string;
  /** Events past the last checkpoint given fail the verdict (by default they are checked and the `ok` line counts them). */
  allSigned?: boolean;
}

export interface VerifyOptions {
  runRecords?: number;
  spillDir?: string;
  /** Threads that check the chunks (default: one per core; 0: the main thread checks them). */
  threads?: number;
  /** Bytes per chunk handed to a thread (default 1 MiB). */
  chunkBytes?: number;
  /** The longest line read, in bytes (default `MAX_LINE_BYTES`, the longest text Node holds); a longer one fails its leaf. */
  maxLineBytes?: number;
}

const BYTE_ORDER_MARK = [0xef, 0xbb, 0xbf];

/**
 * The export's bytes less a UTF-8 byte-order mark at its very start, which a Windows tool may put there as it may change
 * its line endings: the page's check drops it too (File.text()), and the log never writes one. Anywhere else one stays,
 * and the line it is in is not JSON.
 */
export async function* exportWithoutByteOrderMark(pieces: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  let head = Buffer.alloc(0);
  let decided = false;
  for await (const piece of pieces) {
    if (decided) {
      yield piece;
      continue;
    }
    head = Buffer.concat([head, piece]);
    if (head.length < BYTE_ORDER_MARK.length && BYTE_ORDER_MARK.slice(0, head.length).every((b, i) => head[i] === b)) continue;
    decided = true;
    yield BYTE_ORDER_MARK.every((b, i) => head[i] === b) ? head.subarray(BYTE_ORDER_MARK.length) : head;
  }
  if (!decided && head.length > 0) yield head;
}

export async function verifyCommand(
  args: VerifyArgs,
  out: NodeJS.WritableStream = process.stdout,
  options: VerifyOptions = {},
): Promise<number> {
  const trust = await loadTrust(args);
  // The chain runs and the audit's filings go to temporary files: memory does not grow with the export.
  const spill = new FileSpill(options.spillDir);
  let filings: SqliteFilingStore | undefined;
  try {
    filings = new SqliteFilingStore(options.spillDir);
    const verifier = new ExportVerifier({
      sha256: nativeSha256,
      sha256Text: nativeSha256Text,
      verify: nativeEd25519Verify,
      schemaCheck: compiledSchemaCheck,
      spill,
      runRecords: options.runRecords,
      filings,
    });
    return await verifyWith(verifier, args, trust, out, options);
  } finally {
    spill.dispose(); // the verifier removes it at the end too; this covers a source that fails half way
    filings?.dispose();
  }
}

async function verifyWith(
  verifier: ExportVerifier,
  args: VerifyArgs,
  trust: Trust,
  out: NodeJS.WritableStream,
  options: VerifyOptions,
): Promise<number> {
  const vkey = trust.vkey as string;
  try {
    parseVkey(vkey, nativeSha256); // a key that is no vkey is named as such, not as the first checkpoint's fault
  } catch (err) {
    out.write(`FAILED: bad verifier key: ${(err as Error).message}\n`);
    return 1;
  }
  let items: CheckpointItem[];
  try {
    items = await readCheckpointItems(args.checkpoint, args.checkpoints);
  } catch (err) {
    if (!(err instanceof CheckpointHistoryError)) throw err;
    out.write(`FAILED: ${err.message}\n`);
    return 1;
  }
  const notes = items.map((item) => item.note);
  const extended = (trust.witnesses?.length ?? 0) > 0 || trust.logMlDsa !== undefined || trust.tsaCas !== null;
  const name = (i: number) => {
    const claimed = claimedCheckpoint(notes[i]); // unverified, only to name the checkpoint that failed
    return `checkpoint ${i + 1} of ${notes.length}${claimed ? `, claiming tree size ${claimed.treeSize}` : ''}`;
  };
  let badCheckpoint: string | undefined;
  let stamps = 0;
  const carried = items.reduce((n, item) => n + item.timestamps.length, 0);
  for (const [i, item] of items.entries()) {
    if (extended) {
      const checked = await checkCheckpoint(item.note, item.timestamps, trust);
      if (!checked.ok) {
        out.write(`FAILED: ${name(i)}: ${checked.reason}\n`);
        return 1;
      }
      stamps += checked.timestamps.length;
    }
    if (!verifier.checkCheckpoint(item.note, vkey)) {
      badCheckpoint = name(i);
      break;
    }
  }
  if (trust.tsaCas && stamps === 0 && !badCheckpoint) {
    out.write('FAILED: --tsa-ca was given but no checkpoint carries a time-stamp token (give the checkpoint history with --checkpoints)\n');
    return 1;
  }
  const bar = progressBar('verifying', 'bytes');
  const started = performance.now();
  let checkedBytes = 0;
  let threads = 0;
  /** The export's first line, to name the server's error answer saved in its place. */
  let firstLine: string | undefined;
  let result: ReturnType<typeof verifier.finish> | undefined;
  /** The verdict's FAILED line, or null when every check held. */
  let failure: string | null = null;
  const failureOf = (r: NonNullable<typeof result>): string | null => {
    if (!r.ok) {
      const answer = firstLine === undefined ? undefined : problemIn(firstLine);
      if (answer !== undefined) return `FAILED: ${errorAnswer(args.export, 'an export', answer)}\n`;
      return `FAILED${failurePlace(r)}: ${r.reason}${badCheckpoint ? ` (${badCheckpoint})` : ''}\n`;
    }
    if (notes.length === 0)
      return `FAILED: no checkpoint given; the export's ${r.treeSize} events hash and chain correctly, but nothing signed covers them\n`;
    if (args.allSigned && r.signedTreeSize < r.treeSize) {
      const past = r.treeSize - r.signedTreeSize;
      return `FAILED in leaves ${r.signedTreeSize}..${r.treeSize - 1}: the last ${past} event(s) hash and chain correctly, but no checkpoint given covers them (--all-signed); give a checkpoint of tree size ${r.treeSize}\n`;
    }
    return null;
  };
  // The bar stays until the last checks are done; whatever ends the run (a read error, a lost connection, a failed check),
  // the terminal gets its cursor back.
  try {
    if (verifier.ok) {
      const { stream, bytes } = await openSource(args.export, args.apiKey);
      const maxLineBytes = options.maxLineBytes ?? MAX_LINE_BYTES;
      const chunker = new LineChunker(options.chunkBytes ?? CHUNK_BYTES, maxLineBytes);
      let shown = 0;
      // The order-dependent checks (leaf order, time, chains, settlements, Merkle root, checkpoints) run here, chunk by chunk in order.
      const sink: ChunkSink = ({ facts, buffer, length }) => {
        verifier.pushChunk(facts);
        chunker.recycle(buffer);
        // The bar counts the chunks that checked out: one a check failed in, and those checked after it, were not verified,
        // and a run that fails part-way leaves the bar where it failed (at 0% when that was in the first chunk), not full.
        if (!verifier.ok) return;
        checkedBytes += length;
        if (bytes && checkedBytes - shown >= bytes / 200) {
          bar.update(Math.min(checkedBytes, bytes), bytes);
          shown = checkedBytes;
        } // at most 200 redraws
      };
      // Threads start with the second chunk: an export of one chunk is checked here, without their start-up.
      const wanted = options.threads ?? defaultThreads();
      let queue: ChunkQueue | null = null;
      let first: Uint8Array | null = null;
      const hand = async (chunk: Uint8Array) => {
        if (queue === null && first === null) {
          first = chunk;
          const end = Math.min(chunk.indexOf(10) >>> 0, chunk.length);
          // A line too long to read is no error answer (and could not be decoded): its leaf fails (checkChunk).
          firstLine ??= end > maxLineBytes ? '' : Buffer.from(chunk.subarray(0, end)).toString('utf8');
          return;
        }
        queue ??= wanted > 0 ? new WorkerChunks(wanted, sink, { maxLineBytes }) : new InlineChunks(sink, maxLineBytes);
        if (first) await queue.submit(first);
        first = null;
        await queue.submit(chunk);
      };
      try {
        read: for await (const piece of exportWithoutByteOrderMark(stream as AsyncIterable<Buffer>)) {
          for (const chunk of chunker.push(piece)) {
            await hand(chunk);
            if (!verifier.ok) break read;
          }
        }
        const last = verifier.ok ? chunker.end() : null;
        if (last) await hand(last);
        queue ??= new InlineChunks(sink, maxLineBytes);
        if (first) await queue.submit(first);
        await queue.drain();
        threads = queue.threads;
        // The last redraw came at most 1/200 of the export before its end: the bar ends where the checks did.
        if (bytes) bar.update(Math.min(checkedBytes, bytes), bytes);
      } finally {
        stream.destroy();
        await (queue as ChunkQueue | null)?.close();
      }
    }
    result = verifier.finish();
    failure = failureOf(result);
  } finally {
    // The bar ends with the verdict: `failed` for any failure, of a check of the events or for events no checkpoint covers.
    bar.stop(result && failure === null ? undefined : 'failed');
  }
  const seconds = (performance.now() - started) / 1000;
  if (failure !== null || !result.ok) {
    out.write(failure ?? 'FAILED\n'); // failureOf names every result that is not ok
    return 1;
  }
  out.write(
    `ok: ${result.treeSize} events in ${result.streams} streams; root of those ${result.treeSize} events ${rootBase64(result.rootHash)} (base64, as in checkpoint notes); ${result.checkpointsChecked} checkpoint(s) verified, signed up to tree size ${result.signedTreeSize}` +
      unsignedTail(result) +
      `; ${verifier.settlementsAudited} settlement(s) match the sandbox rules` +
      ((trust.witnesses?.length ?? 0) > 0
        ? `; every checkpoint cosigned by at least ${trust.quorum} of ${trust.witnesses!.length} witness(es)`
        : '') +
      (trust.logMlDsa ? "; every checkpoint cosigned with the log's ML-DSA-44 key" : '') +
      (trust.tsaCas
        ? `; ${stamps} RFC 3161 time-stamp(s) verified`
        : carried > 0
          ? `; ${carried} time-stamp token(s) not checked (give --tsa-ca)`
          : '') +
      ` (${Math.round(result.treeSize / Math.max(seconds, 1e-9))} events/s, ${(checkedBytes / 1e6 / Math.max(seconds, 1e-9)).toFixed(1)} MB/s, ` +
      `${threads === 0 ? 'checked on the main thread' : `${threads} checking thread(s)`})\n`,
  );
  return 0;
}

/**
 * Roots are printed as checkpoint notes carry them (C2SP: base64), so the two can be compared by eye; the root printed is
 * that of every event of the export, which a checkpoint carries when its size is the export's.
 */
const rootBase64 = (hex: string) => Buffer.from(hex, 'hex').toString('base64');

export interface ReceiptArgs extends TrustArgs {
  receipt: string;
  /** The work itself: its SHA-256 must be the filing's content hash. */
  file?: string;
  /** A newer checkpoint (file or URL) the receipt's checkpoint must be a prefix of. */
  consistentWith?: string;
  /** The ledger whose public consistency-proof endpoint proves it, or a file holding the proof. */
  server?: string;
  proof?: string;
}

/**
 * A consistency proof from a file: the JSON of GET /v1/ledger/proof/consistency ({from, to, hashes: [hex]}), a list of
 * hashes, or one hash per line (hex or base64). The sizes, when the file names them, must be those asked for.
 */
function parseProofFile(text: string, source: string, from: number, to: number): string[] {
  const trimmed = text.trim();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    const parsed = parseJson(trimmed, source, 'a consistency proof (JSON)') as
      { hashes?: unknown; from?: unknown; to?: unknown } | unknown[];
    const hashes = Array.isArray(parsed) ? parsed : parsed.hashes;
    if (!Array.isArray(hashes) || !hashes.every((h) => typeof h === 'string'))
      throw new UsageError('the proof file holds no list of hashes');
    if (!Array.isArray(parsed) && (parsed.from !== undefined || parsed.to !== undefined) && (parsed.from !== from || parsed.to !== to))
      throw new UsageError(
        `--proof ${source} proves tree sizes ${String(parsed.from)} to ${String(parsed.to)}, not the receipt's ${from} to the newer checkpoint's ${to}`,
      );
    return hashes as string[];
  }
  if (trimmed === '') return [];
  return trimmed.split(/\r?\n/).map((line, i) => {
    if (isHex64(line)) return line;
    let hash: Uint8Array | undefined;
    try {
      hash = base64Decode(line);
    } catch {
      // named below
    }
    if (hash?.length !== 32) throw new UsageError(`--proof ${source}: line ${i + 1} is not a hash (64 hex digits, or 32 bytes in base64)`);
    return Buffer.from(hash).toString('hex');
  });
}

/** An http(s) URL without a query or fragment: the paths of the API are put after it. */
function isServerUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.search === '' && url.hash === '';
  } catch {
    return false;
  }
}

/**
 * Checks a receipt (JSON or tlog-proof text, or the public receipt of a content hash, which wraps one) and prints what it
 * proves; exit 0 only when every check asked for holds.
 */
export async function verifyReceiptCommand(args: ReceiptArgs, out: NodeJS.WritableStream = process.stdout): Promise<number> {
  if ((args.proof || args.server) && !args.consistentWith)
    throw new UsageError(`--${args.proof ? 'proof' : 'server'} proves --consistent-with CHECKPOINT, which is not given`);
  // One source of the proof: the other would be ignored.
  if (args.proof && args.server) throw new UsageError('--consistent-with is proven by --server or by --proof, not both');
  if (args.server !== undefined && !isServerUrl(args.server))
    throw new UsageError(
      `--server must be the ledger's http:// or https:// URL (its origin, as http://host:3000), not ${JSON.stringify(args.server)}`,
    );
  const trust = await loadTrust(args); // first: a mistake in the options is named before any file is read
  const vkey = trust.vkey as string;
  const fail = (reason: string) => {
    out.write(`FAILED: ${reason}\n`);
    return 1;
  };
  const read = await readText(args.receipt);
  const json = read.trimStart().startsWith('{');
  const text = json ? read : noteText(read, args.receipt, 'a receipt (JSON, or tlog-proof text)');
  const parsed = json ? parseJson(text, args.receipt, 'a receipt (JSON, or tlog-proof text)') : text;
  // The key is read before anything is checked with it: a malformed one is named as such, not as the wrong key.
  try {
    parseVkey(vkey, nativeSha256);
  } catch (err) {
    return fail(`bad verifier key: ${(err as Error).message}`);
  }
  const problem = problemAnswer(parsed);
  if (problem !== undefined) return fail(errorAnswer(args.receipt, 'a receipt', problem));
  const format = typeof parsed === 'object' && parsed !== null ? (parsed as { format?: unknown }).format : undefined;
  if (typeof format === 'string' && format.startsWith('sandbox-ledger/evidence-bundle/'))
    return fail(`${args.receipt} is an evidence bundle, not a receipt: check it with sandbox-ledger verify-evidence`);
  let document: ReceiptDocument | undefined;
  if (typeof parsed !== 'string') {
    try {
      document = readReceiptDocument(parsed);
    } catch (err) {
      if (!(err instanceof ReceiptDocumentError)) throw err;
      return fail(err.message);
    }
  }
  const receipt: ReadReceipt | string = document ? document.receipt : text;
  const wrapper = document?.wrapper;
  // The public receipt names the log key it is checked with: one that is not the key trusted here is refused, not ignored.
  if (wrapper && wrapper.keys.log.trim() !== vkey.trim())
    return fail(`the public receipt's log key ${wrapper.keys.log} is not the one given with --vkey`);
  const result = verifyReceipt(receipt, vkey, { sha256: nativeSha256, verify: nativeEd25519Verify });
  if (!result.ok) return fail(result.reason);
  const entry =
    typeof receipt === 'string' ? (JSON.parse(new TextDecoder().decode(parseTlogProof(receipt).extra)) as EventEnvelope) : receipt.entry;
  // What the server says beside the proof must be what the entry proves.
  if (wrapper) {
    const disagrees = publicReceiptDisagreement(wrapper, entry);
    if (disagrees !== undefined) return fail(`the public receipt does not agree with its entry: ${disagrees}`);
  }
  if (document?.filing) {
    const disagrees = filingDisagreement(document.filing, entry);
    if (disagrees !== undefined) return fail(`the receipt's filing block does not agree with its entry: ${disagrees}`);
  }
  const note = typeof receipt === 'string' ? parseTlogProof(receipt).checkpoint : receipt.checkpoint;
  const tokens = typeof receipt === 'string' ? [] : (receipt.timestamps ?? []);
  if (trust.tsaCas && tokens.length === 0) return fail('--tsa-ca was given but the receipt carries no time-stamp token');
  const checked = await checkCheckpoint(note, tokens, trust);
  if (!checked.ok) return fail(`checkpoint: ${checked.reason}`);
  // A checkpoint cannot be signed before the entry it covers was recorded (verify and verify-evidence check the same).
  if (checked.checkpoint.time !== undefined && checked.checkpoint.time < Math.floor(recordedAtMs(entry.recordedAt) / 1000))
    return fail(
      `the checkpoint's time ${isoSeconds(checked.checkpoint.time)} is earlier than the entry it covers (recorded at ${entry.recordedAt})`,
    );
  const data = entry.data as { filingId?: unknown; contentHash?: unknown; filedAt?: unknown; registeredAt?: unknown };
  const content = provenContent(entry);
  const lines: string[] = [];
  const show = (label: string, value: string) => lines.push(`  ${label.padEnd(14)}${value}`);
  if (typeof data.filingId === 'string') show('filing', data.filingId);
  show('event', `${entry.type} in ${entry.stream}, revision ${entry.revision}`);
  if (typeof data.contentHash === 'string') show('content hash', data.contentHash);
  if (content?.kind === 'copy') show('copy hash', `${content.sha256} (a distribution copy registered for the filing)`);
  // Only a WorkFiled entry proves the filing's time; a copy's entry proves when the copy was registered.
  if (entry.type === 'WorkFiled' && typeof data.filedAt === 'string') show('filed at', data.filedAt);
  if (entry.type === 'CopyRegistered' && typeof data.registeredAt === 'string')
    show('registered at', `${data.registeredAt} (the copy's registration; the filing's own time is not in this receipt)`);
  show('recorded at', entry.recordedAt);
  show('leaf index', String(entry.leafIndex));
  show('tree size', String(checked.checkpoint.treeSize));
  show('root', `${base64Encode(checked.checkpoint.rootHash)} (base64, as in the checkpoint note)`);
  if (checked.checkpoint.time !== undefined)
    show('checkpoint', `signed at ${isoSeconds(checked.checkpoint.time)} by ${checked.checkpoint.origin}`);
  if (checked.logMlDsa) show('ML-DSA-44', `cosigned by the log (${checked.logMlDsa.label})`);
  for (const w of checked.witnesses) show('witness', `${w.label} cosigned at ${isoSeconds(w.timestamp)}`);
  for (const t of checked.timestamps) show('time-stamp', `${t.genTime.toISOString().replace('.000Z', 'Z')} by ${t.authority}`);
  if (!trust.tsaCas && tokens.length > 0) show('time-stamp', `${tokens.length} token(s) not checked (give --tsa-ca)`);
  if (wrapper)
    show(
      'public',
      `${wrapper.contentHash} is ${wrapper.match === 'copy' ? 'a registered copy' : 'the filed content'} of filing ${wrapper.filingId}, as the entry proves`,
    );
  if (document?.filing) {
    const { id, name } = document.filing.holder;
    show('holder', `${name === null ? id : `${name} (${id})`}: the server's word when it answered, not proven by the receipt`);
  }
  if (args.file) {
    const digest = createHash('sha256').update(readLocalFile(args.file)).digest('hex');
    if (content === undefined) return fail(`--file: the receipt's entry (${entry.type}) names no content hash`);
    const what = content.kind === 'copy' ? "the registered copy's hash" : 'the filed content hash';
    if (digest !== content.sha256) return fail(`--file: ${args.file} hashes to ${digest}, not ${what} ${content.sha256}`);
    show('file', `${args.file} matches ${content.kind === 'copy' ? "the registered copy's hash" : 'the content hash'}`);
  }
  if (args.consistentWith) {
    const newerNote = await readNote(args.consistentWith);
    const newer = await checkCheckpoint(newerNote, [], { ...trust, tsaCas: null });
    if (!newer.ok) return fail(`--consistent-with: ${newer.reason}`);
    const from = checked.checkpoint.treeSize;
    const to = newer.checkpoint.treeSize;
    if (to < from) return fail(`--consistent-with: the newer checkpoint has ${to} leaves, fewer than the receipt's ${from}`);
    const [before, after] = [checked.checkpoint.time, newer.checkpoint.time];
    if (before !== undefined && after !== undefined && after < before)
      return fail(
        `--consistent-with: the newer checkpoint's time ${isoSeconds(after)} is earlier than the receipt's ${isoSeconds(before)}`,
      );
    let hashes: string[];
    if (args.proof) hashes = parseProofFile(await readText(args.proof), args.proof, from, to);
    else if (args.server) {
      const url = `${args.server.replace(/\/+$/, '')}/v1/ledger/proof/consistency?from=${from}&to=${to}`;
      hashes = (parseJson(await readText(url), url, 'a consistency proof (JSON)') as { hashes: string[] }).hashes;
    } else throw new UsageError('--consistent-with needs --server URL or --proof FILE');
    const consistent = verifyConsistencyBetweenCheckpoints(note, newerNote, hashes, vkey, {
      sha256: nativeSha256,
      verify: nativeEd25519Verify,
    });
    if (!consistent.ok) return fail(`--consistent-with: ${consistent.reason}`);
    show(
      'consistent',
      `with the checkpoint of ${to} leaves${newer.checkpoint.time === undefined ? '' : ` signed at ${isoSeconds(newer.checkpoint.time)}`}`,
    );
  }
  out.write(`ok: the receipt verifies against the checkpoint and the key\n${lines.join('\n')}\n`);
  return 0;
}
