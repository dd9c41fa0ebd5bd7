// Facts a dispute command needs from other streams, read from the event store itself (never from a read model).
import { identityDecider } from '../auth/identity.decider.js';
import { principalStream, type IdentityEvent } from '../auth/identity.events.js';
import { AI_DIGITAL_SOURCE_TYPES } from '../domain-rules/digital-source-types.js';
import { readContentRecord } from '../filing/content-record.js';
import { filingStream, type WorkFiledData } from '../filing/filing.events.js';
import { fold } from '../ledger/decider.js';
import type { EventStore } from '../ledger/event-store/event-store.port.js';
import type { PerceptualIndex } from '../inspection/perceptual-index.js';
import type { FiledAiWork, FilingFacts, NearAiWork } from './dispute.decider.js';
import type { EvidenceItem } from './dispute.events.js';

/** `revision`: the filing stream's last, at which a complaint marks the filing disputed. */
export type FilingRecord = FilingFacts & { digitalSourceType: string; revision: number };

/** The filing as its own stream records it (label events in the same stream are skipped), or null. */
export async function readFiling(store: EventStore, filingId: string): Promise<FilingRecord | null> {
  const events = await store.readStream(filingStream(filingId));
  const filed = events.find((e) => e.type === 'WorkFiled');
  if (!filed) return null;
  const d = filed.data as WorkFiledData;
  return {
    filingId: d.filingId,
    creator: d.creator,
    contentHash: d.contentHash,
    withdrawn: events.some((e) => e.type === 'FilingWithdrawn'),
    digitalSourceType: d.generation.digitalSourceType,
    revision: events[events.length - 1].revision,
  };
}

/**
 * Which of these hashes are the content of a filed AI work, or of a labelled copy of one: every filing of the content its
 * reservation stream names, the live one first, then those withdrawn (a withdrawn AI work is still AI-generated), then
 * the filing whose registered copy the bytes are (CopyReserved), as the public content lookup finds it.
 */
export async function filedAiWorksAmong(store: EventStore, hashes: string[]): Promise<FiledAiWork[]> {
  const found = await Promise.all(
    [...new Set(hashes)].map(async (contentHash) => {
      const record = await readContentRecord(store, contentHash);
      const filings = [...(record.live ? [record.live.filingId] : []), ...record.prior.map((p) => p.filingId)];
      if (record.copyOf !== null) filings.push(record.copyOf);
      for (const filingId of filings) {
        const filing = await readFiling(store, filingId);
        if (filing && AI_DIGITAL_SOURCE_TYPES.has(filing.digitalSourceType)) return { contentHash, filingId };
      }
      return null;
    }),
  );
  return found.filter((w): w is FiledAiWork => w !== null);
}

/** Nearest filings looked at per evidence file: enough to find an AI work among its look-alikes. */
const NEAREST = 20;

/**
 * The filed AI works (not withdrawn) each uploaded evidence picture looks like: within the similarity threshold of the
 * policy in force, by the near-duplicate index; the filing's own stream says whether it is an AI work.
 */
export async function nearAiWorksOf(store: EventStore, index: PerceptualIndex, evidence: EvidenceItem[], at: Date): Promise<NearAiWork[]> {
  const found = await Promise.all(
    evidence.map(async (e) => {
      const hash = e.inspection?.perceptualHash;
      if (!hash) return [];
      const { threshold, matches } = await index.nearest(hash, at, NEAREST);
      const works = await Promise.all(
        matches.map(async (m) => {
          const filing = await readFiling(store, m.filingId);
          return filing && !filing.withdrawn && AI_DIGITAL_SOURCE_TYPES.has(filing.digitalSourceType)
            ? { sha256: e.sha256, filingId: m.filingId, distance: m.distance, threshold }
            : null;
        }),
      );
      return works.filter((w): w is NearAiWork => w !== null);
    }),
  );
  return found.flat();
}

const IDENTITY_TYPES = new Set(['PrincipalRegistered', 'ApiKeyIssued', 'ApiKeyRevoked']);

/** The principal's roles from its own stream, or null when there is no such principal. */
export async function principalRoles(store: EventStore, principalId: string): Promise<string[] | null> {
  const events = (await store.readStream(principalStream(principalId))).filter((e) =>
    IDENTITY_TYPES.has(e.type),
  ) as unknown as IdentityEvent[];
  const state = fold(identityDecider, events);
  return state.exists ? [...state.roles] : null;
}
