// The rights register read model: after every event that can change a right, the right is recomputed by the pure rules
// as of that event (from the store's events up to its leaf), so a rebuild gives the same rows.
import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { outcomeAfter } from '../disputes/disputes.projection.js';
import { disputeStream } from '../disputes/dispute.events.js';
import { filingStream } from '../filing/filing.events.js';
import type { EventStore } from '../ledger/event-store/event-store.port.js';
import { EVENT_STORE } from '../ledger/ledger.tokens.js';
import { DisputeView } from '../disputes/dispute-view.entity.js';
import { ReadModelProjection, type Projection } from '../ledger/read-models/projection.js';
import { RightView } from './right-view.entity.js';
import type { BatchRows } from '../ledger/read-models/row-batch.js';
import { runInBatch, type BatchStatement } from '../ledger/read-models/batch-statements.js';
import type { EventEnvelope } from '../verifier/envelope.js';
import { filedWork, settledRightOf } from '../verifier/rights-book.js';
import { isoInstant } from '../verifier/instant.js';
import { eventInstant, POLICY_STREAM, RIGHTS_EVENT_TYPES, type RightsSettledData, type RuleEvent } from '../verifier/rights-events.js';
import type { Right } from '../verifier/rights-rules.js';
import { mergeRightEvents, RuleStreamCache } from './right-events.js';
import { knownPolicy } from '../policy/policy.decider.js';

/** A right's row; `until`: the next instant (ms) at which the rules change it by time alone (Infinity: never). */
export const rightRow = (r: Right, until: number, leafIndex: number, lastLeafIndex: number): RightView => ({
  filingId: r.filingId,
  creator: r.creator,
  holder: r.holder,
  status: r.status,
  rule: r.rule,
  cause: r.cause,
  since: r.since,
  flags: r.flags,
  disputed: r.flags.includes('disputed'),
  labelOverdue: r.flags.includes('labelOverdue'),
  similarityReview: r.flags.includes('similarityReview'),
  probation: r.flags.includes('probation'),
  nearDuplicates: r.similarity?.candidates.length ?? 0,
  similarityDecision: r.similarity?.review ?? null,
  probationDecision: r.probation?.review ?? null,
  policyVersion: r.policyVersion,
  filedAt: r.filedAt,
  labelDueAt: r.labelDueAt,
  quietUntil: r.quietUntil,
  labelsDeclaredAt: r.labelsDeclaredAt,
  confirmedAt: r.confirmedAt,
  expiresAt: r.expiresAt,
  asOf: r.asOf,
  changesAt: until === Infinity ? null : isoInstant(until),
  leafIndex,
  lastLeafIndex,
});

/** The filing each of these disputes ($1) is against. */
const FILINGS_OF_DISPUTES: BatchStatement = {
  name: 'rights.filings-of-disputes',
  text: ({ table, column: c, anyOf }) =>
    `SELECT ${c('disputeId')}, ${c('filingId')} FROM ${table(DisputeView)} WHERE ${anyOf(c('disputeId'), 1)}`,
};

/**
 * The disputes against these filings ($1), and those against these creators ($2) that are upheld or changed from leaf $3
 * on; UNION: a dispute against one of the filings may also be one against its creator, and is named once.
 */
const DISPUTES_OF: BatchStatement = {
  name: 'rights.disputes-of',
  text: ({ table, column: c, param, anyOf }) => {
    const columns = `${c('disputeId')}, ${c('filingId')}, ${c('respondent')}`;
    return `SELECT ${columns} FROM ${table(DisputeView)} WHERE ${anyOf(c('filingId'), 1)}
      UNION SELECT ${columns} FROM ${table(DisputeView)}
      WHERE ${anyOf(c('respondent'), 2)} AND (${c('outcome')} = 'upheld' OR ${c('lastLeafIndex')} >= ${param(3)})`;
  },
};

/** The rights whose rows a deadline up to $1 has made out of date: those a settlement at that instant recomputes. */
const DUE_BY: BatchStatement = {
  name: 'rights.due-by',
  text: ({ table, column: c, param }) =>
    `SELECT ${c('filingId')} FROM ${table(RightView)} WHERE ${c('changesAt')} <= ${param(1)} ORDER BY ${c('changesAt')}, ${c('filingId')}`,
};

/** Events without a filingId whose dispute names it. */
const BY_DISPUTE = new Set(['AppealFiled']);

/**
 * One recomputation: the right of a filing as of an event's instant, from the events up to its leaf; `ifDue`: only if a
 * deadline up to that instant has made its row out of date (a settlement's, for a row this batch recomputes before it).
 */
type Step = { leafIndex: number; instant: string; ifDue?: true };

@ReadModelProjection()
@Injectable()
export class RightsProjection implements Projection {
  readonly name = 'rights';
  readonly handles = [...RIGHTS_EVENT_TYPES, ...BY_DISPUTE];
  /** Reads the disputes' rows (their outcomes) as of each event. */
  readonly after = ['disputes'];
  readonly rebuiltWithoutIndexes = [RightView];
  private readonly streams: RuleStreamCache;

  constructor(@Inject(EVENT_STORE) store: EventStore) {
    this.streams = new RuleStreamCache(store);
  }

  /**
   * Recomputes the right each event touches as one-by-one application would, and writes the last row of each right:
   * the rules settle it once, at the step whose row one-by-one application keeps (lastRightStep), or at every step in
   * turn when that step cannot be told beforehand. Runs after the disputes projection has applied the same batch.
   */
  async applyBatch(events: readonly EventEnvelope[], em: EntityManager, batch: BatchRows): Promise<void> {
    this.streams.advance(events);
    await batch.flush(DisputeView); // queried below, as the disputes projection left it
    // A settlement reads the rows a deadline made out of date, as this batch's rows before it left them.
    if (events.some((e) => e.type === 'RightsSettled')) await batch.flush(RightView);
    const steps = await this.stepsOf(events, em);
    if (steps.size === 0) return;
    const rows = batch.of(RightView, 'filingId');
    // A filing's row is written from its WorkFiled on: none exists yet for those filed in this batch.
    rows.absent(events.filter((e) => e.type === 'WorkFiled').map((e) => String(e.data.filingId)));
    await rows.load(steps.keys(), ['asOf', 'changesAt']); // a row is only ever replaced whole
    const filings = new Map<string, RuleEvent[]>();
    for (const id of steps.keys()) filings.set(id, await this.streams.read(filingStream(id)));
    const creators = new Set<string>();
    for (const stream of filings.values()) {
      const filed = stream.find((e) => e.type === 'WorkFiled');
      if (filed) creators.add(String(filed.data.creator));
    }
    const disputes = await this.disputesOf([...steps.keys()], [...creators], events[0].leafIndex, em);
    const disputeEvents = new Map<string, RuleEvent[]>();
    for (const d of disputes) disputeEvents.set(d.disputeId, await this.streams.read(disputeStream(d.disputeId)));
    const onFiling = groupBy(disputes, (d) => d.filingId);
    const onCreator = groupBy(disputes, (d) => d.respondent);
    // A build that does not know a version's rules writes no right by them: the batch fails here (logged, tried again),
    // and on a shared store an instance that knows them applies it.
    const policy = await this.streams.read(POLICY_STREAM);
    knownPolicy(policy);

    for (const [filingId, list] of steps) {
      const filingEvents = filings.get(filingId)!;
      const filed = filingEvents.find((e) => e.type === 'WorkFiled');
      let row = rows.get(filingId) ?? null;
      let changed = false;
      const settle = ({ leafIndex, instant }: Step) => {
        // The right as of `instant` (never earlier than the row's own), from the events up to `leafIndex`.
        if (!filed || filed.leafIndex > leafIndex) return;
        const creator = String(filed.data.creator);
        const asOf = row && row.asOf > instant ? row.asOf : instant;
        // The disputes the read model names at this leaf: those against the filing, and its creator's upheld ones.
        const named = new Set((onFiling.get(filingId) ?? []).map((d) => d.disputeId));
        for (const d of onCreator.get(creator) ?? [])
          if (outcomeAt(disputeEvents.get(d.disputeId)!, leafIndex) === 'upheld') named.add(d.disputeId);
        const settled = settledRightOf(
          mergeRightEvents([filingEvents, ...[...named].map((id) => disputeEvents.get(id)!), policy], leafIndex),
          filingId,
          asOf,
        );
        if (!settled) return;
        row = rightRow(settled.right, settled.until, filed.leafIndex, leafIndex);
        changed = true;
      };
      // The steps up to a conditional one leave the row it looks at: of those, only the one lastRightStep names is settled.
      let run: Step[] = [];
      const settleRun = () => {
        const last = lastRightStep(filingId, filingEvents, run, row?.asOf ?? null);
        for (const x of last === undefined ? run : last === null ? [] : [last]) settle(x);
        run = [];
      };
      for (const x of list) {
        if (!x.ifDue) run.push(x);
        else {
          settleRun();
          if (row?.changesAt != null && Date.parse(row.changesAt) <= Date.parse(x.instant)) settle(x);
        }
      }
      settleRun();
      if (changed) rows.put(row!);
    }
  }

  /** The rights each event recomputes, in log order, grouped by filing. */
  private async stepsOf(events: readonly EventEnvelope[], em: EntityManager): Promise<Map<string, Step[]>> {
    const relevant = events.filter((e) => RIGHTS_EVENT_TYPES.has(e.type) || BY_DISPUTE.has(e.type));
    const lookups = relevant
      .filter((e) => typeof e.data.filingId !== 'string' && BY_DISPUTE.has(e.type))
      .map((e) => String(e.data.disputeId));
    const disputeFiling = new Map<string, string>();
    if (lookups.length > 0) {
      const { rows } = await runInBatch(em, FILINGS_OF_DISPUTES, [[...new Set(lookups)]]);
      for (const d of rows as Array<Pick<DisputeView, 'disputeId' | 'filingId'>>) disputeFiling.set(d.disputeId, d.filingId);
    }
    const steps = new Map<string, Step[]>();
    const step = (filingId: string, leafIndex: number, instant: string) => {
      const list = steps.get(filingId);
      if (list) list.push({ leafIndex, instant });
      else steps.set(filingId, [{ leafIndex, instant }]);
    };
    for (const e of relevant) {
      if (e.type === 'RightsSettled') {
        // Each right it records as changed, and each row a deadline up to its instant made out of date (a flag cleared or
        // raised, a date passed): the record names only status and holder changes, and a row stays as it was written
        // until an event recomputes it. In log order: the rows this batch wrote before it are in the table (flushed above).
        // A row this batch already recomputes is not as the table has it: whether it is due is told at its step, in turn.
        const d = e.data as RightsSettledData;
        const changed = new Set(d.changes.map((c) => c.filingId));
        for (const filingId of changed) step(filingId, e.leafIndex, d.asOf);
        const due = typeof d.asOf === 'string' ? (await runInBatch(em, DUE_BY, [d.asOf])).rows : [];
        for (const filingId of due.map((r) => String(r.filingId)))
          if (!changed.has(filingId) && !steps.has(filingId)) step(filingId, e.leafIndex, d.asOf);
        for (const [filingId, list] of steps)
          if (!changed.has(filingId) && list[list.length - 1].leafIndex !== e.leafIndex)
            list.push({ leafIndex: e.leafIndex, instant: d.asOf, ifDue: true });
        continue;
      }
      let filingId = typeof e.data.filingId === 'string' ? e.data.filingId : null;
      if (!filingId && BY_DISPUTE.has(e.type)) filingId = disputeFiling.get(String(e.data.disputeId)) ?? null;
      if (filingId) step(filingId, e.leafIndex, eventInstant(e) ?? e.recordedAt);
    }
    return steps;
  }

  /**
   * Every dispute the read model may name for these filings at a leaf of this batch: those against them, and those
   * against their creators that are upheld now or changed in this batch (their outcome at each leaf comes from their events).
   */
  private async disputesOf(
    filingIds: string[],
    creators: string[],
    from: number,
    em: EntityManager,
  ): Promise<Array<Pick<DisputeView, 'disputeId' | 'filingId' | 'respondent'>>> {
    const { rows } = await runInBatch(em, DISPUTES_OF, [filingIds, creators, from]);
    return rows as Array<Pick<DisputeView, 'disputeId' | 'filingId' | 'respondent'>>;
  }

  async clear(em: EntityManager): Promise<void> {
    await em.clear(RightView);
  }
}

/**
 * The step of a batch whose right one-by-one application leaves in a filing's row, with the asOf the rules settle it
 * at, found without settling the others. Each step settles the right as of the later of its instant and the row's asOf,
 * from the events up to its leaf, and has one when the work was filed by then (RightsBook.rightAt); the row then takes
 * that asOf. Whether a step has a right depends only on the filing instant, so the row's asOf can be followed step by
 * step without the rules, and only the last step with a right matters. Null when no step has one. Undefined when the
 * filing's events fall outside that reading (a stream without exactly one well-formed WorkFiled for this filing, an
 * instant not in the form Date#toISOString writes, which the row's string comparison needs): the caller settles
 * every step, as the rules themselves decide.
 */
export function lastRightStep(
  filingId: string,
  filingEvents: readonly RuleEvent[],
  steps: readonly Step[],
  rowAsOf: string | null,
): Step | null | undefined {
  const filings = filingEvents.filter((e) => e.type === 'WorkFiled');
  const work = filings.length === 1 ? filedWork(filings[0]) : null;
  if (!work || work.filingId !== filingId) return undefined;
  // The instant as Date#toISOString writes it (ms), where the row's string comparison orders it as time; else NaN.
  const time = (instant: string) => {
    const t = Date.parse(instant);
    return Number.isFinite(t) && isoInstant(t) === instant ? t : NaN;
  };
  let asOf = rowAsOf === null ? -Infinity : time(rowAsOf);
  if (Number.isNaN(asOf)) return undefined;
  let last: Step | null = null;
  for (const { leafIndex, instant } of steps) {
    if (filings[0].leafIndex > leafIndex) continue;
    const t = time(instant);
    if (Number.isNaN(t)) return undefined;
    const at = Math.max(asOf, t);
    if (work.at > at) continue; // not filed by then: no right, and the row stays as it was
    asOf = at;
    last = { leafIndex, instant: isoInstant(at) };
  }
  return last;
}

function groupBy<T>(list: readonly T[], key: (x: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const x of list) {
    const k = key(x);
    const g = groups.get(k);
    if (g) g.push(x);
    else groups.set(k, [x]);
  }
  return groups;
}

/** A dispute's outcome in force after its events up to leaf `upTo`, as the disputes read model has it then. */
function outcomeAt(events: readonly RuleEvent[], upTo: number): string | null {
  let outcome: string | null = null;
  for (const e of events) if (e.leafIndex <= upTo) outcome = outcomeAfter(e, outcome);
  return outcome;
}
