// What one request writes, kept on the request itself and handed down explicitly (controller → command → handler →
// LedgerWriter): the Idempotency-Key token its command's events carry in their meta, and the log position its commits
// reached, which the server answers (ReadYourWrites) in `Ledger-Position` and remembers for the principal's next reads.
// Explicit rather than in an AsyncLocalStorage: on Node 20 that turns on promise hooks for every promise of the process.
import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { Command } from '@nestjs/cqrs';
import type { JsonObject } from '../../verifier/envelope.js';

export interface RequestWrites {
  /** The log size after the request's last commit (every event below it is durable), 0 before any. */
  position: number;
  /** The request's Idempotency-Key as a token (`idempotencyToken`), when it has one. */
  idempotency: string | null;
  /** An upload with an Idempotency-Key whose key is not yet claimed: it must not write until its route read it (uploadRead). */
  awaitingUpload?: boolean;
}

type WithWrites = { ledgerWrites?: RequestWrites };

/** The writes of this request (an HTTP request object), made the first time they are asked for. */
export function requestWrites(request: object): RequestWrites {
  const r = request as WithWrites;
  return (r.ledgerWrites ??= { position: 0, idempotency: null });
}

/** The log size this request's commits reached, 0 when it wrote nothing (nothing is made for a request that never asked). */
export function writtenPosition(request: object): number {
  return (request as WithWrites).ledgerWrites?.position ?? 0;
}

/** A controller's parameter: the writes of the request it serves, to hand to the command it sends. */
export const CurrentWrites = createParamDecorator((_: unknown, ctx: ExecutionContext): RequestWrites =>
  requestWrites(ctx.switchToHttp().getRequest<object>()),
);

/** A command that writes to the ledger, and the request it writes for (none for the server's own work). */
export abstract class LedgerCommand<R> extends Command<R> {
  writes: RequestWrites | null = null;

  /** This command, writing for the request whose `writes` are given. */
  forRequest(writes: RequestWrites | null): this {
    this.writes = writes;
    return this;
  }
}

/** Records a commit that left the log `logSize` events long. */
export function recordWrite(writes: RequestWrites | null | undefined, logSize: number): void {
  if (writes && logSize > writes.position) writes.position = logSize;
}

/** `meta` with the request's Idempotency-Key token, when it has one. */
export function withIdempotencyToken(meta: JsonObject, writes: RequestWrites | null | undefined): JsonObject {
  // A route that takes uploads and writes without having the upload compared would let a retry write again.
  if (writes?.awaitingUpload) throw new Error('an upload with an Idempotency-Key writes before uploadRead compared it with the key');
  return writes?.idempotency ? { ...meta, idempotency: writes.idempotency } : meta;
}
