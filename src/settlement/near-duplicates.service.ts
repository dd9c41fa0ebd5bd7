// The near-duplicate index of every filed perceptual hash, kept in memory: loaded from the filings read model a page at
// a time on first use (the server starts that behind its listening socket), then caught up from the event store (so
// filings by other processes are seen too).
import { setImmediate } from 'node:timers/promises';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { EventStore } from '../ledger/event-store/event-store.port.js';
import { EVENT_STORE } from '../ledger/ledger.tokens.js';
import { filingStream, type FilingDetails, type PerceptualHash, type WorkFiledData } from '../filing/filing.events.js';
import { StaleTimeError } from '../ledger/event-store/event-admission.js';
import { LedgerWriter } from '../ledger/write/ledger-writer.js';
import { ProjectionRunner } from '../ledger/read-models/projection-runner.js';
import { FilingView } from '../filing/filing-view.entity.js';
import type { EventEnvelope } from '../verifier/envelope.js';
import type { Right } from '../verifier/rights-rules.js';
import {
  PERCEPTUAL_SCHEME_BITS,
  type NearDuplicateCandidate,
  type NearDuplicatesFoundData,
  type PerceptualScheme,
} from '../verifier/rights-events.js';
import type { FilingSafeguards, Screening } from '../filing/filing-safeguards.js';
import { disputeDecider, statusAt, type DisputeState } from '../disputes/dispute.decider.js';
import { disputeStream, type DisputeEvent } from '../disputes/dispute.events.js';
import { fold } from '../ledger/decider.js';
import { DisputeView } from '../disputes/dispute-view.entity.js';
import { hammingDistance, hexToWords, NearDuplicateIndex, type HashEntry, type Match } from './near-duplicate.index.js';
import { PolicyService, type PolicyRead } from '../policy/policy.service.js';
import type { PerceptualHash64 } from '../inspection/file-inspection.js';
import type { PerceptualIndex } from '../inspection/perceptual-index.js';
import { RightsQueries } from './rights.queries.js';
import type { RequestWrites } from '../ledger/write/request-writes.js';
import { ledgerNow } from '../ledger/ledger-clock.js';

/** Nearest candidates recorded per event; the review needs the closest, not all. */
export const MAX_CANDIDATES = 20;
const BATCH = 5000;
/** Rows of the filings read model read at a time while the index is first loaded: the load holds one page of rows, not the table. */
export const LOAD_PAGE = 10_000;
/** Hashed filings kept in log order for the comparison with filings committed during a screening (a few, usually). */
const RECENT = 4096;

interface RecentEntry {
  scheme: PerceptualScheme;
  words: Uint32Array;
  entry: HashEntry;
  withdrawn: boolean;
}

@Injectable()
export class NearDuplicateService {
  private readonly logger = new Logger('near-duplicates');
  private index: NearDuplicateIndex | null = null;
  private position = 0;
  private pending: Promise<number> | null = null;
  /** Every hashed filing ingested from the store from leaf `recentSince` on, in log order (bounded: the oldest go first). */
  private recent: RecentEntry[] = [];
  private readonly recentById = new Map<string, RecentEntry>();
  private recentSince = Infinity;
  /** The log size after this process's latest commit, as the store reported it (0: none yet). */
  private committed = 0;
  /** Rows read per page when the index is first loaded (LOAD_PAGE; tests make it small to cross pages). */
  loadPage = LOAD_PAGE;

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @InjectDataSource() private readonly db: DataSource,
    private readonly runner: ProjectionRunner,
  ) {
    store.subscribe((size) => {
      this.committed = size;
    });
  }

  private ingest(index: NearDuplicateIndex, e: Pick<EventEnvelope, 'type' | 'data' | 'leafIndex'>, recent = false): void {
    if (e.type === 'FilingWithdrawn') {
      index.withdraw(String(e.data.filingId));
      const r = this.recentById.get(String(e.data.filingId));
      if (r) r.withdrawn = true;
    }
    if (e.type !== 'WorkFiled') return;
    const d = e.data as WorkFiledData;
    if (!d.perceptualHash) return;
    const entry = { filingId: d.filingId, creator: d.creator, leafIndex: e.leafIndex };
    try {
      index.add(d.perceptualHash.scheme, d.perceptualHash.value, entry);
    } catch (err) {
      this.logger.warn(`filing ${d.filingId}: perceptual hash not indexed: ${(err as Error).message}`);
      return;
    }
    if (recent && !this.recentById.has(d.filingId))
      this.remember({
        scheme: d.perceptualHash.scheme,
        words: hexToWords(d.perceptualHash.value, PERCEPTUAL_SCHEME_BITS[d.perceptualHash.scheme]),
        entry,
        withdrawn: false,
      });
  }

  private remember(r: RecentEntry): void {
    this.recent.push(r);
    this.recentById.set(r.entry.filingId, r);
    if (this.recent.length <= 2 * RECENT) return;
    const dropped = this.recent.splice(0, this.recent.length - RECENT);
    for (const d of dropped) this.recentById.delete(d.entry.filingId);
    this.recentSince = dropped[dropped.length - 1].entry.leafIndex + 1;
  }

  /**
   * Covers every event this process has committed, reading the store only when it does not yet (or before any commit).
   * Another process's latest commits may be left out: the caller compares them later, as it does those that land meanwhile.
   */
  catchUpWithOwnCommits(): Promise<number> {
    return this.catchUp(this.committed);
  }

  /** Loads (once) and catches up with the store until it covers at least `atLeast` events; resolves with the log size covered. */
  async catchUp(atLeast = 0): Promise<number> {
    if (atLeast > 0 && this.index && this.position >= atLeast) return this.position;
    let covered = await this.pass();
    // A pass already under way may have read the store before that position was committed.
    while (covered < atLeast) covered = await this.pass();
    return covered;
  }

  private pass(): Promise<number> {
    this.pending ??= (async () => {
      try {
        if (!this.index) {
          const index = new NearDuplicateIndex();
          // The filings read model a page at a time (the columns the index needs, as they are stored: no entity per row),
          // then the store replayed from the position the read models had reached before the first page: each page
          // reflects at least that position, and what changed between pages is applied again (a filing already taken
          // is skipped by its leaf; a withdrawal is applied twice to no effect). The runner's position moves only once a
          // batch has committed, so it is never ahead of the rows (on SQLite a read of the checkpoint row beside an open
          // batch would see it moved before the rows are written); it is read without waiting for the runner, which a
          // filing must never do.
          const from = this.runner.position;
          for (let after = -1; ;) {
            const rows = await this.db
              .getRepository(FilingView)
              .createQueryBuilder('f')
              .select('f.filingId', 'filingId')
              .addSelect('f.creator', 'creator')
              .addSelect('f.leafIndex', 'leafIndex')
              .addSelect('f.status', 'status')
              .addSelect('f.perceptualHash', 'perceptualHash')
              .where('f.leafIndex > :after', { after })
              .orderBy('f.leafIndex')
              .limit(this.loadPage)
              .getRawMany<{ filingId: string; creator: string; leafIndex: number; status: string; perceptualHash: string | null }>();
            for (const r of rows) {
              if (r.perceptualHash === null) continue;
              this.ingest(index, {
                type: 'WorkFiled',
                leafIndex: r.leafIndex,
                data: { filingId: r.filingId, creator: r.creator, perceptualHash: JSON.parse(r.perceptualHash) } as never,
              });
              if (r.status === 'withdrawn') index.withdraw(r.filingId);
            }
            if (rows.length < this.loadPage) break;
            after = rows[rows.length - 1].leafIndex;
            // The embedded store answers synchronously: without a turn of the event loop between pages, the server would
            // answer nothing else (not even /health) until the whole table was read.
            await setImmediate();
          }
          this.index = index;
          this.position = from;
          this.recentSince = from;
        }
        for (;;) {
          const batch = await this.store.readAll(this.position, { limit: BATCH });
          if (batch.length === 0) break;
          for (const e of batch) this.ingest(this.index, e, true);
          this.position = batch[batch.length - 1].leafIndex + 1;
          if (batch.length < BATCH) break; // the end of the log as it was a moment ago: no second query to find it empty
        }
        return this.position;
      } finally {
        this.pending = null;
      }
    })();
    return this.pending;
  }

  async find(hash: PerceptualHash, threshold: number, creator: string, range: { from?: number; before?: number }): Promise<Match[]> {
    await this.catchUp(range.before === undefined ? 0 : range.before);
    return this.index!.find(hash.scheme, hash.value, threshold, creator, range).matches;
  }

  /**
   * find() for a short range of recent leaves [from, before): compares with the filings in it one by one, which costs
   * less than probing the index when they are few (the filings committed while one was being screened).
   */
  async findRecent(hash: PerceptualHash, threshold: number, creator: string, range: { from: number; before: number }): Promise<Match[]> {
    await this.catchUp(range.before);
    if (range.from < this.recentSince) return this.find(hash, threshold, creator, range);
    const query = hexToWords(hash.value, PERCEPTUAL_SCHEME_BITS[hash.scheme]);
    const matches: Match[] = [];
    for (let i = this.firstRecentAt(range.from); i < this.recent.length; i++) {
      const r = this.recent[i];
      if (r.entry.leafIndex >= range.before) break;
      if (r.scheme !== hash.scheme || r.entry.creator === creator || r.withdrawn) continue;
      const distance = hammingDistance(query, r.words);
      if (distance <= threshold) matches.push({ entry: r.entry, distance });
    }
    return matches.sort((a, b) => a.distance - b.distance || a.entry.leafIndex - b.entry.leafIndex);
  }

  /** Index of the first recent entry at or after leaf `from` (binary search: the list is in log order). */
  private firstRecentAt(from: number): number {
    let lo = 0;
    let hi = this.recent.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.recent[mid].entry.leafIndex < from) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

const candidatesOf = (matches: Match[]): NearDuplicateCandidate[] =>
  matches
    .slice(0, MAX_CANDIDATES)
    .map((m) => ({ filingId: m.entry.filingId, creator: m.entry.creator, distance: m.distance, leafIndex: m.entry.leafIndex }));

/** PERCEPTUAL_INDEX: the near-duplicate index asked about any picture, with the threshold of the policy in force. */
@Injectable()
export class PerceptualLookup implements PerceptualIndex {
  constructor(
    private readonly nearDuplicates: NearDuplicateService,
    private readonly policies: PolicyService,
  ) {}

  async nearest(hash: PerceptualHash64, at: Date, limit: number) {
    const policy = await this.policies.inForceAt(at);
    const threshold = policy.similarity[hash.scheme];
    // No principal has an empty id: every creator's filings count.
    const matches = await this.nearDuplicates.find(hash, threshold, '', {});
    return {
      threshold,
      policyVersion: policy.version,
      matches: matches
        .slice(0, limit)
        .map((m) => ({ filingId: m.entry.filingId, creator: m.entry.creator, distance: m.distance, leafIndex: m.entry.leafIndex })),
    };
  }
}

/** FILING_SAFEGUARDS: screens a new filing against earlier ones and answers its right from the rules. */
@Injectable()
export class FilingScreening implements FilingSafeguards {
  constructor(
    private readonly nearDuplicates: NearDuplicateService,
    private readonly policies: PolicyService,
    private readonly rights: RightsQueries,
    private readonly writer: LedgerWriter,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @InjectDataSource() private readonly db: DataSource,
  ) {}

  private found(
    filing: FilingDetails,
    threshold: number,
    policyVersion: number,
    matches: Match[],
    at: Date,
  ): { type: 'NearDuplicatesFound'; data: NearDuplicatesFoundData } {
    const { scheme } = filing.perceptualHash!;
    return {
      type: 'NearDuplicatesFound',
      data: { filingId: filing.filingId, scheme, threshold, policyVersion, candidates: candidatesOf(matches), foundAt: at.toISOString() },
    };
  }

  async screen(filing: FilingDetails, now: Date, read?: PolicyRead): Promise<Screening> {
    const { inForce: policy, events: policyEvents } = read ?? (await this.policies.withEvents(now));
    const hash = filing.perceptualHash;
    if (!hash) return { events: [], position: null, threshold: null, policyVersion: policy.version, policyEvents };
    // Whatever lands after `position` (another process's commits too) is compared in afterFiled.
    const position = await this.nearDuplicates.catchUpWithOwnCommits();
    const threshold = policy.similarity[hash.scheme];
    const matches = await this.nearDuplicates.find(hash, threshold, filing.creator, { before: position });
    return {
      events: matches.length ? [this.found(filing, threshold, policy.version, matches, now)] : [],
      position,
      threshold,
      policyVersion: policy.version,
      policyEvents,
    };
  }

  async afterFiled(
    filing: FilingDetails,
    filed: EventEnvelope,
    screening: Screening,
    following: readonly EventEnvelope[] = [],
    writes: RequestWrites | null = null,
  ) {
    const hash = filing.perceptualHash;
    let events = [filed, ...following];
    if (hash && screening.position !== null && screening.threshold !== null && screening.position < filed.leafIndex) {
      // Filings committed between the screening and this commit: earlier in the log, so they count too.
      const late = await this.nearDuplicates.findRecent(hash, screening.threshold, filing.creator, {
        from: screening.position,
        before: filed.leafIndex,
      });
      if (late.length) events = await this.recordLate(filing, screening, late, writes);
    }
    return this.rights.ofNewFiling(events, filing.creator, ledgerNow(), screening.policyEvents);
  }

  rightAt(filingId: string, at: Date): Promise<Right | null> {
    return this.rights.compute(filingId, at);
  }

  async disputesAgainst(filingId: string): Promise<string[]> {
    const rows = await this.db.getRepository(DisputeView).find({ select: { disputeId: true }, where: { filingId } });
    return rows.map((r) => r.disputeId);
  }

  async closedDisputes(disputeIds: readonly string[]): Promise<string[]> {
    const states = await Promise.all(
      disputeIds.map(async (id) => {
        const events = (await this.store.readStream(disputeStream(id))) as unknown as DisputeEvent[];
        return [id, fold(disputeDecider, events)] as [string, DisputeState];
      }),
    );
    // Read first, then the instant: a decision whose appeal window closed while the streams were read is final.
    const at = ledgerNow();
    const closed = new Set(['none', 'returned', 'withdrawn', 'final']);
    return states.filter(([, s]) => closed.has(statusAt(s.status, s.decision?.appealUntil ?? null, at))).map(([id]) => id);
  }

  /**
   * Appends the late NearDuplicatesFound; returns the filing stream's events from its WorkFiled on (the rules need them
   * all). Each attempt reads the time anew, so a commit refused as too long after it (stale-time) is tried again; the
   * filing is written by then, so a last such refusal is the server's error, not a 503 saying that nothing was.
   */
  private async recordLate(
    filing: FilingDetails,
    screening: Screening,
    matches: Match[],
    writes: RequestWrites | null,
  ): Promise<EventEnvelope[]> {
    const stream = filingStream(filing.filingId);
    return this.writer
      .retrying(
        3,
        async () => {
          const events = await this.store.readStream(stream);
          const event = this.found(filing, screening.threshold!, screening.policyVersion, matches, ledgerNow());
          const meta = { actor: filing.creator, cause: 'concurrent-filing' };
          const result = await this.writer.append(
            [{ stream, expectedRevision: events[events.length - 1].revision, events: [{ ...event, meta }] }],
            { writes },
          );
          return [...events, ...result.events];
        },
        true,
      )
      .catch((err: unknown) => {
        if (!(err instanceof StaleTimeError)) throw err;
        throw new Error(`filing ${filing.filingId} is written, but its late NearDuplicatesFound was not: ${err.message}`, { cause: err });
      });
  }
}
