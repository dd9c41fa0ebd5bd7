// Filings committed by a test straight to the store, as the filing handler commits them, without a request: for the
// suites that commit one between another filing's screening and its commit.
import { v7 as uuidv7 } from 'uuid';
import type { FilingDetails } from '../../src/filing/filing.events.js';
import type { EventStore } from '../../src/ledger/event-store/event-store.port.js';
import type { EventEnvelope } from '../../src/verifier/envelope.js';
import { filingBody } from './ledger-app.js';

/** A filing's details as the filing handler records them (what the request leaves out is null), with a phash64. */
export function filingDetails(creator: string, phash64: string): FilingDetails {
  const body = filingBody() as unknown as FilingDetails;
  return {
    ...body,
    filingId: uuidv7(),
    creator,
    generation: { ...body.generation, parametersHash: null },
    processEvidence: [],
    perceptualHash: { scheme: 'phash64', value: phash64 },
  };
}

/** Commits `filing` filed at `filedAt` as the handler does (its content's reservation, then its WorkFiled): the WorkFiled. */
export async function commitFiling(store: EventStore, filing: FilingDetails, filedAt: Date): Promise<EventEnvelope> {
  const { contentHash, filingId, creator } = filing;
  const meta = { actor: creator };
  const { events } = await store.appendMulti([
    {
      stream: `content-${contentHash}`,
      expectedRevision: 'no-stream',
      events: [{ type: 'ContentReserved', data: { contentHash, filingId, creator }, meta }],
    },
    {
      stream: `filing-${filingId}`,
      expectedRevision: 'no-stream',
      events: [{ type: 'WorkFiled', data: { ...filing, filedAt: filedAt.toISOString() } as never, meta }],
    },
  ]);
  return events[1];
}
