// Which instants a request may state (policy versions' effectiveFrom, a settlement's asOf, a key's expiresAt): with a
// zone, on the calendar and the clock, in the years a reader of the ledger's times takes once in UTC.
import { isInstant } from '../../src/common/validation.js';

describe('isInstant', () => {
  it.each([
    '2027-01-01T00:00:00Z',
    '2027-01-01T00:00Z',
    '2027-01-01T23:59Z',
    '2027-01-01T23:59:59.123456789Z',
    '2027-01-01T08:00:00+08:00',
    '2024-02-29T12:00:00Z',
    '2027-01-01T00:00:00+23:59',
    '2027-01-01T00:00:00-00:00',
    '0000-01-01T00:00:00Z',
    '0050-06-15T12:00:00Z', // validator.js's isISO8601 refused the years 0000 to 0099
    '9999-12-31T23:59:59Z',
  ])('takes %s', (value) => expect(isInstant(value)).toBe(true));

  it.each([
    // the hour 24, with or without seconds: the next day's midnight under another name
    '2027-01-01T24:00Z',
    '2027-01-01T24:00:00Z',
    '2027-01-01T24:00+01:00',
    '2027-01-01T25:00Z',
    '2027-01-01T23:60Z',
    '2027-01-01T23:59:60Z',
    '2027-02-29T00:00:00Z',
    '2027-02-30T00:00:00Z',
    '2027-01-01T00:00:00+24:00',
    '2027-01-01T00:00:00+05:60',
    '2027-01-01T00:00:00', // no zone
    '2027-01-01', // a date alone
    '2027-01-01 00:00:00Z',
    '9999-12-31T23:00:00-05:00', // the year 10000 in UTC
    20270101,
    null,
  ])('refuses %s', (value) => expect(isInstant(value)).toBe(false));
});
