// The record of one content hash: the filing holding it now, the earlier filings of it that were withdrawn, and the
// revision at which the next reservation must be appended. Read from the store (the reservation stream and the filing
// streams it names), never from a read model.
import type { EventStore, ExpectedRevision } from '../ledger/event-store/event-store.port.js';
import type { EventEnvelope } from '../verifier/envelope.js';
import { contentStream, filingStream, type PriorFiling, type WorkFiledData } from './filing.events.js';

export interface LiveFiling {
  filingId: string;
  creator: string;
  /** The filing's WorkFiled envelope: its time and position are the filing's, everywhere. */
  filed: EventEnvelope;
}

export interface ContentRecord {
  live: LiveFiling | null;
  /** The filing whose registered distribution copy these bytes are (CopyReserved): they are never filed. */
  copyOf: string | null;
  prior: PriorFiling[];
  /** The reservation stream's last revision (`no-stream` when the content was never filed). */
  expected: ExpectedRevision;
}

/** A filing's WorkFiled and FilingWithdrawn envelopes, from its own stream. */
export async function filingMilestones(
  store: EventStore,
  filingId: string,
): Promise<{ filed: EventEnvelope | null; withdrawn: EventEnvelope | null }> {
  const events = await store.readStream(filingStream(filingId));
  return { filed: events.find((e) => e.type === 'WorkFiled') ?? null, withdrawn: events.find((e) => e.type === 'FilingWithdrawn') ?? null };
}

export async function readContentRecord(store: EventStore, contentHash: string): Promise<ContentRecord> {
  const events = await store.readStream(contentStream(contentHash));
  const prior: PriorFiling[] = [];
  let live: LiveFiling | null = null;
  let copyOf: string | null = null;
  for (const e of events) {
    if (e.type === 'ContentReserved') {
      const { filed, withdrawn } = await filingMilestones(store, String(e.data.filingId));
      if (!filed) continue;
      const filedAt = (filed.data as WorkFiledData).filedAt;
      // A filing withdrawn before withdrawals released their content holds it no longer either.
      if (withdrawn) prior.push({ filingId: String(e.data.filingId), filedAt, withdrawnAt: String(withdrawn.data.withdrawnAt) });
      live = withdrawn ? null : { filingId: String(e.data.filingId), creator: String(e.data.creator), filed };
    } else if (e.type === 'ContentReleased') {
      live = null;
    } else if (e.type === 'CopyReserved') {
      copyOf = String(e.data.filingId);
    }
  }
  return { live, copyOf, prior: dedupe(prior), expected: events.length === 0 ? 'no-stream' : events[events.length - 1].revision };
}

const dedupe = (prior: PriorFiling[]) => [...new Map(prior.map((p) => [p.filingId, p])).values()];
