// Governance figures from the read models: the rights register as last settled or changed, and the disputes.
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { DisputeView } from '../disputes/dispute-view.entity.js';
import { RightView } from './right-view.entity.js';
import { countedRulings, RIGHT_STATUSES, type UpheldRuling } from '../verifier/rights-rules.js';
import { DAY_MS } from '../verifier/sandbox-policy.js';
import { DISPUTE_TYPES } from '../disputes/dispute.events.js';
import { PolicyService } from '../policy/policy.service.js';

const ratio = (part: number, whole: number) => (whole === 0 ? null : Math.round((part / whole) * 10_000) / 10_000);

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

type Decision = { decidedAt: string } | null;
const remedyOf = (r: string | null): UpheldRuling['remedy'] => (r === 'revoke' || r === 'suspend' || r === 'transfer' ? r : null);

@Injectable()
export class StatsQueries {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly policies: PolicyService,
  ) {}

  async figures(now: Date) {
    const at = now.toISOString();
    const rights = this.db.getRepository(RightView);
    const count = (where: string, params: Record<string, unknown> = {}) => rights.createQueryBuilder('r').where(where, params).getCount();

    const statusRows = await rights
      .createQueryBuilder('r')
      .select('r.status', 'status')
      .addSelect('COUNT(*)', 'n')
      .groupBy('r.status')
      .getRawMany<{ status: string; n: string | number }>();
    const byStatus = Object.fromEntries(RIGHT_STATUSES.map((s) => [s, 0])) as Record<string, number>;
    for (const r of statusRows) byStatus[r.status] = Number(r.n);
    const filings = Object.values(byStatus).reduce((a, b) => a + b, 0);

    const due = await count('r.labelDueAt <= :at', { at });
    const onTime = await count('r.labelDueAt <= :at AND r.labelsDeclaredAt IS NOT NULL AND r.labelsDeclaredAt <= r.labelDueAt', { at });
    const late = await count('r.labelDueAt <= :at AND r.labelsDeclaredAt IS NOT NULL AND r.labelsDeclaredAt > r.labelDueAt', { at });

    const flagged = await count('r.nearDuplicates > 0');
    const similarity = Object.fromEntries(
      await Promise.all(
        ['pending', 'cleared', 'confirmed', 'decided-by-dispute'].map(async (d) => [d, await count('r.similarityDecision = :d', { d })]),
      ),
    );
    const probationFilings = await count('r.probationDecision IS NOT NULL');
    const creators = Number(
      (await rights.createQueryBuilder('r').select('COUNT(DISTINCT r.creator)', 'n').getRawOne<{ n: string | number }>())?.n ?? 0,
    );

    // Disputes: O(disputes) rows in memory for the medians and the per-creator window; fine for a governance report.
    const disputes = await this.db.getRepository(DisputeView).find({
      select: {
        disputeId: true,
        filingId: true,
        type: true,
        status: true,
        outcome: true,
        remedy: true,
        respondent: true,
        leafIndex: true,
        openedAt: true,
        appealUntil: true,
        decision: true,
        appealDecision: true,
        reviewDueAt: true,
      },
    });
    const outcomes = ['upheld', 'rejected', 'returned', 'withdrawn', 'pending'] as const;
    const byType = Object.fromEntries(
      DISPUTE_TYPES.map((t) => [t, { total: 0, ...Object.fromEntries(outcomes.map((o) => [o, 0])) }]),
    ) as Record<string, Record<string, number>>;
    const finalAt = (d: DisputeView): number | null => {
      const appeal = d.appealDecision as Decision;
      if (d.status === 'final' && appeal) return Date.parse(appeal.decidedAt);
      if (d.status === 'decided' && d.appealUntil && d.appealUntil <= at) return Date.parse(d.appealUntil);
      return null;
    };
    const toDecision: number[] = [];
    const policy = await this.policies.inForceAt(now);
    const window = policy.repeatInfringer.windowDays * DAY_MS;
    const upheld: Array<UpheldRuling & { respondent: string }> = [];
    let overdue = 0;
    for (const d of disputes) {
      const final = finalAt(d);
      const outcome =
        d.status === 'returned' ? 'returned' : d.status === 'withdrawn' ? 'withdrawn' : final !== null ? d.outcome! : 'pending';
      const row = byType[d.type] ?? (byType[d.type] = { total: 0, ...Object.fromEntries(outcomes.map((o) => [o, 0])) });
      row.total++;
      row[outcome]++;
      const first = d.decision as Decision;
      if (first) toDecision.push(Date.parse(first.decidedAt) - Date.parse(d.openedAt));
      if (d.reviewDueAt && d.reviewDueAt <= at) overdue++;
      if (outcome === 'upheld' && final !== null)
        upheld.push({ filingId: d.filingId, remedy: remedyOf(d.remedy), at: final, order: d.leafIndex, respondent: d.respondent });
    }
    // Counted as the rules count them for a filing under the version in force now (a ruling that reached a right
    // already final does not count from ruleset 2).
    const upheldByCreator = new Map<string, number>();
    for (const u of countedRulings(policy, upheld)) {
      if (u.at <= now.getTime() - window) continue;
      upheldByCreator.set(u.respondent, (upheldByCreator.get(u.respondent) ?? 0) + 1);
    }
    const sum = (o: string) => Object.values(byType).reduce((a, r) => a + r[o], 0);
    const medianMs = median(toDecision);
    const repeatInfringers = [...upheldByCreator.values()].filter((n) => n >= policy.repeatInfringer.upheld).length;

    return {
      at,
      policyVersion: policy.version,
      /** Statuses as of each right's last event or settlement (GET /v1/rights/:id computes any instant). */
      filings: { total: filings, byStatus },
      flags: {
        disputed: await count('r.disputed = :t', { t: true }),
        labelOverdue: await count('r.labelOverdue = :t', { t: true }),
        similarityReview: await count('r.similarityReview = :t', { t: true }),
        probation: await count('r.probation = :t', { t: true }),
      },
      labels: { due, onTime, late, missing: due - onTime - late, complianceRate: ratio(onTime, due) },
      disputes: {
        total: disputes.length,
        byType,
        upheld: sum('upheld'),
        rejected: sum('rejected'),
        upheldRate: ratio(sum('upheld'), sum('upheld') + sum('rejected')),
        returnedForAiEvidence: sum('returned'),
        withdrawn: sum('withdrawn'),
        pending: sum('pending'),
        overdueDecisions: overdue,
        medianTimeToDecision: medianMs === null ? null : { ms: medianMs, days: Math.round((medianMs / DAY_MS) * 100) / 100 },
      },
      repeatInfringement: {
        threshold: policy.repeatInfringer,
        repeatInfringers,
        creators,
        rate: ratio(repeatInfringers, creators),
        filingsUnderProbation: probationFilings,
      },
      similarity: { flagged, ...similarity },
    };
  }
}
