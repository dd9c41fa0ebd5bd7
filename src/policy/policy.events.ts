// Events of the sandbox policy: one PolicyPublished per version on the `policy` stream (v1 is implicit). The data type
// lives with the pure rules in src/verifier, which the verifier replays.
import type { DomainEvent } from '../ledger/decider.js';
import type { PolicyPublishedData } from '../verifier/rights-events.js';

export { POLICY_STREAM } from '../verifier/rights-events.js';
export type { PolicyPublishedData } from '../verifier/rights-events.js';

/** Stream `policy`: one event per published version. */
export type PolicyPublished = DomainEvent<'PolicyPublished', PolicyPublishedData>;
