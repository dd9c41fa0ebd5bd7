// Events of the sandbox settlement. Their data types live with the pure rules in src/verifier, which the
// verifier replays; this file names them as domain events for the deciders.
import type { DomainEvent } from '../ledger/decider.js';
import type { FlagReviewedData, NearDuplicatesFoundData, RightsSettledData } from '../verifier/rights-events.js';

export { SETTLEMENTS_STREAM } from '../verifier/rights-events.js';
export type { FlagReviewedData, NearDuplicatesFoundData, RightsSettledData } from '../verifier/rights-events.js';

/** Stream `filing-<id>`, right after WorkFiled (same commit), or a follow-up for filings committed concurrently. */
export type NearDuplicatesFound = DomainEvent<'NearDuplicatesFound', NearDuplicatesFoundData>;
/** Stream `filing-<id>`: a reviewer's decision on the similarityReview or probation flag. */
export type FlagReviewed = DomainEvent<'FlagReviewed', FlagReviewedData>;
/** Stream `settlements`: one event per settlement run. */
export type RightsSettled = DomainEvent<'RightsSettled', RightsSettledData>;
