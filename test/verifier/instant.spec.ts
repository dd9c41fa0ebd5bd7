// isoInstant against Date#toISOString: the same text for every instant, the leap days and the ends of its range
// included, and the same RangeError for a value that is not an instant.
import fc from 'fast-check';
import { isoInstant } from '../../src/verifier/instant.js';

const dateText = (t: number) => new Date(t).toISOString();

describe('isoInstant', () => {
  it('gives the text of Date#toISOString at the edges of days, months, leap years, centuries and its range', () => {
    const instants = [
      0,
      -0,
      1,
      999,
      Date.UTC(1999, 11, 31, 23, 59, 59, 999),
      Date.UTC(2000, 1, 29, 12), // a leap day of a century divisible by 400
      Date.UTC(2000, 2, 1),
      Date.UTC(2024, 1, 29, 23, 59, 59, 999),
      Date.UTC(2100, 1, 28, 23, 59, 59, 999), // 2100 has no leap day
      Date.UTC(2100, 2, 1),
      Date.UTC(2026, 11, 3, 9, 5, 7, 42),
      Date.UTC(9999, 11, 31, 23, 59, 59, 999), // the last instant with a four-digit year
    ];
    for (const t of instants) expect(isoInstant(t)).toBe(dateText(t));
    expect(isoInstant(Date.UTC(2100, 2, 1))).toBe('2100-03-01T00:00:00.000Z');
    expect(isoInstant(Date.UTC(2026, 11, 3, 9, 5, 7, 42))).toBe('2026-12-03T09:05:07.042Z');
  });

  it('hands Date what lies outside its arithmetic: six-digit and negative years, fractions of a millisecond', () => {
    for (const t of [Date.UTC(10000, 0, 1), -1, -62_198_755_200_000, 8.64e15, -8.64e15, 1.5, 1e12 + 0.25])
      expect(isoInstant(t)).toBe(dateText(t));
    expect(isoInstant(Date.UTC(10000, 0, 1))).toBe('+010000-01-01T00:00:00.000Z');
  });

  it('gives the same text again for an instant it wrote before, past the texts it keeps', () => {
    const from = Date.UTC(2026, 11, 7, 5, 30);
    const instants = Array.from({ length: 10_000 }, (_, i) => from + i * 997);
    for (let round = 0; round < 2; round++) for (const t of instants) expect(isoInstant(t)).toBe(dateText(t));
    expect(isoInstant(from)).toBe('2026-12-07T05:30:00.000Z');
  });

  it('throws the RangeError of Date for a value that is not an instant', () => {
    for (const t of [NaN, Infinity, -Infinity, 8.64e15 + 1]) expect(() => isoInstant(t)).toThrow(RangeError);
  });

  it('agrees with Date#toISOString on any instant Date can hold', () => {
    fc.assert(
      fc.property(fc.integer({ min: -8.64e15, max: 8.64e15 }), (t) => isoInstant(t) === dateText(t)),
      { numRuns: 20_000 },
    );
    // Instants spread over the years a ledger holds, where the arithmetic does the work.
    fc.assert(
      fc.property(fc.integer({ min: 0, max: Date.UTC(9999, 11, 31, 23, 59, 59, 999) }), (t) => isoInstant(t) === dateText(t)),
      { numRuns: 50_000 },
    );
  });
});
