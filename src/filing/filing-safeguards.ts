// The hook the filing handler calls around its append: near-duplicate screening (same commit as WorkFiled) and the
// right as the rules give it. A token and an interface only, so the filing context does not depend on this one.
import type { FilingDetails } from './filing.events.js';
import type { DomainEvent } from '../ledger/decider.js';
import type { EventEnvelope } from '../verifier/envelope.js';
import type { Right } from '../verifier/rights-rules.js';

export const FILING_SAFEGUARDS = Symbol('FILING_SAFEGUARDS');

export interface Screening {
  /** Events to append to the filing stream right after WorkFiled, in the same commit. */
  events: DomainEvent[];
  /** Log size the screening saw: filings committed from here on were not compared. */
  position: number | null;
  threshold: number | null;
  policyVersion: number;
}

export interface FilingSafeguards {
  screen(filing: FilingDetails, now: Date): Promise<Screening>;
  /** After the commit: compares with filings committed concurrently (recorded as a follow-up event), then the right now. */
  afterFiled(filing: FilingDetails, filed: EventEnvelope, screening: Screening): Promise<Right>;
}
