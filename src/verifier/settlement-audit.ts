// Rule-conformance audit: every RightsSettled in an export must be what the sandbox rules give at its asOf over the
// log prefix it names (logSize), given the settlements before it; no filing may be withdrawn while a complaint against
// it is open, nor after a final decision transferred or revoked its right. Framework-free, like the rest of the verifier.
import { canonicalJson } from './envelope.js';
import type { SettlementEvent } from './export-chunk.js';
import { RightsBook, type FilingStore } from './rights-book.js';
import { RIGHTS_EVENT_TYPES, SETTLEMENTS_STREAM, type RightChange, type RightsSettledData } from './rights-events.js';

const describe = (c: RightChange | undefined) =>
  c ? `${c.from} → ${c.to} (${c.rule}, holder ${c.holder}, since ${c.since})` : 'no change';
const isIndex = (x: unknown): x is number => typeof x === 'number' && Number.isSafeInteger(x) && x >= 0;

export class SettlementAuditor {
  // The rules need every right's facts: O(filings + disputes) in memory, or O(disputes) with the filings in a store on disk.
  private readonly book: RightsBook;
  private audited = 0;

  constructor(filings?: FilingStore) {
    this.book = new RightsBook(filings);
  }

  /** Settlements checked so far. */
  get count(): number {
    return this.audited;
  }

  /** Feeds one envelope (already hash- and chain-checked), in log order; returns why a settlement is wrong, if it is. */
  push(e: SettlementEvent): string | undefined {
    if (!RIGHTS_EVENT_TYPES.has(e.type)) return undefined;
    const problem = e.type === 'RightsSettled' ? this.check(e) : e.type === 'FilingWithdrawn' ? this.checkWithdrawal(e) : undefined;
    this.book.apply(e);
    return problem;
  }

  /** A withdrawal must not escape a complaint, nor take back a right a final decision transferred, nor undo a revocation. */
  private checkWithdrawal(e: SettlementEvent): string | undefined {
    const d = e.data as { filingId?: unknown; withdrawnAt?: unknown };
    const at = typeof d.withdrawnAt === 'string' ? Date.parse(d.withdrawnAt) : NaN;
    if (typeof d.filingId !== 'string' || !Number.isFinite(at)) return undefined;
    return this.book.withdrawalProblem(d.filingId, at, e.leafIndex);
  }

  private check(e: SettlementEvent): string | undefined {
    if (e.stream !== SETTLEMENTS_STREAM) return `RightsSettled outside the ${SETTLEMENTS_STREAM} stream`;
    const d = e.data as Partial<RightsSettledData>;
    const asOf = typeof d.asOf === 'string' ? Date.parse(d.asOf) : NaN;
    if (
      !Number.isFinite(asOf) ||
      !isIndex(d.logSize) ||
      !Array.isArray(d.changes) ||
      !isIndex(d.policyVersion) ||
      !Array.isArray(d.policyVersions)
    ) {
      return 'settlement record is malformed (asOf, logSize, policyVersion, policyVersions, changes)';
    }
    const at = `settlement as of ${d.asOf}`;
    if (d.logSize > e.leafIndex) return `${at} claims to cover ${d.logSize} events but is leaf ${e.leafIndex}`;
    if (asOf > Date.parse(e.recordedAt)) return `${at} was recorded earlier, at ${e.recordedAt}`;
    const previous = this.book.lastSettlement;
    if (previous && asOf < previous.asOf) return `${at} is earlier than the previous settlement's (leaf ${previous.leafIndex})`;
    this.audited++;

    const expected = this.book.settlementAt(asOf, d.logSize);
    const recorded = new Map(d.changes.map((c) => [c?.filingId, c]));
    const rules = new Map(expected.changes.map((c) => [c.filingId, c]));
    for (const filingId of [...rules.keys(), ...[...recorded.keys()].filter((id) => !rules.has(id))]) {
      const r = recorded.get(filingId);
      const x = rules.get(filingId);
      if (r === undefined || x === undefined || canonicalJson(r) !== canonicalJson(x)) {
        return `${at}: right ${String(filingId)} is recorded as ${describe(r)}, the rules give ${describe(x)}`;
      }
    }
    if (canonicalJson(d.changes) !== canonicalJson(expected.changes)) return `${at}: changes are not listed once each in filing order`;
    if (d.policyVersion !== expected.policyVersion)
      return `${at}: policy version ${d.policyVersion} recorded, version ${expected.policyVersion} was in force`;
    if (canonicalJson(d.policyVersions) !== canonicalJson(expected.policyVersions)) {
      return `${at}: policy versions ${canonicalJson(d.policyVersions)} recorded, the changed rights settle under ${canonicalJson(expected.policyVersions)}`;
    }
    return undefined;
  }
}
