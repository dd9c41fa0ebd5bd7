// Reading the log back, the same in every store: readAll's arguments, and the row shape both SQL stores select.
import type { EventEnvelope, JsonObject } from '../../verifier/envelope.js';
import type { ReadAllOptions } from './event-store.port.js';

export const DEFAULT_READ_LIMIT = 1000;

/** The stored row shape both SQL stores select (column aliases match). */
export interface EventRow {
  position: number | string;
  id: string;
  stream: string;
  revision: number;
  type: string;
  data: string;
  meta: string;
  recordedAt: string;
  prevHash: string;
  hash: string;
}

export function rowToEnvelope(r: EventRow): EventEnvelope {
  return {
    v: 1,
    id: r.id,
    stream: r.stream,
    revision: Number(r.revision),
    type: r.type,
    data: JSON.parse(r.data) as JsonObject,
    meta: JSON.parse(r.meta) as JsonObject,
    recordedAt: r.recordedAt,
    prevHash: r.prevHash,
    hash: r.hash,
    leafIndex: Number(r.position),
  };
}

export function validateReadAll(fromPosition: number, options?: ReadAllOptions): number {
  if (!Number.isSafeInteger(fromPosition) || fromPosition < 0) throw new TypeError(`invalid position ${fromPosition}`);
  const limit = options?.limit ?? DEFAULT_READ_LIMIT;
  if (!Number.isSafeInteger(limit) || limit < 1) throw new TypeError(`invalid limit ${limit}`);
  return limit;
}
