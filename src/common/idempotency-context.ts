// The Idempotency-Key of a request as a token the command's events carry in their meta (`meta.idempotency`): after a
// crash between the append and the stored response, a retry finds the events by it. The token is a hash, so the export
// shows neither the principal's key nor anything to replay it with. The request hands it down with its writes
// (src/ledger/write/request-writes.ts).
import { createHash } from 'node:crypto';

/** Hex SHA-256 of the principal and the key: one token per principal and key. */
export const idempotencyToken = (principalId: string, key: string): string =>
  createHash('sha256').update(`${principalId}\n${key}`).digest('hex');
