// An instant (epoch ms) as ISO 8601, the text Date#toISOString gives. The rules format a right's instants again for
// every event that recomputes it, and Date#toISOString takes about 0.6 µs on this V8; the arithmetic below gives the
// same text in about a third of that for the instants a ledger holds, and hands any other value to Date.
const DAY = 86_400_000;
/** 10000-01-01T00:00:00.000Z: from there on Date writes a six-digit year. */
const YEAR_10000 = 253_402_300_800_000;

const two = (n: number) => (n < 10 ? `0${n}` : `${n}`);
const three = (n: number) => (n < 10 ? `00${n}` : n < 100 ? `0${n}` : `${n}`);

/**
 * The texts written last, by instant: settling one right formats the same few instants (its filing, labels due, quiet
 * period, each replay's as-of) dozens of times, and a new string each time was the largest share of a filing's garbage.
 * Emptied when full, so it holds at most a batch's worth.
 */
const written = new Map<number, string>();
const WRITTEN_MOST = 4096;

/** `new Date(t).toISOString()`: the same text, and the same RangeError for a value that is not an instant. */
export function isoInstant(t: number): string {
  if (!Number.isInteger(t) || t < 0 || t >= YEAR_10000) return new Date(t).toISOString();
  let text = written.get(t);
  if (text === undefined) {
    if (written.size === WRITTEN_MOST) written.clear();
    text = civilText(t);
    written.set(t, text);
  }
  return text;
}

/** The text of an instant from 1970 to the year 9999 (ms, a whole number). */
function civilText(t: number): string {
  const days = Math.floor(t / DAY);
  let rest = t - days * DAY;
  // The civil date of a day count since 1970-01-01 in the proleptic Gregorian calendar, in 400-year eras that begin on
  // 1 March (so that the leap day ends a year): the algorithm of H. Hinnant's "chrono-compatible low-level date algorithms".
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const dayOfEra = z - era * 146_097;
  const yearOfEra = Math.floor(
    (dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36_524) - Math.floor(dayOfEra / 146_096)) / 365,
  );
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const m = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * m + 2) / 5) + 1;
  const month = m < 10 ? m + 3 : m - 9;
  const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
  const hours = Math.floor(rest / 3_600_000);
  rest -= hours * 3_600_000;
  const minutes = Math.floor(rest / 60_000);
  rest -= minutes * 60_000;
  const seconds = Math.floor(rest / 1000);
  return `${year}-${two(month)}-${two(day)}T${two(hours)}:${two(minutes)}:${two(seconds)}.${three(rest - seconds * 1000)}Z`;
}
