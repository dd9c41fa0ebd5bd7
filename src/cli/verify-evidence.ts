// `sandbox-ledger verify-evidence BUNDLE`: checks an evidence bundle offline with nothing but the bundle. Every field is
// either checked or derived from what is checked, so changing any byte of the bundle makes it fail.
import { createHash } from 'node:crypto';
import { EVIDENCE_FORMAT, EVIDENCE_FORMAT_V1 } from '../filing/evidence.js';
import { checkCheckpointTimestamps, checkTrustAnchors, parsePemCertificates, type VerifiedTimestamp } from '../verifier/timestamp-token.js';
import {
  checkWitnessQuorum,
  COSIGNATURE_V1,
  cosignerLabel,
  ML_DSA_44,
  parseCosignerVkey,
  verifyCosignedCheckpoint,
} from '../verifier/cosignature.js';
import { canonicalJson, computeEventHash, type EventEnvelope, isHex64, ZERO_HASH } from '../verifier/envelope.js';
import { hashMismatch } from '../verifier/export-chunk.js';
import { envelopeProblem, recordedAtMs } from '../verifier/export-verifier.js';
import { eventFault } from '../verifier/event-catalogue.js';
import { compiledSchemaCheck } from '../common/compiled-schemas.js';
import { failureReason } from '../verifier/export-failure.js';
import { parseVkey, verifyNote, type Vkey, withoutByteOrderMark } from '../verifier/note.js';
import { repeatedKey } from '../verifier/repeated-key.js';
import { parseStreamHead, STREAM_HEAD, type StreamHead } from '../verifier/stream-head.js';
import { checkInclusion, equalBytes, hashLeaf } from '../verifier/rfc6962.js';
import { TLOG_PROOF_HEADER, verifyReceipt } from '../verifier/tlog-proof.js';
import { nativeEd25519Verify, nativeSha256 } from './native-crypto.js';
import { errorAnswer, problemAnswer, readLocalFile, readText, readVkey } from './sources.js';
import { type Cosigners, isoSeconds, loadCosigners, type TrustArgs } from './trust.js';

class BundleError extends Error {}

const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

/** `value` is an object with exactly these fields. */
function shape(value: unknown, fields: readonly string[], where: string): Record<string, unknown> {
  if (!isObject(value)) throw new BundleError(`${where} is not an object`);
  const keys = Object.keys(value);
  const extra = keys.find((k) => !fields.includes(k));
  if (extra !== undefined) throw new BundleError(`${where} has an unexpected field ${JSON.stringify(extra)}`);
  const missing = fields.find((k) => !keys.includes(k));
  if (missing !== undefined) throw new BundleError(`${where} has no field ${missing}`);
  return value;
}

function proofOf(value: unknown, where: string): { leafIndex: number; treeSize: number; hashes: string[] } {
  const p = shape(value, ['leafIndex', 'treeSize', 'hashes'], where);
  if (!Number.isSafeInteger(p.leafIndex) || !Number.isSafeInteger(p.treeSize))
    throw new BundleError(`${where} has no integer leafIndex and treeSize`);
  if (!Array.isArray(p.hashes) || !p.hashes.every(isHex64)) throw new BundleError(`${where} hashes are not 64 lowercase hex digits each`);
  return p as { leafIndex: number; treeSize: number; hashes: string[] };
}

export interface EvidenceReport {
  filingId: string;
  contentHash: string;
  filedAt: string;
  leafIndex: number;
  treeSize: number;
  checkpointTime: number | undefined;
  origin: string;
  events: Array<{ type: string; revision: number; leafIndex: number; recordedAt: string }>;
  /** The log's signed head of the history (a v2 bundle): the history is the stream's whole under the checkpoint. Null for v1. */
  whole: StreamHead | null;
  /** Distribution copies registered in the filing's history (CopyRegistered): their SHA-256 and leaf. */
  copies: Array<{ sha256: string; leafIndex: number }>;
  witnesses: Array<{ label: string; timestamp: number }>;
  logMlDsa: string;
  timestamps: VerifiedTimestamp[];
  /** What the options pinned beside the log key, and held: witnesses (how many of those given cosigned, and the quorum) and TSA CAs. */
  pinned: { witnesses: { cosigned: number; given: number; quorum: number } | null; tsaCa: boolean; pqVkey: boolean };
}

/**
 * What the one verifying trusts beside the bundle: the log's key (--vkey), and the options of verify-receipt (--witness
 * with --witness-quorum, --pq-vkey, --tsa-ca). Each given must hold, whatever keys the bundle names for itself.
 */
export interface EvidencePins {
  vkey?: string;
  cosigners?: Cosigners;
}

/** Checks a parsed bundle; throws BundleError naming the first thing that does not hold. */
export async function checkEvidence(bundle: unknown, pins: EvidencePins = {}): Promise<EvidenceReport> {
  const pinnedVkey = pins.vkey;
  const cosigners = pins.cosigners;
  const format = isObject(bundle) ? bundle.format : undefined;
  if (format !== EVIDENCE_FORMAT && format !== EVIDENCE_FORMAT_V1)
    throw new BundleError(`the bundle's format is not ${EVIDENCE_FORMAT} (nor ${EVIDENCE_FORMAT_V1})`);
  const fields = ['format', 'filingId', 'receipt', 'history', 'checkpoint', 'keys'];
  const b = shape(bundle, format === EVIDENCE_FORMAT ? [...fields, 'head'] : fields, 'the bundle');
  if (typeof b.filingId !== 'string' || !/^[0-9a-f-]{36}$/.test(b.filingId)) throw new BundleError('filingId is not a UUID');
  const filingId = b.filingId;

  // Keys: parsed strictly (a changed byte breaks the key ID check or the base64), then used.
  const keys = shape(b.keys, ['log', 'logMlDsa44', 'witnesses', 'tsaCertificates'], 'keys');
  if (typeof keys.log !== 'string' || typeof keys.logMlDsa44 !== 'string') throw new BundleError('keys.log and keys.logMlDsa44 are vkeys');
  let logKey, logMlDsa, witnesses;
  try {
    logKey = parseVkey(keys.log, nativeSha256);
    logMlDsa = parseCosignerVkey(keys.logMlDsa44, nativeSha256);
    if (!Array.isArray(keys.witnesses) || !keys.witnesses.every((w) => typeof w === 'string'))
      throw new Error('keys.witnesses is not a list of vkeys');
    witnesses = keys.witnesses.map((w: string) => parseCosignerVkey(w, nativeSha256));
  } catch (err) {
    throw new BundleError(`keys: ${(err as Error).message}`);
  }
  if (keys.log !== keys.log.trim() || keys.logMlDsa44 !== keys.logMlDsa44.trim())
    throw new BundleError('keys: a vkey has surrounding whitespace');
  if (logMlDsa.type !== ML_DSA_44) throw new BundleError('keys.logMlDsa44 is not an ML-DSA-44 (type 0x06) key');
  if (witnesses.some((w) => w.type !== COSIGNATURE_V1)) throw new BundleError('keys.witnesses must be Ed25519 cosigner (type 0x04) keys');
  if (new Set(keys.witnesses).size !== witnesses.length) throw new BundleError('keys.witnesses lists a witness twice');
  if (pinnedVkey !== undefined && pinnedVkey.trim() !== keys.log)
    throw new BundleError(`the bundle's log key ${keys.log} is not the one given with --vkey`);
  // The key itself, not only its name and 4-byte ID: the checkpoint's ML-DSA-44 cosignature is then verified with it.
  if (
    cosigners?.logMlDsa &&
    (cosignerLabel(cosigners.logMlDsa) !== cosignerLabel(logMlDsa) || !equalBytes(cosigners.logMlDsa.publicKey, logMlDsa.publicKey))
  )
    throw new BundleError(`the bundle's ML-DSA-44 key ${keys.logMlDsa44} is not the one given with --pq-vkey`);

  // The checkpoint: the log's two signatures and every listed witness's cosignature.
  const cp = shape(b.checkpoint, ['note', 'timestamps'], 'checkpoint');
  if (typeof cp.note !== 'string') throw new BundleError('checkpoint.note is not a string');
  const note = cp.note;
  const verified = verifyCosignedCheckpoint(
    note,
    { vkey: logKey, logMlDsa, witnesses, quorum: witnesses.length },
    { sha256: nativeSha256, verify: nativeEd25519Verify },
  );
  if (!verified.ok) throw new BundleError(`checkpoint: ${verified.reason}`);
  const { checkpoint } = verified;
  // The witnesses given: their cosignatures, not the bundle's word for who its witnesses are.
  let pinnedWitnesses: EvidenceReport['pinned']['witnesses'] = null;
  if (cosigners?.witnesses && cosigners.witnesses.length > 0) {
    const counted = checkWitnessQuorum(note, cosigners.witnesses, cosigners.quorum!, { sha256: nativeSha256, verify: nativeEd25519Verify });
    if (!counted.ok) throw new BundleError(`checkpoint, against the witnesses given with --witness: ${counted.reason}`);
    pinnedWitnesses = { cosigned: counted.cosignatures.length, given: cosigners.witnesses.length, quorum: cosigners.quorum! };
  }

  // Time-stamps: each token over this checkpoint, chained to the bundled CA, not before the checkpoint, at the listed time.
  if (!Array.isArray(cp.timestamps)) throw new BundleError('checkpoint.timestamps is not a list');
  const tokens = cp.timestamps.map((t, i) => {
    const s = shape(t, ['time', 'token'], `checkpoint.timestamps[${i}]`);
    if (!Number.isSafeInteger(s.time) || typeof s.token !== 'string')
      throw new BundleError(`checkpoint.timestamps[${i}] needs an integer time and a base64 token`);
    return { time: s.time as number, token: s.token };
  });
  let timestamps: VerifiedTimestamp[] = [];
  if (keys.tsaCertificates === null) {
    if (tokens.length > 0) throw new BundleError('the bundle has time-stamps but no TSA certificate to check them');
  } else {
    if (typeof keys.tsaCertificates !== 'string') throw new BundleError('keys.tsaCertificates is not PEM text');
    if (tokens.length === 0) throw new BundleError('the bundle has TSA certificates but no time-stamp');
    try {
      const cas = parsePemCertificates(keys.tsaCertificates);
      await checkTrustAnchors(cas);
      timestamps = await checkCheckpointTimestamps(note, tokens, cas);
    } catch (err) {
      throw new BundleError(`time-stamps: ${(err as Error).message}`);
    }
  }
  // The TSA CAs given: the tokens must chain to them, not only to the certificates the bundle carries.
  if (cosigners?.tsaCas) {
    if (tokens.length === 0) throw new BundleError('--tsa-ca was given but the bundle carries no time-stamp token');
    try {
      timestamps = await checkCheckpointTimestamps(note, tokens, cosigners.tsaCas);
    } catch (err) {
      throw new BundleError(`time-stamps, against the CA given with --tsa-ca: ${(err as Error).message}`);
    }
  }

  // The history: the filing's stream, whole, chained, in order, each event included under the checkpoint.
  if (!Array.isArray(b.history) || b.history.length === 0) throw new BundleError('history is not a non-empty list');
  const events: EventEnvelope[] = [];
  let lastMs = -Infinity;
  for (const [i, item] of b.history.entries()) {
    const h = shape(item, ['entry', 'inclusionProof'], `history[${i}]`);
    const problem = envelopeProblem(h.entry);
    if (problem !== undefined) throw new BundleError(`history[${i}]: ${problem}`);
    const e = h.entry as EventEnvelope;
    const computed = computeEventHash(e, nativeSha256);
    if (computed !== e.hash) throw new BundleError(`history[${i}]: the ${hashMismatch(e, computed)}`);
    if (e.stream !== `filing-${filingId}`) throw new BundleError(`history[${i}] is in stream ${e.stream}, not the filing's`);
    if (e.revision !== i) throw new BundleError(`history[${i}] has revision ${e.revision}: an event is missing or out of order`);
    if (e.prevHash !== (i === 0 ? ZERO_HASH : events[i - 1].hash))
      throw new BundleError(`history[${i}] does not chain to the event before it`);
    if (i > 0 && e.leafIndex <= events[i - 1].leafIndex)
      throw new BundleError(`history[${i}] comes before the event it follows in the log`);
    const ms = recordedAtMs(e.recordedAt);
    if (!(ms >= lastMs)) throw new BundleError(`history[${i}] is recorded at ${e.recordedAt}, earlier than the event before it`);
    lastMs = ms;
    const proof = proofOf(h.inclusionProof, `history[${i}].inclusionProof`);
    if (proof.leafIndex !== e.leafIndex || proof.treeSize !== checkpoint.treeSize)
      throw new BundleError(`history[${i}]'s proof is not for its leaf under the checkpoint`);
    const included = checkInclusion(
      hashLeaf(Buffer.from(e.hash, 'hex'), nativeSha256),
      e.leafIndex,
      checkpoint.treeSize,
      proof.hashes.map((x) => Buffer.from(x, 'hex')),
      checkpoint.rootHash,
      nativeSha256,
    );
    if (!included.ok) throw new BundleError(`history[${i}] is not in the checkpoint: ${included.reason}`);
    events.push(e);
  }
  if (checkpoint.time !== undefined && checkpoint.time < Math.floor(lastMs / 1000)) {
    throw new BundleError(`the checkpoint's time ${isoSeconds(checkpoint.time)} is earlier than the last event it covers`);
  }
  // The head: the log signs that the stream had these events, and no other, among the checkpoint's leaves.
  const whole = b.head === undefined ? null : checkHead(b.head, logKey, checkpoint, filingId, events);
  const [filed] = events;
  const data = filed.data as { filingId?: unknown; contentHash?: unknown; filedAt?: unknown };
  if (filed.type !== 'WorkFiled' || data.filingId !== filingId || !isHex64(data.contentHash) || typeof data.filedAt !== 'string') {
    throw new BundleError('history[0] is not the WorkFiled event of this filing');
  }

  // The receipt: the WorkFiled event under the same checkpoint, exactly as in the history.
  const r = shape(b.receipt, ['entry', 'leafIndex', 'treeSize', 'inclusionProof', 'checkpoint'], 'receipt');
  if (r.checkpoint !== note) throw new BundleError("the receipt is under another checkpoint than the bundle's");
  if (!isObject(r.entry) || canonicalJson(r.entry) !== canonicalJson(filed)) {
    throw new BundleError("the receipt is not for the filing's WorkFiled event");
  }
  const receiptProof = proofOf(r.inclusionProof, 'receipt.inclusionProof');
  if (canonicalJson(receiptProof) !== canonicalJson((b.history[0] as { inclusionProof: unknown }).inclusionProof)) {
    throw new BundleError("the receipt's inclusion proof is not the history's");
  }
  const receipt = verifyReceipt(r as never, logKey, { sha256: nativeSha256, verify: nativeEd25519Verify });
  if (!receipt.ok) throw new BundleError(`receipt: ${receipt.reason}`);
  // The events are the log's, signed: each is held, as verify holds them, to its recordedAt (the time it states for
  // itself) and to the event catalogue. The WorkFiled (its filedAt shown below as the filing's time) was, as the
  // receipt's entry.
  for (const [i, e] of events.entries()) {
    if (i === 0) continue;
    const fault = eventFault(e, recordedAtMs(e.recordedAt), compiledSchemaCheck);
    if (fault) throw new BundleError(`history[${i}]: ${failureReason(fault)}`);
  }

  return {
    filingId,
    contentHash: data.contentHash,
    filedAt: data.filedAt,
    leafIndex: filed.leafIndex,
    treeSize: checkpoint.treeSize,
    checkpointTime: checkpoint.time,
    origin: checkpoint.origin,
    events: events.map((e) => ({ type: e.type, revision: e.revision, leafIndex: e.leafIndex, recordedAt: e.recordedAt })),
    whole,
    copies: events
      .filter((e) => e.type === 'CopyRegistered' && isHex64((e.data as { copy?: { sha256?: unknown } }).copy?.sha256))
      .map((e) => ({ sha256: (e.data as { copy: { sha256: string } }).copy.sha256, leafIndex: e.leafIndex })),
    witnesses: verified.witnesses.map((w) => ({ label: w.label, timestamp: w.timestamp })),
    logMlDsa: verified.logMlDsa!.label,
    timestamps,
    pinned: { witnesses: pinnedWitnesses, tsaCa: cosigners?.tsaCas != null, pqVkey: cosigners?.logMlDsa !== undefined },
  };
}

/** The signed head of a v2 bundle: by the log's key, for the filing's stream, its event count and last hash, at the checkpoint's size. */
function checkHead(
  head: unknown,
  logKey: Vkey,
  checkpoint: { origin: string; treeSize: number },
  filingId: string,
  events: readonly EventEnvelope[],
): StreamHead {
  if (typeof head !== 'string') throw new BundleError('head is not a signed note');
  const signed = verifyNote(head, logKey, { sha256: nativeSha256, verify: nativeEd25519Verify });
  if (!signed.ok) throw new BundleError(`head: ${signed.reason}`);
  const h = parseStreamHead(signed.text);
  if (!h) throw new BundleError(`head is not a ${STREAM_HEAD} statement`);
  const stream = `filing-${filingId}`;
  if (h.origin !== checkpoint.origin || h.stream !== stream || h.treeSize !== checkpoint.treeSize)
    throw new BundleError(
      `head is for ${h.stream} at tree size ${h.treeSize} of ${h.origin}, not ${stream} at the checkpoint's ${checkpoint.treeSize}`,
    );
  const last = events[events.length - 1];
  if (h.events !== events.length || h.headHash !== last.hash) {
    throw new BundleError(
      `the history is not whole: the log signs that ${stream} had ${h.events} event(s) among the first ${h.treeSize} leaves, ` +
        `the last with hash ${h.headHash}; the bundle has ${events.length}, the last with hash ${last.hash}`,
    );
  }
  return h;
}

const RECEIPT_GIVEN = 'this is a receipt, not an evidence bundle: check it with sandbox-ledger verify-receipt';

export interface EvidenceArgs extends Omit<TrustArgs, 'vkey'> {
  bundle: string;
  vkey?: string;
  file?: string;
  /** Passes a v1 bundle, whose history is not shown whole, on the events it holds. */
  acceptV1?: boolean;
}

export async function verifyEvidenceCommand(args: EvidenceArgs, out: NodeJS.WritableStream = process.stdout): Promise<number> {
  const cosigners = await loadCosigners(args); // first: a mistake in the options is named before any file is read
  const text = withoutByteOrderMark(await readText(args.bundle));
  const pinned = args.vkey === undefined ? undefined : await readVkey(args.vkey);
  let report: EvidenceReport;
  let fileMatch = '';
  try {
    let bundle: unknown;
    try {
      bundle = JSON.parse(text);
    } catch {
      if (text.trimStart().startsWith(TLOG_PROOF_HEADER)) throw new BundleError(RECEIPT_GIVEN);
      throw new BundleError(text.trim() === '' ? 'the bundle is empty' : 'the bundle is not JSON');
    }
    // JSON.parse keeps a repeated key's last value; another reader of the bundle would see the first.
    const twice = repeatedKey(text);
    if (twice !== undefined) throw new BundleError(`the bundle has the key ${JSON.stringify(twice)} twice in one object`);
    // The key given is read before the bundle is checked against it, as verify-receipt reads it: a malformed one is
    // named as such, not as another log's key.
    if (pinned !== undefined) {
      try {
        parseVkey(pinned, nativeSha256);
      } catch (err) {
        throw new BundleError(`bad verifier key: ${(err as Error).message}`);
      }
    }
    const problem = problemAnswer(bundle);
    if (problem !== undefined) throw new BundleError(errorAnswer(args.bundle, 'an evidence bundle', problem));
    // A receipt (its JSON, or a public receipt) given in place of a bundle is named as such, as verify-receipt names a bundle.
    if (isObject(bundle) && !('format' in bundle) && (('entry' in bundle && 'inclusionProof' in bundle) || 'receipt' in bundle))
      throw new BundleError(RECEIPT_GIVEN);
    report = await checkEvidence(bundle, { vkey: pinned, cosigners });
    // A history cut short and written as v1 (no head) is every event it holds, proven: passing it would pass the cut.
    if (report.whole === null && !args.acceptV1) {
      throw new BundleError(
        `a ${EVIDENCE_FORMAT_V1} bundle does not show its history whole (events after those it holds may have been left ` +
          `out): fetch the bundle again, or give --accept-v1 to check the events it holds`,
      );
    }
    if (args.file) {
      const digest = createHash('sha256').update(readLocalFile(args.file)).digest('hex');
      const copy = report.copies.find((c) => c.sha256 === digest);
      if (digest === report.contentHash) fileMatch = 'matches the filed content hash';
      else if (copy) fileMatch = `matches the copy registered at leaf ${copy.leafIndex}`;
      else {
        throw new BundleError(
          `--file: ${args.file} hashes to ${digest}, neither the filed content hash ${report.contentHash} nor a registered copy's`,
        );
      }
    }
  } catch (err) {
    if (!(err instanceof BundleError)) throw err;
    out.write(`FAILED: ${err.message}\n`);
    return 1;
  }
  const lines = [`ok: the evidence bundle of filing ${report.filingId} verifies offline`];
  const show = (label: string, value: string) => lines.push(`  ${label.padEnd(14)}${value}`);
  show('content hash', report.contentHash);
  show('filed at', report.filedAt);
  show('leaf index', String(report.leafIndex));
  show('tree size', String(report.treeSize));
  if (report.checkpointTime !== undefined) show('checkpoint', `signed at ${isoSeconds(report.checkpointTime)} by ${report.origin}`);
  show('ML-DSA-44', `cosigned by the log (${report.logMlDsa})${report.pinned.pqVkey ? ', the key given with --pq-vkey' : ''}`);
  for (const w of report.witnesses) show('witness', `${w.label} cosigned at ${isoSeconds(w.timestamp)}`);
  const given = report.pinned.witnesses;
  if (given) show('witnesses', `${given.cosigned} of the ${given.given} given with --witness cosigned (at least ${given.quorum} required)`);
  else if (report.witnesses.length > 0)
    show('witnesses', 'the keys the bundle names (give --witness to check them against keys you trust)');
  else show('witnesses', 'none in this bundle (give --witness to require the cosignatures of witnesses you trust)');
  for (const t of report.timestamps) show('time-stamp', `${t.genTime.toISOString().replace('.000Z', 'Z')} by ${t.authority}`);
  if (report.timestamps.length === 0) show('time-stamp', 'none in this bundle');
  else if (report.pinned.tsaCa) show('TSA CA', 'every time-stamp chains to the CA given with --tsa-ca');
  else show('TSA CA', "the bundle's own (give --tsa-ca to check the time-stamps against a CA you trust)");
  for (const e of report.events) show('event', `${e.type} (revision ${e.revision}, leaf ${e.leafIndex}) at ${e.recordedAt}`);
  show(
    'history',
    report.whole
      ? `whole: the log signs that the stream had these ${report.whole.events} event(s) among the first ${report.whole.treeSize} leaves`
      : `not shown to be whole: a ${EVIDENCE_FORMAT_V1} bundle has no signed head, so events after these may be left out; fetch the bundle again`,
  );
  if (args.file) show('file', `${args.file} ${fileMatch}`);
  out.write(lines.join('\n') + '\n');
  return 0;
}
