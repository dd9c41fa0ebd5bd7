// The JSON documents `verify-receipt` reads, each strictly (exactly its fields, of their types, as `verify-evidence`
// reads a bundle): a receipt as GET /v1/filings/:id/receipt answers it (with its `filing` block) or as an evidence bundle
// holds it (without one), and the public receipt of a content hash (GET /v1/public/content/:sha256/receipt), which wraps
// a receipt with what the server says it is of (`contentHash`, `match`, `filingId`) and the ledger's keys.
import { type EventEnvelope, isHex64 } from '../verifier/envelope.js';
import type { PublishedKeys } from '../verifier/public-receipt.js';
import type { CarriedTimestamp } from '../verifier/timestamp-token.js';
import type { JsonReceipt } from '../verifier/tlog-proof.js';

/** A document that is not one of those `verify-receipt` reads, or holds a field it does not. */
export class ReceiptDocumentError extends Error {}

export type ReadReceipt = JsonReceipt & { timestamps?: CarriedTimestamp[] };

/**
 * The `filing` block of GET /v1/filings/:id/receipt: the filing's id, time and leaf, which the entry proves and must
 * agree with, and who held the right when the server answered, which it does not prove.
 */
export interface FilingStatement {
  filingId: string;
  filedAt: string;
  leafIndex: number;
  holder: { id: string; name: string | null };
}

/** What a public receipt says besides its receipt: the content it is of, how it matched, the filing, the ledger's keys. */
export interface PublicWrapper {
  contentHash: string;
  match: 'content' | 'copy';
  filingId: string;
  keys: PublishedKeys;
}

export interface ReceiptDocument {
  receipt: ReadReceipt;
  filing?: FilingStatement;
  wrapper?: PublicWrapper;
}

const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
const isIndex = (x: unknown): x is number => Number.isSafeInteger(x) && (x as number) >= 0;

/** `value` is an object with every field of `required`, and no field outside it and `optional`. */
function shape(value: unknown, required: readonly string[], optional: readonly string[], where: string): Record<string, unknown> {
  if (!isObject(value)) throw new ReceiptDocumentError(`${where} is not an object`);
  const keys = Object.keys(value);
  const extra = keys.find((k) => !required.includes(k) && !optional.includes(k));
  if (extra !== undefined) throw new ReceiptDocumentError(`${where} has an unexpected field ${JSON.stringify(extra)}`);
  const missing = required.find((k) => !keys.includes(k));
  if (missing !== undefined) throw new ReceiptDocumentError(`${where} has no field ${missing}`);
  return value;
}

const RECEIPT_FIELDS = ['entry', 'leafIndex', 'treeSize', 'inclusionProof', 'checkpoint'];

/** A receipt's own fields, checked for their types; the entry is checked by the verifier (envelopeProblem). */
function readReceipt(value: unknown, optional: readonly string[], where: string): Record<string, unknown> {
  const r = shape(value, RECEIPT_FIELDS, ['timestamps', ...optional], where);
  if (!isIndex(r.leafIndex) || !isIndex(r.treeSize)) throw new ReceiptDocumentError(`${where} has no whole-number leafIndex and treeSize`);
  const p = shape(r.inclusionProof, ['leafIndex', 'treeSize', 'hashes'], [], `${where}'s inclusionProof`);
  if (!isIndex(p.leafIndex) || !isIndex(p.treeSize))
    throw new ReceiptDocumentError(`${where}'s inclusionProof has no whole-number leafIndex and treeSize`);
  if (!Array.isArray(p.hashes) || !p.hashes.every(isHex64))
    throw new ReceiptDocumentError(`${where}'s inclusionProof hashes are not 64 lowercase hex digits each`);
  if (typeof r.checkpoint !== 'string') throw new ReceiptDocumentError(`${where}'s checkpoint is not a signed note`);
  if (r.timestamps !== undefined) {
    if (!Array.isArray(r.timestamps)) throw new ReceiptDocumentError(`${where}'s timestamps is not a list`);
    r.timestamps.forEach((t, i) => {
      const s = shape(t, ['tsa', 'time', 'token'], [], `${where}'s timestamps[${i}]`);
      if (typeof s.tsa !== 'string' || !isIndex(s.time) || typeof s.token !== 'string')
        throw new ReceiptDocumentError(`${where}'s timestamps[${i}] needs a tsa, a whole-number time and a base64 token`);
    });
  }
  return r;
}

function readFiling(value: unknown): FilingStatement {
  const f = shape(value, ['filingId', 'filedAt', 'leafIndex', 'holder'], [], "the receipt's filing block");
  if (typeof f.filingId !== 'string' || typeof f.filedAt !== 'string' || !isIndex(f.leafIndex))
    throw new ReceiptDocumentError("the receipt's filing block needs a filingId, a filedAt and a whole-number leafIndex");
  const h = shape(f.holder, ['id', 'name'], [], "the receipt's filing.holder");
  if (typeof h.id !== 'string' || (h.name !== null && typeof h.name !== 'string'))
    throw new ReceiptDocumentError("the receipt's filing.holder needs an id and a name (or null)");
  return f as unknown as FilingStatement;
}

function readKeys(value: unknown): PublishedKeys {
  const k = shape(value, ['log', 'logMlDsa44', 'witnesses', 'witnessQuorum', 'tsaCertificates'], [], "the public receipt's keys");
  if (
    typeof k.log !== 'string' ||
    typeof k.logMlDsa44 !== 'string' ||
    !Array.isArray(k.witnesses) ||
    !k.witnesses.every((w) => typeof w === 'string') ||
    !isIndex(k.witnessQuorum) ||
    (k.tsaCertificates !== null && typeof k.tsaCertificates !== 'string')
  )
    throw new ReceiptDocumentError(
      "the public receipt's keys need log and logMlDsa44 vkeys, a list of witness vkeys, a whole-number witnessQuorum and tsaCertificates (PEM or null)",
    );
  return k as unknown as PublishedKeys;
}

/**
 * The parts of a JSON receipt document, every object holding exactly its fields: a public receipt when it has a
 * `receipt` member, else a receipt (with or without a `filing` block). Throws ReceiptDocumentError naming the first
 * field that is not. Nothing is verified here.
 */
export function readReceiptDocument(value: unknown): ReceiptDocument {
  if (isObject(value) && 'receipt' in value) {
    const w = shape(value, ['contentHash', 'match', 'filingId', 'receipt', 'keys'], [], 'the public receipt');
    if (!isHex64(w.contentHash)) throw new ReceiptDocumentError("the public receipt's contentHash is not 64 lowercase hex digits");
    if (w.match !== 'content' && w.match !== 'copy')
      throw new ReceiptDocumentError('the public receipt\'s match is neither "content" nor "copy"');
    if (typeof w.filingId !== 'string') throw new ReceiptDocumentError("the public receipt's filingId is not a string");
    const receipt = readReceipt(w.receipt, [], "the public receipt's receipt") as unknown as ReadReceipt;
    return { receipt, wrapper: { contentHash: w.contentHash, match: w.match, filingId: w.filingId, keys: readKeys(w.keys) } };
  }
  const r = readReceipt(value, ['filing'], 'the receipt');
  const { filing, ...receipt } = r;
  return filing === undefined
    ? { receipt: receipt as unknown as ReadReceipt }
    : { receipt: receipt as unknown as ReadReceipt, filing: readFiling(filing) };
}

/**
 * Where a receipt's `filing` block differs from what its entry proves, or undefined when it agrees: the block comes
 * with a filing's receipt, whose entry is the filing's WorkFiled, and restates its filing, time and leaf.
 */
export function filingDisagreement(filing: FilingStatement, entry: EventEnvelope): string | undefined {
  const data = entry.data as { filingId?: unknown; filedAt?: unknown };
  if (entry.type !== 'WorkFiled') return `the entry is a ${entry.type}, not the filing's WorkFiled`;
  if (filing.filingId !== data.filingId) return `filingId ${filing.filingId} is not the filing the entry proves, ${String(data.filingId)}`;
  if (filing.filedAt !== data.filedAt) return `filedAt ${filing.filedAt} is not the time the entry proves, ${String(data.filedAt)}`;
  if (filing.leafIndex !== entry.leafIndex) return `leafIndex ${filing.leafIndex} is not the entry's, ${entry.leafIndex}`;
  return undefined;
}
