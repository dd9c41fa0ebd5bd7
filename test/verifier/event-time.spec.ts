// An event's own time against its recordedAt: an event whose time lies more than 10 minutes before its commit, or more
// than a minute after it, or is not an ISO-8601 UTC time, fails `verify` at its leaf, once the log is otherwise
// authentic; a settlement's asOf, times an event states of something else, and events without a time, are not held to it.
import { signCheckpoint } from '../../src/verifier/checkpoint.js';
import { computeEventHash, type EventEnvelope } from '../../src/verifier/envelope.js';
import { failureReason, verifyExport } from '../../src/verifier/export-verifier.js';
import { EVENT_TIME_LAG_MS, EVENT_TIME_LEAD_MS, eventTimeFault, OWN_TIME_FIELD, utcMs } from '../../src/verifier/event-time.js';
import { EVENT_CATALOGUE } from '../../src/verifier/event-catalogue.js';
import { INSTANT_FIELD } from '../../src/verifier/rights-events.js';
import { rootFromLeafHashes } from '../support/merkle-tree.js';
import { buildLog, labelsDeclaredData, leafHashesOf, ndjson, newSigner, ORIGIN, workFiledData } from './fixture.js';

const RECORDED = Date.parse('2026-12-07T06:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();
const event = (type: string, field: string, stated: unknown) => ({ type, data: { [field]: stated }, recordedAt: iso(RECORDED) });

describe('eventTimeFault', () => {
  const timed = Object.entries(OWN_TIME_FIELD);

  it('holds every event type that states a time of its own to its recordedAt, up to the bounds and not past them', () => {
    // The rules' instants, a settlement's asOf aside, and nine more; four types state no time of their own.
    expect(
      Object.keys(INSTANT_FIELD)
        .filter((t) => t !== 'RightsSettled')
        .every((t) => OWN_TIME_FIELD[t] === INSTANT_FIELD[t]),
    ).toBe(true);
    expect(timed.length).toBe(21);
    expect(Object.keys(EVENT_CATALOGUE).filter((t) => !Object.hasOwn(OWN_TIME_FIELD, t))).toEqual([
      'LastingAdminKeyRevoked',
      'ContentReserved',
      'CopyReserved',
      'FilingDisputed',
      'RightsSettled',
    ]);
    for (const [type, field] of timed) {
      for (const ms of [RECORDED, RECORDED - EVENT_TIME_LAG_MS, RECORDED + EVENT_TIME_LEAD_MS])
        expect(eventTimeFault(event(type, field, iso(ms)), RECORDED)).toBeUndefined();
      const fault = (ms: number, problem: string) => ({ type, field, stated: iso(ms), recordedAt: iso(RECORDED), problem });
      expect(eventTimeFault(event(type, field, iso(RECORDED - EVENT_TIME_LAG_MS - 1)), RECORDED)).toEqual(
        fault(RECORDED - EVENT_TIME_LAG_MS - 1, 'before'),
      );
      expect(eventTimeFault(event(type, field, iso(RECORDED + EVENT_TIME_LEAD_MS + 1)), RECORDED)).toEqual(
        fault(RECORDED + EVENT_TIME_LEAD_MS + 1, 'after'),
      );
    }
  });

  it('says the rules count from the time only of an event whose time they read', () => {
    const back = iso(RECORDED - EVENT_TIME_LAG_MS - 1000);
    const reason = (type: string, field: string) =>
      failureReason({ code: 'event-time', ...eventTimeFault(event(type, field, back), RECORDED)! });
    expect(reason('WorkFiled', 'filedAt')).toMatch(
      /: the time the event states, which the sandbox rules count from, is not the time it was recorded$/,
    );
    expect(reason('FilingAmended', 'amendedAt')).toMatch(/: the time the event states is not the time it was recorded$/);
  });

  it('refuses a time in any form but ISO-8601 UTC, which Date.parse would read in the local zone or not at all', () => {
    for (const stated of ['2026-12-07T06:00:00', '2026-12-07T07:00:00.000+01:00', '2026-12-07', 'last year'])
      expect(eventTimeFault(event('WorkFiled', 'filedAt', stated), RECORDED)).toMatchObject({ stated, problem: 'not-utc' });
    expect(eventTimeFault(event('WorkFiled', 'filedAt', 42), RECORDED)).toMatchObject({ stated: '42', problem: 'not-utc' });
    expect(eventTimeFault(event('WorkFiled', 'filedAt', '2026-12-07T06:00:00Z'), RECORDED)).toBeUndefined();
  });

  it('reads a time only on the calendar and the clock, where Date.parse moves a day past its month or the hour 24 on', () => {
    // Each of these Date.parse reads as another instant (2 March, 1 May, the next midnight); Date#toISOString never writes them.
    for (const text of [
      '2026-02-29T00:00:00Z',
      '2026-02-30T12:00:00.000Z',
      '2026-04-31T00:00:00Z',
      '2024-06-31T00:00:00Z',
      '2024-11-31T23:00:00Z',
      '2026-12-06T24:00:00Z',
      '2100-02-29T00:00:00Z',
    ]) {
      expect(Number.isNaN(Date.parse(text))).toBe(false);
      expect(utcMs(text)).toBeNaN();
    }
    for (const text of [
      '2026-13-01T00:00:00Z',
      '2026-00-10T00:00:00Z',
      '2026-01-00T00:00:00Z',
      '2026-01-01T23:60:00Z',
      '2026-01-01T23:59:60Z',
    ])
      expect(utcMs(text)).toBeNaN();
    // Leap days of leap years, the last instant of a year, and every form toISOString writes read as themselves.
    for (const text of ['2024-02-29T00:00:00.000Z', '2000-02-29T23:59:59.999Z', '2026-12-31T23:59:59.999Z', '0000-01-01T00:00:00.000Z'])
      expect(new Date(utcMs(text)).toISOString()).toBe(text);
    for (let ms = Date.UTC(2023, 11, 25); ms < Date.UTC(2024, 2, 5); ms += 3_600_000 + 61_001)
      expect(utcMs(new Date(ms).toISOString())).toBe(ms);
    const stated = '2026-02-30T06:00:00.000Z';
    expect(eventTimeFault(event('WorkFiled', 'filedAt', stated), Date.UTC(2026, 2, 2, 6))).toMatchObject({ stated, problem: 'not-utc' });
  });

  it('leaves alone a settlement as of an earlier time, a time an event states of something else, and a recordedAt that is no time', () => {
    expect(eventTimeFault(event('RightsSettled', 'asOf', iso(RECORDED - 90 * 86_400_000)), RECORDED)).toBeUndefined();
    expect(eventTimeFault(event('ContentReleased', 'filedAt', iso(RECORDED - 90 * 86_400_000)), RECORDED)).toBeUndefined();
    expect(eventTimeFault(event('ApiKeyIssued', 'expiresAt', iso(RECORDED + 90 * 86_400_000)), RECORDED)).toBeUndefined();
    expect(eventTimeFault(event('WorkFiled', 'createdAt', iso(RECORDED - 90 * 86_400_000)), RECORDED)).toBeUndefined();
    expect(eventTimeFault(event('WorkFiled', 'filedAt', iso(RECORDED - 90 * 86_400_000)), NaN)).toBeUndefined();
  });
});

describe('verify on an event whose own time is not its recordedAt', () => {
  const signer = newSigner();
  const log = (filedAt: string, declaredAt: string) =>
    buildLog([
      {
        stream: 'filing-f1',
        type: 'WorkFiled',
        data: workFiledData('f1', filedAt, { creator: 'alice' }),
        recordedAt: '2026-01-01T00:00:01.000Z',
      },
      { stream: 'filing-f1', type: 'LabelsDeclared', data: labelsDeclaredData('f1', declaredAt), recordedAt: '2026-01-01T00:20:01.500Z' },
    ]);
  /** A checkpoint over `events`, signed by the log's key, at a time after them. */
  const signed = (events: EventEnvelope[]) =>
    signCheckpoint(
      { origin: ORIGIN, treeSize: events.length, rootHash: rootFromLeafHashes(leafHashesOf(events)), time: 1767227000 },
      signer.key.secretKey,
    );
  const verify = (events: EventEnvelope[], checkpoint = signed(events)) => verifyExport(ndjson(events), [checkpoint], signer.vkey);

  it('passes times read just before their commits', () => {
    expect(verify(log('2026-01-01T00:00:00.250Z', '2026-01-01T00:20:01.400Z'))).toMatchObject({ ok: true, treeSize: 2 });
  });

  it('fails at the leaf of a filing dated back, naming how far', () => {
    expect(verify(log('2025-11-01T00:00:00.000Z', '2026-01-01T00:20:01.400Z'))).toEqual({
      ok: false,
      leafIndex: 0,
      code: 'event-time',
      type: 'WorkFiled',
      field: 'filedAt',
      stated: '2025-11-01T00:00:00.000Z',
      recordedAt: '2026-01-01T00:00:01.000Z',
      problem: 'before',
      reason:
        "WorkFiled's filedAt 2025-11-01T00:00:00.000Z is 61 days before its recordedAt 2026-01-01T00:00:01.000Z, more " +
        'than the 10 minutes allowed between the server reading its clock and the commit: the time the event states, which ' +
        'the sandbox rules count from, is not the time it was recorded',
    });
  });

  it('names a span just past the bounds to the millisecond, in minutes and seconds', () => {
    expect(verify(log('2026-01-01T00:00:00.250Z', '2026-01-01T00:10:01.499Z'))).toMatchObject({
      ok: false,
      leafIndex: 1,
      reason: expect.stringMatching(
        /^LabelsDeclared's declaredAt 2026-01-01T00:10:01\.499Z is 10 minutes 0\.001 seconds before its recordedAt 2026-01-01T00:20:01\.500Z/,
      ),
    });
    expect(verify(log('2026-01-01T00:01:01.001Z', '2026-01-01T00:20:01.400Z'))).toMatchObject({
      ok: false,
      leafIndex: 0,
      reason:
        "WorkFiled's filedAt 2026-01-01T00:01:01.001Z is 1 minute 0.001 seconds after its recordedAt 2026-01-01T00:00:01.000Z, " +
        'more than the 1 minute allowed: the event states a time later than its own commit',
    });
    expect(verify(log('2026-01-01T00:00:01', '2026-01-01T00:20:01.400Z'))).toMatchObject({
      ok: false,
      leafIndex: 0,
      reason:
        'WorkFiled\'s filedAt "2026-01-01T00:00:01" is not an ISO-8601 UTC time: the sandbox rules read no other, as the ' +
        "event's own time",
    });
  });

  it('names tampering first: a changed time that the log did not sign is a root that does not match, a time that goes back is named so', () => {
    const honest = log('2026-01-01T00:00:00.250Z', '2026-01-01T00:20:01.400Z');
    const changed = log('2025-11-01T00:00:00.000Z', '2026-01-01T00:20:01.400Z');
    expect(verify(changed, signed(honest))).toMatchObject({ ok: false, code: 'root-mismatch' });
    // The declaration moved back 30 minutes, before the filing it follows, and signed: the time went back, at its leaf.
    const back = buildLog([
      {
        stream: 'filing-f1',
        type: 'WorkFiled',
        data: workFiledData('f1', '2026-01-01T00:00:00.250Z', { creator: 'alice' }),
        recordedAt: '2026-01-01T00:00:01.000Z',
      },
      {
        stream: 'filing-f1',
        type: 'LabelsDeclared',
        data: labelsDeclaredData('f1', '2026-01-01T00:20:01.400Z'),
        recordedAt: '2025-12-31T23:50:01.500Z',
      },
    ]);
    expect(verify(back)).toMatchObject({ ok: false, leafIndex: 1, code: 'time-back' });
    // Only once nothing else fails is the time the event states named.
    expect(back[1].hash).toBe(computeEventHash(back[1]));
  });
});
