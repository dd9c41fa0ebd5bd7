// What a filing card says of a right's terms: the quiet period only for a right it can still confirm.
import { awaitsQuietPeriod } from '../../web/src/pages/creator/right-terms.js';

describe('the quiet period on a filing card', () => {
  it.each([
    ['provisional', null, true],
    ['suspended', null, true],
    // Suspended after its confirmation: lifting the suspension confirms it again, the quiet period is behind it.
    ['suspended', '2026-06-01T00:00:00.000Z', false],
    ['confirmed', '2026-06-01T00:00:00.000Z', false],
    ['revoked', null, false],
    ['transferred', null, false],
    ['expired', '2026-06-01T00:00:00.000Z', false],
  ] as const)('a %s right confirmed at %s: shown %s', (status, confirmedAt, shown) => {
    expect(awaitsQuietPeriod({ status, confirmedAt })).toBe(shown);
  });
});
