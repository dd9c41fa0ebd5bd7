// What an inspection asks of the filings: which filed works look like this picture. A token and an interface only;
// the settlement module's near-duplicate index answers, and the composition root wires it to whoever asks.
import type { PerceptualHash64 } from './file-inspection.js';

export const PERCEPTUAL_INDEX = Symbol('PERCEPTUAL_INDEX');

export type PerceptualMatch = { filingId: string; creator: string; distance: number; leafIndex: number };

export interface PerceptualIndex {
  /**
   * Filings not withdrawn whose perceptual hash is within the similarity threshold of the policy in force at `at`,
   * whoever filed them, nearest first (at most `limit`), with that threshold.
   */
  nearest(
    hash: PerceptualHash64,
    at: Date,
    limit: number,
  ): Promise<{ threshold: number; policyVersion: number; matches: PerceptualMatch[] }>;
}
