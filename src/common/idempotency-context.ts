// The Idempotency-Key of the request being served, as a token the command's events carry in their meta
// (`meta.idempotency`): after a crash between the append and the stored response, a retry finds the events by it.
// The token is a hash, so the export shows neither the principal's key nor anything to replay it with.
import { AsyncLocalStorage } from 'node:async_hooks';
import { createHash } from 'node:crypto';
import type { JsonObject } from '../verifier/envelope.js';

const current = new AsyncLocalStorage<string>();

/** Hex SHA-256 of the principal and the key: one token per principal and key. */
export const idempotencyToken = (principalId: string, key: string): string =>
  createHash('sha256').update(`${principalId}\n${key}`).digest('hex');

/** Runs `work` (and everything it awaits) as the request holding `token`. */
export const runWithIdempotencyToken = <T>(token: string, work: () => T): T => current.run(token, work);

/** `meta` with the current request's token, when the request has an Idempotency-Key. */
export function withIdempotencyToken(meta: JsonObject): JsonObject {
  const token = current.getStore();
  return token === undefined ? meta : { ...meta, idempotency: token };
}
