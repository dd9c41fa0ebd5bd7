// What a filing card says of a right's terms, read off the right as the API answers it.
import type { Right } from './creator-api.js';

/**
 * The quiet period matters only to a right that can still be confirmed by it: a provisional one, or one suspended before
 * it was ever confirmed. Not to a confirmed or a final one, nor to one suspended after its confirmation (lifting the
 * suspension gives the confirmation back).
 */
export const awaitsQuietPeriod = (right: Pick<Right, 'status' | 'confirmedAt'>): boolean =>
  right.status === 'provisional' || (right.status === 'suspended' && right.confirmedAt === null);
