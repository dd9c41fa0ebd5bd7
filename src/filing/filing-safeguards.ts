// What the filing context asks of the sandbox around its writes: near-duplicate screening (same commit as WorkFiled), the
// right as the rules give it, and whether the complaints against a filing are closed. A token and an interface only, so
// the filing context depends on neither the settlement nor the disputes context.
import type { FilingDetails } from './filing.events.js';
import type { DomainEvent } from '../ledger/decider.js';
import type { EventEnvelope } from '../verifier/envelope.js';
import type { Right } from '../verifier/rights-rules.js';
import type { PolicyRead } from '../policy/policy.service.js';
import type { RequestWrites } from '../ledger/write/request-writes.js';

export const FILING_SAFEGUARDS = Symbol('FILING_SAFEGUARDS');

export interface Screening {
  /** Events to append to the filing stream right after WorkFiled, in the same commit. */
  events: DomainEvent[];
  /** Log size the screening saw: filings committed from here on were not compared. */
  position: number | null;
  threshold: number | null;
  policyVersion: number;
  /** The policy stream as the screening read it: the rules read it again for the filing's right. */
  policyEvents?: readonly EventEnvelope[];
}

export interface FilingSafeguards {
  /** `policy`: the policy stream as the caller read it for this request (read here when absent). */
  screen(filing: FilingDetails, now: Date, policy?: PolicyRead): Promise<Screening>;
  /**
   * After the commit: compares with filings committed concurrently (recorded as a follow-up event), then the right now,
   * from the events just written (WorkFiled and the `following` events of its commit) and the rules, not the read models.
   */
  afterFiled(
    filing: FilingDetails,
    filed: EventEnvelope,
    screening: Screening,
    following?: readonly EventEnvelope[],
    writes?: RequestWrites | null,
  ): Promise<Right>;
  /** The filing's right at `at` (its holder: the creator, or the complainant a final `transfer` gave it to); null for no filing. */
  rightAt(filingId: string, at: Date): Promise<Right | null>;
  /** The complaints against a filing the disputes read model knows (those filed before complaints marked their filing too). */
  disputesAgainst(filingId: string): Promise<string[]>;
  /**
   * Those of these disputes that are closed once their streams are read (returned, withdrawn, or decided with no appeal
   * left); a dispute with no stream (a mark left by a complaint that never committed) is closed.
   */
  closedDisputes(disputeIds: readonly string[]): Promise<string[]>;
}
