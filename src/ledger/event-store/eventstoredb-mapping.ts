// The pure half of the EventStoreDB adapter: how our port's revisions, errors, envelopes and global order map onto
// EventStoreDB streams. No I/O here, so all of it is tested without a server (test/ledger/eventstoredb-mapping.spec.ts).
//
// Layout on the node (every name behind an optional prefix, so several ledgers or test runs can share one node):
//   <stream>           our stream, same name; ESDB stream revision n = our revision n (both 0-based, BigInt there).
//                      Event id = envelope id, type = envelope type, data = envelope data, metadata = the rest of
//                      the envelope (v, stream, revision, recordedAt, prevHash, hash, meta) + a sequence hint.
//   ledger-sequence    the global order. Its revision n is leafIndex n: ESDB keeps a stream's revisions contiguous,
//                      which $all commit positions are not. Each event is a copy of one envelope (with leafIndex) and
//                      the $all position it was read at. Appended only with an exact expected revision, by whichever
//                      process sequences (any writer, for its own events and everything committed before them):
//                      two sequencers racing cannot fork, skip or repeat the order; the loser re-reads and goes on.
//   ledger-genesis     one event written when the ledger is first opened: sequencing scans $all from there.
import {
  ANY,
  NO_STREAM,
  STREAM_EXISTS,
  type AppendExpectedRevision,
  type CurrentRevision,
  type JSONEventData,
  type Position,
} from '@eventstore/db-client';
import { v5 as uuidv5 } from 'uuid';
import type { EnvelopeBody, EventEnvelope, JsonObject } from '../../verifier/envelope.js';
import { ConcurrencyError, type ExpectedRevision } from './event-store.port.js';
import { expectationHolds } from './append-planning.js';

export const SEQUENCE_STREAM = 'ledger-sequence';
export const GENESIS_STREAM = 'ledger-genesis';
export const SEQUENCED_TYPE = 'LeafSequenced';
export const GENESIS_TYPE = 'LedgerGenesis';
/** Sequence event ids derive from envelope ids: a retried append of the same leaf is idempotent on the server too. */
const SEQUENCE_ID_NAMESPACE = '4f1d6a52-8a0e-4c57-9b0b-5d3c2f6e7a10';
/** ESDB refuses appends above 1 MiB by default; sequencing batches stay well below. */
export const SEQUENCE_BATCH_BYTES = 512 * 1024;
export const SEQUENCE_BATCH_EVENTS = 500;

// ---- Revisions and errors. ----

/**
 * The ESDB expectation for an append whose events were hashed on top of the stream head `head` (-1: no stream).
 * Always exact, whatever the caller asked: each event's prevHash is the hash of the head we read, so the append
 * must land on that very head. `any` and `stream-exists` are checked by us first (see planAppend) and a lost race
 * retried (see onWrongExpectedVersion); `no-stream` and n are what ESDB checks natively anyway.
 */
export function exactExpectedRevision(head: number): AppendExpectedRevision {
  if (!Number.isSafeInteger(head) || head < -1) throw new RangeError(`invalid stream head ${head}`);
  return head === -1 ? NO_STREAM : BigInt(head);
}

/** The plain mapping of our expectation onto ESDB's constants, for appends without a hash chain (the genesis marker). */
export function toEsdbExpectedRevision(expected: ExpectedRevision): AppendExpectedRevision {
  switch (expected) {
    case 'no-stream':
      return NO_STREAM;
    case 'any':
      return ANY;
    case 'stream-exists':
      return STREAM_EXISTS;
    default:
      if (!Number.isSafeInteger(expected) || expected < 0) throw new RangeError(`invalid expected revision ${String(expected)}`);
      return BigInt(expected);
  }
}

/** ESDB's current revision (`no_stream` or a BigInt) as our last revision (-1 for none). */
export function fromEsdbRevision(revision: CurrentRevision | bigint): number {
  if (revision === NO_STREAM) return -1;
  if (typeof revision !== 'bigint' || revision < 0n || revision > BigInt(Number.MAX_SAFE_INTEGER))
    throw new RangeError(`unexpected stream revision ${String(revision)}`);
  return Number(revision);
}

/**
 * What a WrongExpectedVersionError means for the caller: when the caller's own expectation still holds for the
 * actual revision (`any`, `stream-exists`, or a race we lost before the caller's check mattered), the append is
 * re-planned on the new head and retried; otherwise it is our ConcurrencyError.
 */
export function onWrongExpectedVersion(
  stream: string,
  expected: ExpectedRevision,
  actual: CurrentRevision | bigint,
): 'retry' | ConcurrencyError {
  const last = fromEsdbRevision(actual);
  return expectationHolds(expected, last) ? 'retry' : new ConcurrencyError(stream, expected, last);
}

// ---- Stream names and system events. ----

export class StreamNames {
  constructor(readonly prefix = '') {
    if (prefix.startsWith('$')) throw new TypeError('an EventStoreDB stream prefix must not start with $ (system streams)');
  }

  esdb(stream: string): string {
    return this.prefix + stream;
  }

  /** Our name for an ESDB stream, or null when it is not one of ours (another prefix, or a system stream). */
  ours(esdbStream: string): string | null {
    if (esdbStream.startsWith('$') || !esdbStream.startsWith(this.prefix)) return null;
    return esdbStream.slice(this.prefix.length);
  }

  get sequence(): string {
    return this.esdb(SEQUENCE_STREAM);
  }
  get genesis(): string {
    return this.esdb(GENESIS_STREAM);
  }
}

/** The ledger's own bookkeeping streams: no caller may append to them. */
export const isReservedStream = (stream: string) => stream === SEQUENCE_STREAM || stream === GENESIS_STREAM;

/** `$`-prefixed streams ($settings, $stats-…, $ce-…, metadata $$…) and types ($>, $metadata, …) belong to the server. */
export const isSystemEvent = (e: { streamId: string; type: string }) => e.streamId.startsWith('$') || e.type.startsWith('$');

// ---- Envelopes. ----

/** Envelope fields that travel in ESDB metadata (data carries `data` itself). */
export interface LedgerMetadata {
  ledger: { v: 1; stream: string; revision: number; recordedAt: string; prevHash: string; hash: string; seqHint: number };
  meta: JsonObject;
}

/** An envelope as an ESDB event. `seqHint`: the sequence length before the append, a lower bound of its leafIndex. */
export function toEsdbEvent(e: EnvelopeBody & { hash: string }, seqHint: number): JSONEventData {
  const metadata: LedgerMetadata = {
    ledger: { v: e.v, stream: e.stream, revision: e.revision, recordedAt: e.recordedAt, prevHash: e.prevHash, hash: e.hash, seqHint },
    meta: e.meta,
  };
  return { id: e.id, contentType: 'application/json', type: e.type, data: e.data, metadata: metadata as unknown as JsonObject };
}

/** What the adapter needs of an ESDB recorded event. */
export interface RecordedLike {
  streamId: string;
  id: string;
  revision: bigint;
  type: string;
  isJson: boolean;
  data: unknown;
  metadata: unknown;
}

/**
 * The envelope an ESDB event carries, with its sequence hint; null when the event is not one of this ledger's
 * (system events, other prefixes, events without our metadata, our own bookkeeping streams). Throws when the event
 * claims to be ours but its metadata disagrees with where ESDB stored it.
 */
export function envelopeOf(r: RecordedLike, names: StreamNames): { body: EnvelopeBody & { hash: string }; seqHint: number } | null {
  if (isSystemEvent(r)) return null;
  const stream = names.ours(r.streamId);
  if (stream === null || isReservedStream(stream) || !r.isJson) return null;
  const m = r.metadata as Partial<LedgerMetadata> | undefined;
  const l = m?.ledger;
  if (!l || typeof l !== 'object' || l.v !== 1) return null;
  if (l.stream !== stream || BigInt(l.revision) !== r.revision) {
    throw new Error(`ESDB event ${r.id} in ${r.streamId}@${r.revision} carries the envelope of ${l.stream}@${l.revision}`);
  }
  const body = {
    v: 1 as const,
    id: r.id,
    stream,
    revision: l.revision,
    type: r.type,
    data: r.data as JsonObject,
    meta: (m!.meta ?? {}) as JsonObject,
    recordedAt: l.recordedAt,
    prevHash: l.prevHash,
    hash: l.hash,
  };
  return { body, seqHint: l.seqHint };
}

// ---- The sequence. ----

export const comparePositions = (a: Position, b: Position): number =>
  a.commit !== b.commit ? (a.commit < b.commit ? -1 : 1) : a.prepare === b.prepare ? 0 : a.prepare < b.prepare ? -1 : 1;

/** One entry of ledger-sequence: the envelope (with its leafIndex = the entry's revision) and its $all position. */
export interface SequencedLeaf {
  envelope: EventEnvelope;
  position: Position;
}

interface SequenceData {
  envelope: EventEnvelope;
  commit: string;
  prepare: string;
}

export function toSequenceEvent(leaf: SequencedLeaf): JSONEventData {
  const data: SequenceData = {
    envelope: leaf.envelope,
    commit: leaf.position.commit.toString(),
    prepare: leaf.position.prepare.toString(),
  };
  return {
    id: uuidv5(leaf.envelope.id, SEQUENCE_ID_NAMESPACE),
    contentType: 'application/json',
    type: SEQUENCED_TYPE,
    data: data as unknown as JsonObject,
    metadata: undefined,
  };
}

export function fromSequenceEvent(r: Pick<RecordedLike, 'revision' | 'type' | 'data'>): SequencedLeaf {
  const d = r.data as SequenceData;
  if (r.type !== SEQUENCED_TYPE || !d?.envelope) throw new Error(`ledger-sequence@${r.revision} is not a ${SEQUENCED_TYPE} event`);
  if (BigInt(d.envelope.leafIndex) !== r.revision) throw new Error(`ledger-sequence@${r.revision} holds leafIndex ${d.envelope.leafIndex}`);
  return { envelope: d.envelope, position: { commit: BigInt(d.commit), prepare: BigInt(d.prepare) } };
}

/** A not-yet-sequenced event read from $all. */
export interface Candidate {
  body: EnvelopeBody & { hash: string };
  position: Position;
}

/**
 * The next append to ledger-sequence: the candidates after `tail` (the last sequenced leaf, null when none), in $all
 * order, numbered from the tail's leafIndex + 1, cut to one append's size; expected revision = the tail's.
 */
export function planSequence(
  tail: SequencedLeaf | null,
  candidates: Candidate[],
): { expectedRevision: AppendExpectedRevision; leaves: SequencedLeaf[] } {
  const next = tail ? tail.envelope.leafIndex + 1 : 0;
  const leaves: SequencedLeaf[] = [];
  let bytes = 0;
  for (const c of candidates) {
    if (tail && comparePositions(c.position, tail.position) <= 0) continue; // already sequenced (read from the tail's own position)
    const prev = leaves.at(-1);
    if (prev && comparePositions(c.position, prev.position) <= 0) throw new Error('$all returned events out of order');
    const leaf = { envelope: { ...c.body, leafIndex: next + leaves.length }, position: c.position };
    bytes += JSON.stringify(leaf.envelope).length + 64;
    if (leaves.length > 0 && (leaves.length >= SEQUENCE_BATCH_EVENTS || bytes > SEQUENCE_BATCH_BYTES)) break;
    leaves.push(leaf);
  }
  return { expectedRevision: exactExpectedRevision(next - 1), leaves };
}
