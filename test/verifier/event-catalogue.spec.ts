// The event catalogue `verify` holds every event to: a known type, in its own stream, with exactly its data and meta,
// whether the schemas are walked (a page) or compiled (the CLI). An event the log's key signed that is not one fails the
// export at its leaf, after any sign of tampering, and the settlement audit reads nothing from it on.
import { compiledSchemaCheck } from '../../src/common/compiled-schemas.js';
import { catalogueFault, EVENT_CATALOGUE } from '../../src/verifier/event-catalogue.js';
import { computeEventHash, ZERO_HASH, type EventEnvelope, type JsonObject } from '../../src/verifier/envelope.js';
import { verifyExport } from '../../src/verifier/export-verifier.js';
import {
  amendment,
  buildLog,
  copyRegistered,
  labelsDeclaredData,
  ndjson,
  newSigner,
  rechain,
  recordedAtOf,
  workFiledData,
} from './fixture.js';

const filed = { type: 'WorkFiled', stream: 'filing-f1', data: workFiledData('f1', recordedAtOf(0)), meta: { actor: 'user-1' } };
/** The event's fault, walking the schemas as a page does; the CLI's compiled checks must answer alike. */
const faultOf = (e: Parameters<typeof catalogueFault>[0]) => {
  const walked = catalogueFault(e);
  expect(catalogueFault(e, compiledSchemaCheck)).toEqual(walked);
  return walked;
};
const fault = (edit: (e: typeof filed) => void) => {
  const e = structuredClone(filed);
  edit(e);
  return faultOf(e);
};

describe('catalogueFault', () => {
  it('accepts events as the handlers write them, with the meta a request or a follow-up gives', () => {
    expect(faultOf(filed)).toBeUndefined();
    expect(faultOf({ ...filed, meta: { actor: 'user-1', idempotency: 'a1b2' } })).toBeUndefined();
    expect(faultOf({ ...filed, meta: { actor: 'user-1', cause: 'concurrent-filing' } })).toBeUndefined();
    for (const spec of [amendment('f1', 1), copyRegistered('f1', 3, 'png:tEXt:AIGC')])
      expect(faultOf({ ...spec, meta: { actor: 'user-1' } })).toBeUndefined();
    expect(
      faultOf({
        type: 'LabelsDeclared',
        stream: 'filing-f1',
        data: labelsDeclaredData('f1', recordedAtOf(0)),
        meta: { actor: 'u' },
      }),
    ).toBeUndefined();
    // Fields a version of the ledger did not yet write may be left out: a perceptual hash without its source.
    expect(fault((e) => (e.data.perceptualHash = { scheme: 'phash64', value: 'ffff0000ffff0000' }))).toBeUndefined();
  });

  it('names a type no rule knows, or one only the prototype of an object has', () => {
    expect(fault((e) => (e.type = 'WorkRefiled'))).toEqual({ type: 'WorkRefiled', problem: 'unknown-type' });
    expect(fault((e) => (e.type = 'toString'))).toEqual({ type: 'toString', problem: 'unknown-type' });
    expect(Object.keys(EVENT_CATALOGUE)).toHaveLength(26);
  });

  it('names a member missing, one the type does not have, and a value of another kind, by its JSON pointer', () => {
    expect(fault((e) => delete e.data.filedAt)).toEqual({
      type: 'WorkFiled',
      problem: 'data',
      path: '/filedAt',
      issue: 'missing',
      wanted: ['instant'],
    });
    expect(fault((e) => (e.data.backdatedFrom = recordedAtOf(0)))).toMatchObject({ path: '/backdatedFrom', issue: 'unexpected' });
    expect(fault((e) => ((e.data.generation as JsonObject).iterations = 2.5))).toMatchObject({
      path: '/generation/iterations',
      issue: 'value',
      wanted: ['whole-number', 'null'],
    });
    expect(fault((e) => (e.data.contentHash = 'ABC'))).toMatchObject({ path: '/contentHash', wanted: ['sha256'] });
    expect(fault((e) => (e.data.filedAt = '2026-01-01 00:00:00'))).toMatchObject({ path: '/filedAt', wanted: ['instant'] });
    expect(fault((e) => (e.data.filingId = ''))).toMatchObject({ path: '/filingId', wanted: ['non-empty-string'] });
    // JSON.parse makes "__proto__" an own member: one the type does not have.
    const parsed = JSON.parse(JSON.stringify(filed).replace('"filingId":"f1"', '"__proto__":{"x":1},"filingId":"f1"')) as typeof filed;
    expect(faultOf(parsed)).toMatchObject({ path: '/__proto__', issue: 'unexpected' });
  });

  it('names what is wrong within a value of one of a union’s kinds, the tagged one among several', () => {
    expect(fault((e) => (e.data.perceptualHash = { scheme: 'phash64', value: 'ff', source: 'guessed' }))).toEqual({
      type: 'WorkFiled',
      problem: 'data',
      path: '/perceptualHash/source',
      issue: 'value',
      wanted: ['"declared"', '"computed"'],
    });
    const signals = (signal: JsonObject) => (e: typeof filed) =>
      (e.data.file = {
        sha256: ZERO_HASH,
        size: 10,
        sniffedType: 'image/png',
        image: null,
        perceptualHash: null,
        provenance: { labels: [], c2pa: null, digitalSourceTypes: [], unread: [] },
        declaredPerceptualHash: null,
        aiSignals: [signal],
      });
    expect(fault(signals({ signal: 'aigc-label', location: 'png:tEXt:AIGC', label: '1' }))).toBeUndefined();
    expect(fault(signals({ signal: 'near-duplicate-of-ai-filing', filingId: 'f0', distance: '3', threshold: 8 }))).toMatchObject({
      path: '/file/aiSignals/0/distance',
      wanted: ['whole-number'],
    });
    // Of untagged objects, the one with the value's members: a settlement's cause by a deadline.
    const settlement = {
      type: 'RightsSettled',
      stream: 'settlements',
      meta: { actor: 'system:settlement' },
      data: {
        asOf: recordedAtOf(0),
        logSize: 0,
        policyVersion: 1,
        policyVersions: [1],
        changes: [
          {
            filingId: 'f1',
            from: 'provisional',
            to: 'confirmed',
            holder: 'u',
            rule: 'quiet-period-over',
            cause: { deadline: 'quietUntil', at: 'day 30' },
            since: recordedAtOf(0),
          },
        ],
        trigger: 'schedule',
      },
    };
    expect(faultOf(settlement)).toMatchObject({ path: '/changes/0/cause/at', issue: 'value', wanted: ['instant'] });
    // No tag of any kind: the union itself is named, each kind once.
    expect(fault(signals({ signal: 'hunch' }))).toMatchObject({
      path: '/file/aiSignals/0',
      issue: 'value',
      wanted: ['object'],
    });
  });

  it('names an event in another stream than its own, and meta that is not who caused it', () => {
    expect(fault((e) => (e.stream = 'filing-f2'))).toEqual({
      type: 'WorkFiled',
      problem: 'stream',
      stream: 'filing-f2',
      expected: 'filing-f1',
    });
    expect(fault((e) => (e.meta = {} as typeof e.meta))).toMatchObject({ problem: 'meta', path: '/actor', issue: 'missing' });
    expect(fault((e) => (e.meta = { actor: 'u', note: 'x' } as typeof e.meta))).toMatchObject({
      problem: 'meta',
      path: '/note',
      issue: 'unexpected',
    });
  });
});

describe('verify on an event that is not in the catalogue', () => {
  const signer = newSigner();
  const T = (s: number) => recordedAtOf(s);
  const complaint = (filedAt: string, extra: JsonObject = {}) => ({
    stream: 'dispute-d1',
    type: 'ComplaintFiled',
    data: {
      disputeId: 'd1',
      type: 'authorship',
      filingId: 'f1',
      complainant: 'bob',
      respondent: 'user-1',
      claim: 'mine',
      basisFilingId: null,
      evidence: [],
      policy: { version: 1, responseDays: 7, decisionSlaDays: 15, appealDays: 15 },
      filedAt,
      ...extra,
    } as JsonObject,
  });
  const withdrawn = { stream: 'filing-f1', type: 'FilingWithdrawn', data: { filingId: 'f1', reason: null, withdrawnAt: T(1) } };
  const honest = () => buildLog([{ stream: 'filing-f1', type: 'WorkFiled', data: workFiledData('f1', T(0)) }, complaint(T(1))]);
  const verify = (events: EventEnvelope[], checkpoint = signer.checkpoint(events)) =>
    verifyExport(ndjson(events), [checkpoint], signer.vkey);

  it('fails at its leaf when the log signed it', () => {
    expect(verify(honest())).toMatchObject({ ok: true, treeSize: 2 });
    const events = buildLog([
      { stream: 'filing-f1', type: 'WorkFiled', data: workFiledData('f1', T(0)) },
      complaint(T(1), { urgent: true }),
    ]);
    expect(verify(events)).toEqual({
      ok: false,
      leafIndex: 1,
      reason:
        "ComplaintFiled's data member /urgent is one its type does not have: the event is not as the event catalogue has " +
        'it, and the sandbox rules would misread it',
      code: 'catalogue',
      type: 'ComplaintFiled',
      problem: 'data',
      path: '/urgent',
      issue: 'unexpected',
      wanted: [],
    });
  });

  it('stops the settlement audit before an event the rules could misread, and only such an event', () => {
    const settled = {
      stream: 'settlements',
      type: 'RightsSettled',
      data: {
        asOf: T(2),
        logSize: 2,
        policyVersion: 1,
        policyVersions: [1],
        changes: [
          {
            filingId: 'f1',
            from: 'provisional',
            to: 'withdrawn',
            holder: 'user-1',
            rule: 'filing-withdrawn',
            cause: { event: 'FilingWithdrawn', leafIndex: 1 },
            since: T(1),
          },
        ],
        trigger: 'admin',
      } as JsonObject,
    };
    const log = (filing: JsonObject, recorded = settled) =>
      buildLog([{ stream: 'filing-f1', type: 'WorkFiled', data: filing }, withdrawn, recorded]);
    expect(verify(log(workFiledData('f1', T(0))))).toMatchObject({ ok: true, treeSize: 3 });
    // Without the filing, the rules would give the settlement no change: it is the filing that is named.
    expect(verify(log(workFiledData('f1', T(0), { urgent: true })))).toMatchObject({
      ok: false,
      leafIndex: 0,
      code: 'catalogue',
      path: '/urgent',
    });
    // The filing's meta, which no rule reads, out of the catalogue: the audit goes on, and a settlement the rules do not
    // give is named as such, at its leaf.
    const wrong = { ...settled, data: { ...settled.data, changes: [] } };
    const events = log(workFiledData('f1', T(0)), wrong);
    events[0].meta = { actor: 'user-1', via: 'batch' };
    expect(verify(rechain(events))).toMatchObject({ ok: false, leafIndex: 2, code: 'settlement', settlement: { rule: 'right' } });
    expect(verify(rechain(events.slice(0, 2)))).toMatchObject({ ok: false, leafIndex: 0, code: 'catalogue', problem: 'meta' });
  });

  it('names tampering first: such an event changed without the log key is a root that does not match', () => {
    const events = honest();
    const changed = structuredClone(events);
    changed[1].data.urgent = true;
    changed[1].hash = computeEventHash(changed[1]);
    expect(verify(changed, signer.checkpoint(events))).toMatchObject({ ok: false, code: 'root-mismatch' });
  });

  it('names the earlier of it and an event whose own time is out of bounds, the time where both are at one leaf', () => {
    const late = buildLog([
      { stream: 'filing-f1', type: 'WorkFiled', data: workFiledData('f1', T(0)) },
      complaint('2025-01-01T00:00:00.000Z'),
      amendment('f2', 1),
    ]);
    late[2].type = 'FilingRetitled';
    late[2].hash = computeEventHash(late[2]);
    expect(verify(late)).toMatchObject({ ok: false, leafIndex: 1, code: 'event-time' });
    const unknownFirst = buildLog([
      { stream: 'filing-f1', type: 'WorkFiled', data: workFiledData('f1', T(0)) },
      amendment('f2', 1),
      complaint('2025-01-01T00:00:00.000Z'),
    ]);
    unknownFirst[1].type = 'FilingRetitled';
    unknownFirst[1].hash = computeEventHash(unknownFirst[1]);
    expect(verify(unknownFirst)).toMatchObject({ ok: false, leafIndex: 1, code: 'catalogue', problem: 'unknown-type' });
    // A time that is no ISO-8601 UTC time is both: named as the time it is.
    const both = buildLog([{ stream: 'filing-f1', type: 'WorkFiled', data: workFiledData('f1', '2026-01-01T00:00:00') }]);
    expect(verify(both)).toMatchObject({ ok: false, leafIndex: 0, code: 'event-time', problem: 'not-utc' });
  });
});
