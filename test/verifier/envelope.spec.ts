// The envelope body's canonical form: the fast path gives exactly what the generic RFC 8785 serialiser gives, or defers to it.
import { canonicalEnvelopeBody, canonicalJson, envelopeBody, type EnvelopeBody, type JsonObject } from '../../src/verifier/envelope.js';

const body = (data: unknown, meta: unknown = { actor: 'p-1' }): EnvelopeBody => ({
  v: 1, id: '01a22618-afe3-72b9-8dd8-b476f3217e06', stream: 'filing-1', revision: 0, type: 'WorkFiled',
  data: data as JsonObject, meta: meta as JsonObject, recordedAt: '2026-11-29T06:58:01.827Z', prevHash: '0'.repeat(64),
});
const generic = (e: EnvelopeBody) => canonicalJson(envelopeBody(e));

describe('canonicalEnvelopeBody', () => {
  it.each([
    ['keys out of order, nested', { z: 1, a: { y: [3, { c: 1, b: 2 }], x: null }, m: 'é' }],
    ['keys already in order', { a: 1, b: { c: true, d: false } }],
    ['array-index keys, which JavaScript enumerates first', { 10: 'a', 9: 'b', a: { 2: 1, 1: 2 } }],
    ['keys ordered by UTF-16 code units, not code points', { '\u{1F600}': 1, '\uFFFF': 2, 'é': 3, 'E': 4 }],
    ['a __proto__ own key', JSON.parse('{"b":1,"__proto__":{"x":1},"a":2}')],
    ['numbers in every form', { a: -0, b: 1e21, c: 1.5e-7, d: 0.1, e: 123456789012345680000 }],
    ['strings that need escaping', { a: '"\\\n\t\u0001', b: '\u2028\u2029', c: '<\u00ff>', d: '\\ud800 as text' }],
    ['undefined members, dropped', { a: undefined, b: 1 }],
    ['empty containers and an empty key', { '': 0, a: {}, b: [] }],
  ])('%s', (_, data) => {
    const e = body(data);
    expect(canonicalEnvelopeBody(e)).toBe(generic(e));
  });

  it('matches the generic form on parsed exports, meta included', () => {
    const e = JSON.parse(JSON.stringify(body({ filingId: 'f', generation: { tool: { version: '3.5', name: 'x' }, steps: 30 } }, { b: 1, actor: 'p' })));
    expect(canonicalEnvelopeBody(e)).toBe(generic(e));
  });

  it('leaves a Date (toJSON) and other prototypes to the generic serialiser', () => {
    const e = body({ at: new Date(0), n: Object(5) });
    expect(canonicalEnvelopeBody(e)).toBe(generic(e));
  });

  it('refuses what RFC 8785 refuses, as the generic serialiser does', () => {
    expect(() => canonicalEnvelopeBody(body({ a: '\ud800' }))).toThrow('Lone surrogate is not allowed');
    expect(() => canonicalEnvelopeBody(body({ ['\udc00']: 1 }))).toThrow('Lone surrogate is not allowed');
    expect(() => canonicalEnvelopeBody(body({ a: Infinity }))).toThrow('Infinity is not allowed');
    expect(() => canonicalEnvelopeBody(body({ a: NaN }))).toThrow('NaN is not allowed');
  });

  it('handles nesting deeper than the fast path goes', () => {
    let deep: unknown = { b: 1, a: 2 };
    for (let i = 0; i < 200; i++) deep = { z: deep, y: [i] };
    const e = body(deep);
    expect(canonicalEnvelopeBody(e)).toBe(generic(e));
  });
});
