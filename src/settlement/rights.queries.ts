// Reads of the rights register: one right for any instant by the pure rules, and the read-model list.
import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, SelectQueryBuilder } from 'typeorm';
import { hasRole, type Principal } from '../common/access.js';
import { forbidden, notFound } from '../common/domain-error.js';
import type { EventStore } from '../ledger/event-store/event-store.port.js';
import { EVENT_STORE } from '../ledger/ledger.tokens.js';
import { RightView } from './right-view.entity.js';
import { rightOf, RightsBook, settledRightOf } from '../verifier/rights-book.js';
import { RIGHT_FLAGS, type Right, type RightFlag } from '../verifier/rights-rules.js';
import { loadRightEvents, mergeRightEvents, readKnownPolicy } from './right-events.js';
import { DisputeView } from '../disputes/dispute-view.entity.js';
import { disputeStream } from '../disputes/dispute.events.js';
import { KeyedRead } from '../ledger/read-models/keyed-read.js';
import type { EventEnvelope } from '../verifier/envelope.js';
import { rightRow } from './rights.projection.js';
import { ledgerNow } from '../ledger/ledger-clock.js';

export interface ListRights {
  status?: string;
  holder?: string;
  creator?: string;
  flag?: string;
  limit?: number;
  cursor?: string;
  /** Only the rights this principal filed or holds (a creator's view of the register); none: every right. */
  visibleTo?: string;
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
    /** The policy stream, when the caller has just read it (through PolicyService, which refuses rules newer than these). */
    policyEvents?: readonly EventEnvelope[],
  ): Promise<Right> {
    const upheld = await this.upheldAgainst.read(creator);
    const disputes = await Promise.all(upheld.map((d) => this.store.readStream(disputeStream(d.disputeId))));
    const policy = policyEvents ?? (await readKnownPolicy(this.store));
    const filingId = String(filingEvents[0].data.filingId);
    return rightOf(mergeRightEvents([filingEvents, ...disputes, policy], Infinity), filingId, at)!;
  }

  /** The right as the rules give it at `asOf` (past or future), from the events it depends on; null when there is no such filing. */
  async compute(filingId: string, asOf: Date): Promise<Right | null> {
    return rightOf(await loadRightEvents(this.store, this.db, filingId), filingId, asOf);
  }

  /** `compute`, with the next instant at which the right changes by time alone (settledRightOf). */
  private async settle(filingId: string, asOf: Date): Promise<{ right: Right; until: number } | null> {
    return settledRightOf(await loadRightEvents(this.store, this.db, filingId), filingId, asOf);
  }

  /**
   * The right at `asOf`, to those who may read the filing, as GET /v1/filings/:id: reviewers, auditors and admins, its
   * creator, and whoever holds its right now (a complainant a final `transfer` gave it to; not one a decision will give
   * it to, whatever instant is asked).
   */
  async get(filingId: string, asOf: Date, reader: Principal): Promise<Right> {
    const events = await loadRightEvents(this.store, this.db, filingId);
    if (events.length === 0) throw notFound('filing-not-found', `no filing ${filingId}`);
    const book = RightsBook.of(events);
    if (!hasRole(reader, 'reviewer', 'auditor', 'admin')) {
      const now = book.rightAt(filingId, ledgerNow().getTime());
      if (now?.creator !== reader.principalId && now?.holder !== reader.principalId)
        throw forbidden('not-owner', "only the filing's creator or the holder of its right, reviewers, auditors and admins may read it");
    }
    const right = book.rightAt(filingId, asOf.getTime());
    if (!right) throw notFound('right-not-yet-open', `filing ${filingId} was filed after ${asOf.toISOString()}`);
    return right;
  }

  /**
   * The register in filing order, as of `now`: the read model's rows, except those of rights a decision upheld against
   * them has changed since their row was written, by becoming final when its appeal window closed unappealed (no event
   * marks that instant, so the row waits for a settlement). Those rights are computed by the rules as of `now`, as
   * GET /v1/rights/:id answers them, and listed where they now belong.
   */
  async list(q: ListRights, now: Date) {
    await readKnownPolicy(this.store); // the rows are the rules' answers, read by a build that may not know them
    const limit = q.limit ?? 20;
    const { where, parameters } = filtered(q);
    const items: RightView[] = [];
    let after = q.cursor === undefined ? -1 : Number(q.cursor);
    // Each row is read once, by one statement, in filing order, with whether it is behind: a row a settlement recomputes
    // while the list is read is listed as it was or as it is, never left out. A page of rows can yield fewer items than
    // rows (a row behind that no longer matches): the next rows are read after the last one read.
    for (;;) {
      const want = limit + 1 - items.length;
      const { entities, raw } = await this.rows(now, after, where, parameters, q.creator !== undefined)
        .limit(want)
        .getRawAndEntities<{ behind: number | string }>();
      for (const [i, row] of entities.entries()) {
        if (Number(raw[i].behind) === 0) items.push(row);
        else {
          const settled = await this.settle(row.filingId, now);
          if (settled && listedUnder(settled.right, q))
            items.push(rightRow(settled.right, settled.until, row.leafIndex, row.lastLeafIndex));
        }
        if (items.length > limit) break;
      }
      if (items.length > limit || entities.length < want) break;
      after = entities[entities.length - 1].leafIndex;
    }
    const page = items.slice(0, limit);
    return { items: page.map(rightResource), nextCursor: items.length > limit ? String(page[page.length - 1].leafIndex) : null };
  }

  /**
   * Rows after leaf `after` in filing order that match the list's conditions (`where`) or are behind, with `behind` 1 for
   * those written before a decision upheld against their filing became final at the close of its appeal window, by `now`
   * (their row's next change has come and is such a close): their columns may be stale, so they are read whatever they
   * hold, and listed by the right the rules give. The instants compare as the ISO text Date#toISOString writes, as every
   * instant of both read models is.
   */
  private rows(
    now: Date,
    after: number,
    where: string,
    parameters: Record<string, unknown>,
    byCreator: boolean,
  ): SelectQueryBuilder<RightView> {
    const qb = this.db.getRepository(RightView).createQueryBuilder('r');
    const lapsed = qb
      .subQuery()
      .select('1')
      .from(DisputeView, 'd')
      .where('d.filingId = r.filingId')
      .andWhere('d.status = :decided AND d.outcome = :upheld')
      .andWhere('d.appealUntil <= :now AND d.appealUntil > r.asOf')
      .getQuery();
    // Only a row whose next change by time (changesAt) has come can be behind: a final row (null) never is.
    const behind = `(r.changesAt IS NOT NULL AND r.changesAt <= :now AND EXISTS ${lapsed})`;
    return (
      qb
        .addSelect(`CASE WHEN ${behind} THEN 1 ELSE 0 END`, 'behind')
        // A right's creator never changes: a row behind of another creator is not read.
        .where(`((${behind}${byCreator ? ' AND r.creator = :creator' : ''}) OR (${where}))`, {
          ...parameters,
          decided: 'decided',
          upheld: 'upheld',
          now: now.toISOString(),
        })
        .andWhere('r.leafIndex > :after', { after })
        .orderBy('r.leafIndex', 'ASC')
    );
  }
}

/** The conditions of a list on the read model's columns. */
function filtered(q: ListRights): { where: string; parameters: Record<string, unknown> } {
  const conditions = ['1 = 1'];
  const parameters: Record<string, unknown> = {};
  const on = (column: string, value: unknown) => {
    conditions.push(`r.${column} = :${column}`);
    parameters[column] = value;
  };
  if (q.status) on('status', q.status);
  if (q.holder) on('holder', q.holder);
  if (q.creator) on('creator', q.creator);
  if (q.visibleTo) {
    conditions.push('(r.creator = :visibleTo OR r.holder = :visibleTo)');
    parameters.visibleTo = q.visibleTo;
  }
  const flag = RIGHT_FLAGS.find((f) => f === q.flag); // a column of its own
  if (flag) on(flag, true);
  return { where: conditions.join(' AND '), parameters };
}

/** Whether a right computed by the rules belongs in a list: the same conditions, on the right. */
export function listedUnder(right: Right, q: ListRights): boolean {
  return (
    (!q.status || right.status === q.status) &&
    (!q.holder || right.holder === q.holder) &&
    (!q.creator || right.creator === q.creator) &&
    (!q.visibleTo || right.creator === q.visibleTo || right.holder === q.visibleTo) &&
    (!q.flag || right.flags.includes(q.flag as RightFlag))
  );
}
