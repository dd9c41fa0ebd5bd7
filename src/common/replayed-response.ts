// The answer a request with an Idempotency-Key gets when the key's first request was carried out: that request's
// status and body again. Thrown before the handler runs (src/ledger/write/idempotency.ts), sent by the exception filter.
export class ReplayedResponse extends Error {
  readonly name = 'ReplayedResponse';
  constructor(
    readonly status: number,
    /** The first answer's body, as it was sent (JSON). */
    readonly body: string,
  ) {
    super("the answer of the Idempotency-Key's first request");
  }
}
