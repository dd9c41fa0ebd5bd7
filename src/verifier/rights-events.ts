// What the sandbox rules read beside filing, label and dispute events (policy versions, near-duplicates, flag reviews),
// what a settlement records, and the part of any event the rules read.
import type { Cause, ReviewableFlag, ReviewDecision, RightStatus, RuleId } from './rights-rules.js';
import type { PolicyParameters } from './sandbox-policy.js';

export const POLICY_STREAM = 'policy';
export const SETTLEMENTS_STREAM = 'settlements';

export type PolicyPublishedData = { version: number; effectiveFrom: string; parameters: PolicyParameters; publishedAt: string };

export const PERCEPTUAL_SCHEME_BITS = { phash64: 64, pdq256: 256, simhash64: 64 } as const;
export type PerceptualScheme = keyof typeof PERCEPTUAL_SCHEME_BITS;
export type NearDuplicateCandidate = { filingId: string; creator: string; distance: number; leafIndex: number };
/** Earlier filings by other creators within the scheme's Hamming threshold; appended to the new filing's stream right after WorkFiled. */
export type NearDuplicatesFoundData = {
  filingId: string;
  scheme: PerceptualScheme;
  threshold: number;
  policyVersion: number;
  candidates: NearDuplicateCandidate[];
  foundAt: string;
};

export type FlagReviewedData = {
  filingId: string;
  flag: ReviewableFlag;
  decision: ReviewDecision;
  reasoning: string;
  reviewedBy: string;
  reviewedAt: string;
};

export type RightChange = {
  filingId: string;
  from: RightStatus;
  to: RightStatus;
  holder: string;
  rule: RuleId;
  cause: Cause;
  since: string;
};
export type SettlementTrigger = 'schedule' | 'admin' | 'cli';
/**
 * One settlement run: every right whose status (or holder) changed since the previous settlement, as the rules give it
 * at `asOf` over the first `logSize` events of the log (the prefix the run read; the verifier replays exactly that).
 */
export type RightsSettledData = {
  asOf: string;
  logSize: number;
  policyVersion: number;
  policyVersions: number[];
  changes: RightChange[];
  trigger: SettlementTrigger;
};

/** The part of an envelope the rules read; an EventEnvelope is one. */
export interface RuleEvent {
  type: string;
  data: { [key: string]: unknown };
  leafIndex: number;
  stream?: string;
}

/** Event types that can change a right. */
export const RIGHTS_EVENT_TYPES: ReadonlySet<string> = new Set([
  'WorkFiled',
  'FilingWithdrawn',
  'LabelsDeclared',
  'NearDuplicatesFound',
  'FlagReviewed',
  'ComplaintFiled',
  'ComplaintReturned',
  'ComplaintWithdrawn',
  'DisputeDecided',
  'AppealFiled',
  'AppealDecided',
  'PolicyPublished',
  'RightsSettled',
]);

/** The data field holding the domain instant of each event type the rules read (what `asOf` is compared with). */
export const INSTANT_FIELD: Readonly<Record<string, string>> = {
  WorkFiled: 'filedAt',
  FilingWithdrawn: 'withdrawnAt',
  LabelsDeclared: 'declaredAt',
  NearDuplicatesFound: 'foundAt',
  FlagReviewed: 'reviewedAt',
  ComplaintFiled: 'filedAt',
  ComplaintReturned: 'returnedAt',
  ComplaintWithdrawn: 'withdrawnAt',
  DisputeDecided: 'decidedAt',
  AppealFiled: 'appealedAt',
  AppealDecided: 'decidedAt',
  PolicyPublished: 'publishedAt',
  RightsSettled: 'asOf',
};

/** The domain instant of an event the rules read (what `asOf` is compared with), or null for other events. */
export function eventInstant(e: RuleEvent): string | null {
  const field = Object.hasOwn(INSTANT_FIELD, e.type) ? INSTANT_FIELD[e.type] : undefined;
  const value = field === undefined ? undefined : e.data[field];
  return typeof value === 'string' ? value : null;
}

/** Every data field RightsBook.apply and eventInstant read: what a cache of rule events must keep (keep in step with them). */
const RULE_DATA_FIELDS = [
  'filingId',
  'creator',
  'filedAt',
  'withdrawnAt',
  'declaredAt',
  'foundAt',
  'candidates',
  'reviewedAt',
  'flag',
  'decision',
  'disputeId',
  'type',
  'complainant',
  'respondent',
  'returnedAt',
  'decidedAt',
  'appealUntil',
  'outcome',
  'remedy',
  'appealedAt',
  'version',
  'effectiveFrom',
  'parameters',
  'publishedAt',
  'asOf',
  'changes',
] as const;

/** The event with only the data the rules read: the rules give the same rights from it as from the whole event. */
export function ruleEvent(e: RuleEvent): RuleEvent {
  const data: { [key: string]: unknown } = {};
  for (const k of RULE_DATA_FIELDS) if (k in e.data) data[k] = e.data[k];
  return { type: e.type, data, leafIndex: e.leafIndex, stream: e.stream };
}
