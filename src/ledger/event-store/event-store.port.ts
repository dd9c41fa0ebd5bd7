// The one event-store port every store implements (SQLite, PostgreSQL, EventStoreDB).
import type { EventEnvelope, JsonObject } from '../../verifier/envelope.js';
import { DomainError } from '../../common/domain-error.js';

/** `no-stream`: must not exist; `stream-exists`: must exist; `any`: no check; n: the stream's last revision must be n. */
export type ExpectedRevision = 'no-stream' | 'any' | 'stream-exists' | number;

export interface NewEvent {
  type: string;
  data: JsonObject;
  meta: JsonObject;
}

export interface StreamAppend {
  stream: string;
  expectedRevision: ExpectedRevision;
  events: NewEvent[];
}

export interface AppendResult {
  /** The stored envelopes, in log order, with hash, prevHash and leafIndex filled in. */
  events: EventEnvelope[];
  /** Last revision of each stream written to. */
  nextRevisions: Record<string, number>;
  /** leafIndex of the last event written. */
  lastPosition: number;
}

export class ConcurrencyError extends DomainError {
  readonly name = 'ConcurrencyError';
  constructor(
    readonly stream: string,
    readonly expected: ExpectedRevision,
    /** The stream's actual last revision, or -1 when it does not exist. */
    readonly actual: number,
  ) {
    super(
      'conflict',
      'concurrent-modification',
      `stream ${stream}: expected revision ${String(expected)}, actual ${actual === -1 ? 'no stream' : actual}`,
    );
  }

  /** Clients read that they may retry, not the store's stream names and revisions. */
  override get detail(): string {
    return 'the resource was changed by another request; retry';
  }
}

export interface ReadAllOptions {
  /** Maximum number of events; the store may return fewer. */
  limit?: number;
}

export type Unsubscribe = () => void;

export interface EventStore {
  /** Appends to one stream atomically. Durable when the promise resolves. */
  appendToStream(stream: string, events: NewEvent[], expectedRevision: ExpectedRevision): Promise<AppendResult>;
  /** Appends to several streams in one atomic commit: all expectations hold and all events are written, or nothing is. */
  appendMulti(appends: StreamAppend[]): Promise<AppendResult>;
  /**
   * The stream's events in revision order; empty when the stream does not exist. The array is the caller's; the
   * envelopes may be shared with other readers (frozen), so a caller that needs to change one copies it.
   */
  readStream(stream: string): Promise<EventEnvelope[]>;
  /** Events in global (log) order starting at leafIndex `fromPosition`. */
  readAll(fromPosition: number, options?: ReadAllOptions): Promise<EventEnvelope[]>;
  /** Number of events in the log (= next leafIndex). */
  count(): Promise<number>;
  /** Called with the new log size after every commit; in-process notification only, never the source of truth. */
  subscribe(listener: (logSize: number) => void): Unsubscribe;
  /** Readiness: the store answers. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
