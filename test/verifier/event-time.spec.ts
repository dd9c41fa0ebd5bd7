// An event's own time against its recordedAt: an event the rules read whose time lies more than 10 minutes before its
// commit, or more than a minute after it, fails `verify` at its leaf; a settlement's asOf, and events without such a
// time, are not held to it.
import { verifyExport } from '../../src/verifier/export-verifier.js';
import { EVENT_TIME_LAG_MS, EVENT_TIME_LEAD_MS, eventTimeFault } from '../../src/verifier/event-time.js';
import { INSTANT_FIELD } from '../../src/verifier/rights-events.js';
import { buildLog, ndjson, newSigner } from './fixture.js';

const RECORDED = Date.parse('2026-12-07T06:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();
const event = (type: string, field: string, stated: unknown) => ({ type, data: { [field]: stated }, recordedAt: iso(RECORDED) });

describe('eventTimeFault', () => {
  const timed = Object.entries(INSTANT_FIELD).filter(([type]) => type !== 'RightsSettled');

  it('holds every event type the rules read to its recordedAt, up to the bounds and not past them', () => {
    expect(timed.length).toBe(12);
    for (const [type, field] of timed) {
      for (const ms of [RECORDED, RECORDED - EVENT_TIME_LAG_MS, RECORDED + EVENT_TIME_LEAD_MS])
        expect(eventTimeFault(event(type, field, iso(ms)), RECORDED)).toBeUndefined();
      for (const ms of [RECORDED - EVENT_TIME_LAG_MS - 1, RECORDED + EVENT_TIME_LEAD_MS + 1, RECORDED - 30 * 86_400_000])
        expect(eventTimeFault(event(type, field, iso(ms)), RECORDED)).toEqual({ type, field, stated: iso(ms), recordedAt: iso(RECORDED) });
    }
  });

  it('leaves alone a settlement as of an earlier time, events with no time the rules read, and a time the rules cannot read', () => {
    expect(eventTimeFault(event('RightsSettled', 'asOf', iso(RECORDED - 90 * 86_400_000)), RECORDED)).toBeUndefined();
    expect(eventTimeFault(event('PrincipalRegistered', 'registeredAt', iso(RECORDED - 90 * 86_400_000)), RECORDED)).toBeUndefined();
    expect(eventTimeFault(event('WorkFiled', 'createdAt', iso(RECORDED - 90 * 86_400_000)), RECORDED)).toBeUndefined();
    for (const stated of ['last year', 42, null]) expect(eventTimeFault(event('WorkFiled', 'filedAt', stated), RECORDED)).toBeUndefined();
  });
});

describe('verify on an event whose own time is not its recordedAt', () => {
  const signer = newSigner();
  const log = (filedAt: string, declaredAt: string) =>
    buildLog([
      {
        stream: 'filing-f1',
        type: 'WorkFiled',
        data: { filingId: 'f1', creator: 'alice', filedAt },
        recordedAt: '2026-01-01T00:00:01.000Z',
      },
      { stream: 'filing-f1', type: 'LabelsDeclared', data: { filingId: 'f1', declaredAt }, recordedAt: '2026-01-01T00:00:01.500Z' },
    ]);
  const verify = (events: ReturnType<typeof log>) => verifyExport(ndjson(events), [signer.checkpoint(events)], signer.vkey);

  it('passes times read just before their commits', () => {
    expect(verify(log('2026-01-01T00:00:00.250Z', '2026-01-01T00:00:01.400Z'))).toMatchObject({ ok: true, treeSize: 2 });
  });

  it('fails at the leaf of a filing dated back, naming how far', () => {
    expect(verify(log('2025-11-01T00:00:00.000Z', '2026-01-01T00:00:01.400Z'))).toEqual({
      ok: false,
      leafIndex: 0,
      code: 'event-time',
      type: 'WorkFiled',
      field: 'filedAt',
      stated: '2025-11-01T00:00:00.000Z',
      recordedAt: '2026-01-01T00:00:01.000Z',
      reason:
        "WorkFiled's filedAt 2025-11-01T00:00:00.000Z is 61 days before its recordedAt 2026-01-01T00:00:01.000Z, more " +
        'than the 10 minutes a server takes from reading its clock to the commit: the time the event states, which the ' +
        'sandbox rules count from, is not the time it was recorded',
    });
  });

  it('fails at the leaf of a declaration just past the bounds, to the millisecond', () => {
    expect(verify(log('2026-01-01T00:00:00.250Z', '2025-12-31T23:50:01.499Z'))).toMatchObject({
      ok: false,
      leafIndex: 1,
      reason: expect.stringMatching(/^LabelsDeclared's declaredAt 2025-12-31T23:50:01\.499Z is 600\.001 seconds before its recordedAt/),
    });
    expect(verify(log('2026-01-01T00:01:01.001Z', '2026-01-01T00:00:01.400Z'))).toMatchObject({
      ok: false,
      leafIndex: 0,
      reason:
        "WorkFiled's filedAt 2026-01-01T00:01:01.001Z is 60.001 seconds after its recordedAt 2026-01-01T00:00:01.000Z, " +
        'more than 1 minute: the event states a time later than its own commit',
    });
  });
});
