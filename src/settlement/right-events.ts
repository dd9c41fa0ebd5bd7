// The events one right depends on, read from the event store: its filing stream, the disputes against it, the upheld
// disputes against its creator (repeat-infringer rule) and the policy stream. The read model only says which dispute
// streams to read; the facts come from the streams.
import type { DataSource, EntityManager } from 'typeorm';
import { filingStream, type WorkFiledData } from '../filing/filing.events.js';
import { disputeStream } from '../disputes/dispute.events.js';
import type { EventStore } from '../ledger/event-store.port.js';
import { DisputeView } from '../projections/dispute-view.entity.js';
import type { EventEnvelope } from '../verifier/envelope.js';
import { POLICY_STREAM } from '../verifier/rights-rules.js';

/** Every event a right depends on, in log order, up to leaf `upTo` (a projection replays as of its own event). */
export async function loadRightEvents(
  store: EventStore, db: Pick<DataSource | EntityManager, 'getRepository'>, filingId: string, upTo = Infinity,
): Promise<EventEnvelope[]> {
  const filingEvents = await store.readStream(filingStream(filingId));
  const filed = filingEvents.find((e) => e.type === 'WorkFiled');
  if (!filed || filed.leafIndex > upTo) return [];
  const { creator } = filed.data as WorkFiledData;
  // A dispute upheld in the end has outcome `upheld` in the read model whatever happened on the way.
  const disputes = await db.getRepository(DisputeView).find({ select: { disputeId: true }, where: [{ filingId }, { respondent: creator, outcome: 'upheld' }] });
  const streams = await Promise.all([...new Set(disputes.map((d) => d.disputeId))].map((id) => store.readStream(disputeStream(id))));
  const policy = await store.readStream(POLICY_STREAM);
  return [...filingEvents, ...streams.flat(), ...policy].filter((e) => e.leafIndex <= upTo).sort((a, b) => a.leafIndex - b.leafIndex);
}
