// Answers of the ledger's endpoints, as the OpenAPI document describes them (their schemas come from these properties).
import type { EventEnvelope, JsonValue } from '../verifier/envelope.js';
import type { LogKeys } from './log/attestors.js';
import type { AttestedCheckpoint, CheckpointTimestamp, ConsistencyProof, InclusionProof, Receipt } from './log/merkle-log.js';

/** An event as stored, exported and verified: its hashed body, its hash and its place in the log. */
export class EventEnvelopeDto implements EventEnvelope {
  v: 1;
  /** Event id (UUIDv7). */
  id: string;
  /** The stream it belongs to, e.g. filing-<id>. */
  stream: string;
  /** 0-based position in its stream. */
  revision: number;
  /** Event type, e.g. WorkFiled. */
  type: string;
  /** The event's fields (see the event catalogue). */
  data: Record<string, JsonValue>;
  /** Who and how: actor, idempotency hash, … */
  meta: Record<string, JsonValue>;
  recordedAt: string;
  /** The hash of the stream's previous event (64 zeros for the first). */
  prevHash: string;
  /** SHA-256 of the RFC 8785 canonical JSON of the body. */
  hash: string;
  /** 0-based position in the log. */
  leafIndex: number;
}

export class InclusionProofDto implements InclusionProof {
  leafIndex: number;
  treeSize: number;
  /** Audit path, hex, leaf to root. */
  hashes: string[];
}

export class ConsistencyProofDto implements ConsistencyProof {
  from: number;
  to: number;
  hashes: string[];
}

export class CheckpointTimestampDto implements CheckpointTimestamp {
  /** The time-stamp authority's URL. */
  tsa: string;
  /** genTime, unix seconds. */
  time: number;
  /** The DER TimeStampToken, base64. */
  token: string;
}

export class CosignatureDto {
  /** `<name>+<hex key ID>` of the cosigner. */
  cosigner: string;
  time: number;
}

export class AttestedCheckpointDto implements AttestedCheckpoint {
  treeSize: number;
  /** Root hash, base64 (as in the note). */
  rootHash: string;
  time: number;
  /** The C2SP signed note, with every cosignature line. */
  note: string;
  cosignatures: CosignatureDto[];
  timestamps: CheckpointTimestampDto[];
}

export class CheckpointPageDto {
  items: AttestedCheckpointDto[];
  /** Pass as `cursor` for the next (older) page; null on the last. */
  nextCursor: string | null;
}

export class EntriesDto {
  items: EventEnvelopeDto[];
}

export class LogKeysDto implements LogKeys {
  /** The log's Ed25519 vkey (signed-note type 0x01). */
  log: string;
  /** The log's ML-DSA-44 cosigner vkey (type 0x06). */
  logMlDsa44: string;
  /** Witness cosigner vkeys (type 0x04). */
  witnesses: string[];
  /** How many witnesses must cosign. */
  witnessQuorum: number;
  /** The CA certificates (PEM) the TSAs chain to; null without TSAs. */
  tsaCertificates: string | null;
}

/** Proof that an event is in the log: the entry, its inclusion proof and a signed checkpoint of the tree it was proved in. */
export class ReceiptDto implements Receipt {
  entry: EventEnvelopeDto;
  leafIndex: number;
  treeSize: number;
  inclusionProof: InclusionProofDto;
  /** The signed checkpoint note. */
  checkpoint: string;
  /** Present when the checkpoint has RFC 3161 tokens. */
  timestamps?: CheckpointTimestampDto[];
}

export class LivenessDto {
  status: 'alive';
}

export class HealthDto {
  status: 'ok';
  store: 'up';
  /** Events in the log. */
  logSize: number;
  /** Events the read models have caught up to. */
  projectedTo: number;
  /**
   * This instance integrates the events into the Merkle tree and signs the checkpoints (one instance of a shared store
   * does).
   */
  sequencer: boolean;
  /** The latest signed checkpoint: its tree size and time (Unix seconds); null before the first. */
  checkpoint: HealthCheckpointDto | null;
  /** With witnesses configured: the largest checkpoint each has cosigned (null: none yet). */
  witnesses?: HealthWitnessDto[];
  /** With TSAs configured: the largest checkpoint one of them has time-stamped (null: none yet). */
  timestampedSize?: number | null;
}

export class HealthCheckpointDto {
  treeSize: number;
  time: number;
}

export class HealthWitnessDto {
  /** `<name>+<hex key ID>`, as in the checkpoint history. */
  witness: string;
  cosignedSize: number | null;
}
