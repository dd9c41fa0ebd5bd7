// Reads of the reviewer queue and of one dispute, with its timeline from the stream itself.
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Brackets, In, type DataSource } from 'typeorm';
import { PrincipalView } from '../auth/principal-view.entity.js';
import { hasRole, type Principal } from '../common/access.js';
import { forbidden, notFound } from '../common/domain-error.js';
import type { EventStore } from '../ledger/event-store/event-store.port.js';
import { EVENT_STORE } from '../ledger/ledger.tokens.js';
import type { Party } from '../filing/filing.queries.js';
import { DisputeView } from './dispute-view.entity.js';
import type { EventEnvelope } from '../verifier/envelope.js';
import { statusAt, type DisputeStatus } from './dispute.decider.js';
import type { ListDisputesQuery } from './dispute.dto.js';
import { disputeStream } from './dispute.events.js';
import { principalNamed } from '../common/validation.js';
import { ledgerNow } from '../ledger/ledger-clock.js';

const reached = (iso: string | null, now: Date) => iso !== null && now.getTime() >= Date.parse(iso);

/** What the dispute waits for as of `now`, so a queue can be sorted into work. */
function awaiting(d: DisputeView, status: DisputeStatus, now: Date): string | null {
  switch (status) {
    case 'opened':
      return 'assignment';
    case 'assigned':
      return d.response === null && !reached(d.responseDueAt, now) ? 'response' : 'decision';
    case 'decided':
      return 'appeal-window';
    case 'appealed':
      return 'appeal-decision';
    default:
      return null;
  }
}

/** The principals a dispute names: its parties and its reviewer. */
const namedIn = (d: DisputeView) => (d.assignee === null ? [d.complainant, d.respondent] : [d.complainant, d.respondent, d.assignee]);

/**
 * The dispute as of `now`: a decision whose appeal window has passed reads as final. `names` holds the principals'
 * names by id; a principal missing from it is named null.
 */
export function disputeResource(d: DisputeView, now: Date, names: ReadonlyMap<string, string> = new Map()) {
  const status = statusAt(d.status as DisputeStatus, d.appealUntil, now);
  const party = (id: string): Party => ({ id, name: names.get(id) ?? null });
  const appeal = d.appeal as { decisionDueAt: string } | null;
  const appealDecision = d.appealDecision as { decidedAt: string } | null;
  return {
    disputeId: d.disputeId,
    type: d.type,
    filingId: d.filingId,
    complainant: d.complainant,
    respondent: d.respondent,
    basisFilingId: d.basisFilingId,
    parties: {
      complainant: party(d.complainant),
      respondent: party(d.respondent),
      assignee: d.assignee === null ? null : party(d.assignee),
    },
    claim: d.claim,
    evidence: d.evidence,
    status,
    awaiting: awaiting(d, status, now),
    assignee: d.assignee,
    openedAt: d.openedAt,
    policy: d.policy,
    deadlines: {
      responseDueAt: d.responseDueAt,
      decisionDueAt: d.decisionDueAt,
      appealUntil: d.appealUntil,
      appealDecisionDueAt: appeal?.decisionDueAt ?? null,
    },
    reviewDueAt: d.reviewDueAt,
    overdue: reached(d.reviewDueAt, now),
    outcome: d.outcome,
    remedy: d.remedy,
    finalAt: status === 'final' ? (appealDecision?.decidedAt ?? d.appealUntil) : null,
    returned: d.returned,
    response: d.response,
    decision: d.decision,
    appeal: d.appeal,
    // Rows projected before both parties could appeal hold at most the one appeal.
    appeals: d.appeals ?? (d.appeal ? [d.appeal] : []),
    appealDecision: d.appealDecision,
    withdrawal: d.withdrawal,
    leafIndex: d.leafIndex,
    eventHash: d.eventHash,
    lastLeafIndex: d.lastLeafIndex,
  };
}

/** One line per event of the stream: what happened, when, by whom, and the hashes that chain it. */
export const timelineEntry = (e: EventEnvelope) => ({
  revision: e.revision,
  type: e.type,
  at: e.recordedAt,
  actor: e.meta.actor ?? null,
  leafIndex: e.leafIndex,
  prevHash: e.prevHash,
  hash: e.hash,
});

/** Parties, reviewers, auditors and admins may read a dispute. */
const canRead = (p: Principal, d: DisputeView) =>
  d.complainant === p.principalId || d.respondent === p.principalId || hasRole(p, 'reviewer', 'auditor', 'admin');

@Injectable()
export class DisputeQueries {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(EVENT_STORE) private readonly store: EventStore,
  ) {}

  private async row(disputeId: string): Promise<DisputeView> {
    const d = await this.db.getRepository(DisputeView).findOneBy({ disputeId });
    if (!d) throw notFound('dispute-not-found', `no dispute ${disputeId}`);
    return d;
  }

  private async readable(disputeId: string, reader: Principal): Promise<DisputeView> {
    const d = await this.row(disputeId);
    if (!canRead(reader, d)) throw forbidden('not-a-party', 'only the parties, reviewers, auditors and admins may read a dispute');
    return d;
  }

  /** The names of the principals these disputes name, from the principals read model. */
  private names(disputes: readonly DisputeView[]): Promise<Map<string, string>> {
    return this.namesOf(disputes.flatMap(namedIn));
  }

  private async namesOf(principalIds: readonly string[]): Promise<Map<string, string>> {
    const ids = [...new Set(principalIds)];
    if (ids.length === 0) return new Map();
    const found = await this.db
      .getRepository(PrincipalView)
      .find({ select: { principalId: true, name: true }, where: { principalId: In(ids) } });
    return new Map(found.map((p) => [p.principalId, p.name]));
  }

  /** The dispute right after a write by someone entitled to it. */
  async current(disputeId: string) {
    const d = await this.row(disputeId);
    return disputeResource(d, ledgerNow(), await this.names([d]));
  }

  /** The dispute with its timeline, and the name of everyone who acted in it (a reviewer who decided an appeal, an admin). */
  async get(disputeId: string, reader: Principal) {
    const d = await this.readable(disputeId, reader);
    const timeline = (await this.store.readStream(disputeStream(disputeId))).map(timelineEntry);
    const ids = [...new Set([...namedIn(d), ...timeline.flatMap((e) => (typeof e.actor === 'string' ? [e.actor] : []))])];
    const names = await this.namesOf(ids);
    return {
      ...disputeResource(d, ledgerNow(), names),
      timeline,
      people: ids.map((id) => ({ id, name: names.get(id) ?? null })),
    };
  }

  async history(disputeId: string, reader: Principal): Promise<{ disputeId: string; events: EventEnvelope[] }> {
    await this.readable(disputeId, reader);
    return { disputeId, events: await this.store.readStream(disputeStream(disputeId)) };
  }

  async list(q: ListDisputesQuery, reader: Principal) {
    const now = ledgerNow().toISOString();
    const limit = q.limit ?? 20;
    const qb = this.db.getRepository(DisputeView).createQueryBuilder('d');
    const wider = hasRole(reader, 'reviewer', 'auditor', 'admin');
    // A creator without a wider role sees only the disputes they are a party to.
    if (!wider) qb.andWhere(new Brackets((w) => w.where('d.complainant = :me').orWhere('d.respondent = :me')), { me: reader.principalId });
    if (q.respondent) {
      const respondent = principalNamed(q.respondent, reader.principalId);
      if (!wider && respondent !== reader.principalId) {
        throw forbidden('not-a-party', 'a creator may list only the complaints against their own filings');
      }
      qb.andWhere('d.respondent = :respondent', { respondent });
    }
    if (q.assignee) qb.andWhere('d.assignee = :assignee', { assignee: principalNamed(q.assignee, reader.principalId) });
    if (q.type) qb.andWhere('d.type = :type', { type: q.type });
    if (q.filingId) qb.andWhere('d.filingId = :filingId', { filingId: q.filingId });
    if (q.status === 'decided') qb.andWhere('d.status = :decided AND d.appealUntil > :now', { decided: 'decided', now });
    else if (q.status === 'final') {
      qb.andWhere(new Brackets((w) => w.where('d.status = :final').orWhere('(d.status = :decided AND d.appealUntil <= :now)')), {
        final: 'final',
        decided: 'decided',
        now,
      });
    } else if (q.status) qb.andWhere('d.status = :status', { status: q.status });
    if (q.overdue === 'true') qb.andWhere('d.reviewDueAt IS NOT NULL AND d.reviewDueAt <= :now', { now });
    if (q.overdue === 'false') qb.andWhere('(d.reviewDueAt IS NULL OR d.reviewDueAt > :now)', { now });
    if (q.cursor) qb.andWhere('d.leafIndex > :cursor', { cursor: Number(q.cursor) });
    const rows = await qb
      .orderBy('d.leafIndex', 'ASC')
      .limit(limit + 1)
      .getMany();
    const page = rows.slice(0, limit);
    const at = new Date(now);
    const names = await this.names(page);
    return {
      items: page.map((d) => disputeResource(d, at, names)),
      nextCursor: rows.length > limit ? String(page[page.length - 1].leafIndex) : null,
    };
  }
}
