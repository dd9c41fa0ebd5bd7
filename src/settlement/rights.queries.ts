// Reads of the rights register: one right for any instant by the pure rules, and the read-model list.
import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { MoreThan, type DataSource, type FindOptionsWhere } from 'typeorm';
import { notFound } from '../common/domain-error.js';
import type { EventStore } from '../ledger/event-store/event-store.port.js';
import { EVENT_STORE } from '../ledger/ledger.tokens.js';
import { RightView } from './right-view.entity.js';
import { rightOf } from '../verifier/rights-book.js';
import type { Right } from '../verifier/rights-rules.js';
import { loadRightEvents, mergeRightEvents } from './right-events.js';
import { DisputeView } from '../disputes/dispute-view.entity.js';
import { disputeStream } from '../disputes/dispute.events.js';
import { KeyedRead } from '../ledger/read-models/keyed-read.js';
import type { EventEnvelope } from '../verifier/envelope.js';
import { POLICY_STREAM } from '../verifier/rights-events.js';

export interface ListRights {
  status?: string;
  holder?: string;
  creator?: string;
  flag?: string;
  limit?: number;
  cursor?: string;
}

export const rightResource = (r: RightView) => ({
  filingId: r.filingId,
  creator: r.creator,
  holder: r.holder,
  status: r.status,
  rule: r.rule,
  cause: r.cause,
  since: r.since,
  flags: r.flags,
  policyVersion: r.policyVersion,
  filedAt: r.filedAt,
  labelDueAt: r.labelDueAt,
  quietUntil: r.quietUntil,
  labelsDeclaredAt: r.labelsDeclaredAt,
  confirmedAt: r.confirmedAt,
  expiresAt: r.expiresAt,
  nearDuplicates: r.nearDuplicates,
  similarityDecision: r.similarityDecision,
  probationDecision: r.probationDecision,
  asOf: r.asOf,
  leafIndex: r.leafIndex,
});

@Injectable()
export class RightsQueries implements OnModuleDestroy {
  /** The disputes upheld against a creator (the repeat-infringer rule), read on every filing. */
  private readonly upheldAgainst: KeyedRead<{ respondent: string; disputeId: string }>;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(EVENT_STORE) private readonly store: EventStore,
  ) {
    this.upheldAgainst = new KeyedRead(
      db,
      'upheld-against',
      (sql) => `SELECT "respondent", "disputeId" FROM ${sql.table(DisputeView)} WHERE ${sql.key('"respondent"')} AND "outcome" = 'upheld'`,
      (row) => row.respondent,
    );
  }

  async onModuleDestroy(): Promise<void> {
    await this.upheldAgainst.close(); // before the data source closes its pool
  }

  /**
   * The right of a filing just written, as the rules give it at `at`, from its stream's events as the write returned them
   * (WorkFiled first), the policy stream and the disputes upheld against its creator: every dispute write is answered
   * only once the disputes read model shows it, so it holds every upheld dispute a client could know of.
   */
  async ofNewFiling(
    filingEvents: readonly EventEnvelope[],
    creator: string,
    at: Date,
    /** The policy stream, when the caller has just read it. */
    policyEvents?: readonly EventEnvelope[],
  ): Promise<Right> {
    const upheld = await this.upheldAgainst.read(creator);
    const disputes = await Promise.all(upheld.map((d) => this.store.readStream(disputeStream(d.disputeId))));
    const policy = policyEvents ?? (await this.store.readStream(POLICY_STREAM));
    const filingId = String(filingEvents[0].data.filingId);
    return rightOf(mergeRightEvents([filingEvents, ...disputes, policy], Infinity), filingId, at)!;
  }

  /** The right as the rules give it at `asOf` (past or future), from the events it depends on; null when there is no such filing. */
  async compute(filingId: string, asOf: Date): Promise<Right | null> {
    return rightOf(await loadRightEvents(this.store, this.db, filingId), filingId, asOf);
  }

  async get(filingId: string, asOf: Date): Promise<Right> {
    const right = await this.compute(filingId, asOf);
    if (!right) {
      const exists = (await loadRightEvents(this.store, this.db, filingId)).length > 0;
      throw notFound(
        exists ? 'right-not-yet-open' : 'filing-not-found',
        exists ? `filing ${filingId} was filed after ${asOf.toISOString()}` : `no filing ${filingId}`,
      );
    }
    return right;
  }

  async list(q: ListRights) {
    const limit = q.limit ?? 20;
    const where: FindOptionsWhere<RightView> = {};
    if (q.status) where.status = q.status;
    if (q.holder) where.holder = q.holder;
    if (q.creator) where.creator = q.creator;
    if (q.flag) (where as Record<string, unknown>)[q.flag] = true;
    if (q.cursor) where.leafIndex = MoreThan(Number(q.cursor));
    const rows = await this.db.getRepository(RightView).find({ where, order: { leafIndex: 'ASC' }, take: limit + 1 });
    const page = rows.slice(0, limit);
    return { items: page.map(rightResource), nextCursor: rows.length > limit ? String(page[page.length - 1].leafIndex) : null };
  }
}
