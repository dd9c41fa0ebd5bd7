// RFC 8785 (JCS): the RFC's own examples and its number vectors, so a change of the canonicalize release that would
// change a hash (and so every event hash in every log) fails here.
import canonicalize from 'canonicalize';
import fc from 'fast-check';
import { canonicalEnvelopeBody, canonicalEnvelopeText, canonicalJson, sameJson, storedJson } from '../../src/verifier/envelope.js';
import type { EnvelopeBody, JsonObject } from '../../src/verifier/envelope.js';

const fromIeee = (hex: string) => Buffer.from(hex, 'hex').readDoubleBE(0);

describe('canonical JSON (RFC 8785)', () => {
  it('serialises the example of section 3.2.2', () => {
    const input = JSON.parse(
      '{"numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],' +
        ' "string": "\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/", "literals": [null, true, false]}',
    );
    expect(canonicalJson(input)).toBe(
      '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}',
    );
  });

  it('sorts property names by UTF-16 code units (section 3.2.3)', () => {
    const input = {
      '\u20ac': 'Euro Sign',
      '\r': 'Carriage Return',
      '\ufb33': 'Hebrew Letter Dalet With Dagesh',
      '1': 'One',
      '\ud83d\ude00': 'Emoji: Grinning Face',
      '\u0080': 'Control',
      '\u00f6': 'Latin Small Letter O With Diaeresis',
    };
    // JSON.parse cannot show the order (integer-like names come first in a JS object): compare the text.
    expect(canonicalJson(input)).toBe(
      '{"\\r":"Carriage Return","1":"One","\u0080":"Control","\u00f6":"Latin Small Letter O With Diaeresis","\u20ac":"Euro Sign",' +
        '"\ud83d\ude00":"Emoji: Grinning Face","\ufb33":"Hebrew Letter Dalet With Dagesh"}',
    );
  });

  // Appendix B: IEEE 754 bit patterns and their JCS text.
  it.each([
    ['0000000000000000', '0'],
    ['8000000000000000', '0'],
    ['0000000000000001', '5e-324'],
    ['8000000000000001', '-5e-324'],
    ['7fefffffffffffff', '1.7976931348623157e+308'],
    ['ffefffffffffffff', '-1.7976931348623157e+308'],
    ['4340000000000000', '9007199254740992'],
    ['c340000000000000', '-9007199254740992'],
    ['4430000000000000', '295147905179352830000'],
    ['44b52d02c7e14af5', '9.999999999999997e+22'],
    ['44b52d02c7e14af6', '1e+23'],
    ['44b52d02c7e14af7', '1.0000000000000001e+23'],
    ['444b1ae4d6e2ef4e', '999999999999999700000'],
    ['444b1ae4d6e2ef4f', '999999999999999900000'],
    ['444b1ae4d6e2ef50', '1e+21'],
    ['3eb0c6f7a0b5ed8c', '9.999999999999997e-7'],
    ['3eb0c6f7a0b5ed8d', '0.000001'],
    ['41b3de4355555553', '333333333.3333332'],
    ['41b3de4355555554', '333333333.33333325'],
    ['41b3de4355555555', '333333333.3333333'],
    ['41b3de4355555556', '333333333.3333334'],
    ['41b3de4355555557', '333333333.33333343'],
    ['becbf647612f3696', '-0.0000033333333333333333'],
    ['43143ff3c1cb0959', '1424953923781206.2'],
  ])('number %s is %s', (ieee, text) => {
    expect(canonicalJson([fromIeee(ieee)])).toBe(`[${text}]`);
  });

  it.each([
    ['NaN', fromIeee('7fffffffffffffff')],
    ['Infinity', fromIeee('7ff0000000000000')],
    ['a lone surrogate', '\ud800'],
    ['a lone surrogate in a name', { '\udc00': 1 }],
  ])('refuses %s', (_, value) => {
    expect(() => canonicalJson({ value })).toThrow();
  });
});

// canonicalJson writes plain JSON through JSON.stringify on a key-ordered copy and leaves the rest to `canonicalize`:
// the two must give the same text (or both refuse) for every value, so no event hash can depend on the path taken.
describe('canonical JSON: the fast path is canonicalize', () => {
  const same = (value: unknown) => {
    let expected: string | undefined;
    let refused = false;
    try {
      expected = canonicalize(value);
    } catch {
      refused = true;
    }
    // canonicalize writes holes and functions as nothing ("[1,,3]"): no JSON text, which canonicalJson refuses.
    const json = !refused && expected !== undefined && canonicalize(JSON.parse(JSON.stringify(value)) as unknown) === expected;
    if (!json) expect(() => canonicalJson(value)).toThrow();
    else expect(canonicalJson(value)).toBe(expected);
  };

  it('for random JSON values, with any key order and any Unicode', () => {
    const key = fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.constantFrom('0', '1', '10', '2', '01', '-1', '4294967295'));
    const value = fc.letrec((tie) => ({
      json: fc.oneof(
        { depthSize: 'small' },
        fc.constant(null),
        fc.boolean(),
        fc.double(),
        fc.integer(),
        fc.string({ unit: 'binary' }),
        fc.string({ unit: 'grapheme' }),
        fc.array(tie('json')),
        fc.dictionary(key, tie('json')),
      ),
    })).json;
    fc.assert(fc.property(value, same), { numRuns: 3000 });
  });

  it('for a "__proto__" key, which JSON.parse makes an own property: kept as a member, in its place', () => {
    for (const text of [
      '{"b":1,"__proto__":{"x":1},"a":2}',
      '{"\\u0000":0,"":null,"__proto__":0}',
      '{"__proto__":[{"z":0,"__proto__":1}]}',
    ]) {
      const value: unknown = JSON.parse(text);
      same(value);
      expect(canonicalJson(value)).toContain('"__proto__"');
    }
    expect(canonicalJson(JSON.parse('{"b":1,"__proto__":{"x":1},"a":2}'))).toBe('{"__proto__":{"x":1},"a":2,"b":1}');
  });

  it('for values JSON.parse never gives', () => {
    const nullProto = Object.assign(Object.create(null) as object, { b: 1, a: [2, undefined] });
    for (const value of [
      { b: 1, a: undefined, c: [undefined, () => 1] },
      { when: new Date(0), z: 1 },
      { b: { toJSON: () => ({ y: 1, x: 2 }) }, a: 0 },
      nullProto,
      [1, , 3], // eslint-disable-line no-sparse-arrays
      { s: Symbol('s'), a: 1 },
      { n: -0, m: 1e21, k: 5e-324 },
      { big: 1n },
      undefined,
      { list: Object.assign([{ d: 1, c: 2 }], { toJSON: () => ({ b: 1, a: 2 }) }) },
      { list: new (class Listed extends Array<unknown> {})(3, 2, 1) },
      {
        list: new (class Replaced extends Array<unknown> {
          toJSON = () => 'replaced';
        })(),
      },
    ])
      same(value);
  });

  it('keeps already ordered values as they are and orders the others', () => {
    const ordered = { a: 1, b: { c: [1, { d: 2, e: 3 }] } };
    expect(canonicalJson(ordered)).toBe(JSON.stringify(ordered));
    expect(canonicalJson({ b: { e: 3, d: 2 }, a: 1 })).toBe('{"a":1,"b":{"d":2,"e":3}}');
  });
});

describe('sameJson: two values with the same JCS text', () => {
  /** canonicalJson(a) === canonicalJson(b), or the error canonicalJson throws. */
  const expected = (a: unknown, b: unknown): boolean | 'throws' => {
    try {
      return canonicalJson(a) === canonicalJson(b);
    } catch {
      return 'throws';
    }
  };
  const check = ([a, b]: [unknown, unknown]) => {
    const want = expected(a, b);
    if (want !== 'throws') expect(sameJson(a, b)).toBe(want);
    else {
      // A value without a text differs from any other: the refusal, or false where a difference comes first.
      let answer: boolean | 'throws';
      try {
        answer = sameJson(a, b);
      } catch {
        answer = 'throws';
      }
      expect(answer).not.toBe(true);
    }
  };
  /** The same value built again with every object's members in reverse order (the same JCS text). */
  const reordered = (v: unknown): unknown => {
    if (Array.isArray(v) && Object.getPrototypeOf(v) === Array.prototype) return v.map(reordered);
    if (typeof v !== 'object' || v === null || Object.getPrototypeOf(v) !== Object.prototype) return v;
    return Object.fromEntries(
      Object.entries(v)
        .reverse()
        .map(([k, x]) => [k, reordered(x)]),
    );
  };
  const key = fc.oneof(fc.string(), fc.constantFrom('0', '1', 'a', '__proto__'));
  const value = fc.letrec((tie) => ({
    v: fc.oneof(
      { depthSize: 'small' },
      fc.constant(null),
      fc.constant(undefined),
      fc.boolean(),
      fc.double(),
      fc.constantFrom(0, -0, 1, 1e21),
      fc.string({ unit: 'binary' }),
      fc.constantFrom('a', 'b'),
      fc.array(tie('v')),
      fc.dictionary(key, tie('v')),
      fc.constantFrom(() => 1, Symbol('s'), 1n, new Date(0)),
    ),
  })).v;

  it('for random pairs, a value and itself reordered, and a value and a changed copy', () => {
    const changed = fc.tuple(value, key, value).map(([v, k, x]): [unknown, unknown] => {
      const copy = reordered(v);
      const plainObject = typeof copy === 'object' && copy !== null && Object.getPrototypeOf(copy) === Object.prototype;
      return [v, plainObject ? Object.fromEntries([...Object.entries(copy), [k, x]]) : copy]; // k set to x, added or changed
    });
    const pairs = fc.oneof(
      fc.tuple(value, value),
      value.map((v): [unknown, unknown] => [v, reordered(v)]),
      changed,
    );
    fc.assert(fc.property(pairs, check), { numRuns: 5000 });
  });

  it('for the members JSON leaves out or writes alike', () => {
    const holed: unknown[] = [1];
    holed[2] = 3; // [1, , 3]
    for (const pair of [
      [{ a: 1, b: undefined }, { a: 1 }],
      [{ a: 1 }, { a: 1, f: () => 1 }],
      [{ n: -0 }, { n: 0 }],
      [
        [1, undefined],
        [1, null],
      ],
      [
        { b: 1, a: [2, { d: 3, c: 4 }] },
        { a: [2, { c: 4, d: 3 }], b: 1 },
      ],
      [{ a: [1, 2] }, { a: [2, 1] }],
      [{ a: 1 }, { a: '1' }],
      [{ a: {} }, { a: [] }],
      [{ when: new Date(0) }, { when: '1970-01-01T00:00:00.000Z' }],
      [JSON.parse('{"__proto__":1}'), JSON.parse('{"__proto__":2}')],
      [{ s: 'a\ud800' }, { s: 'a\ud800' }],
      [{ k: 1 }, Object.defineProperty({ j: 1 }, 'k', { value: 1 })], // k not enumerable: {"j":1}
      [holed, [1, null, 3]],
      [[() => 1], []],
    ] as Array<[unknown, unknown]>)
      check(pair);
    expect(sameJson({ k: 1 }, Object.defineProperty({ j: 1 }, 'k', { value: 1 }))).toBe(false);
    expect(sameJson({ a: 1, b: undefined }, { a: 1 })).toBe(true);
    expect(sameJson({ a: [2, 1] }, { a: [1, 2] })).toBe(false);
  });
});

// An event store hashes an envelope from the JCS texts of its data and meta (storedJson) instead of serialising them
// again: the text must be the envelope's JCS form for every body, or some event's hash would change with the store.
describe('an envelope hashed from its stored data and meta texts', () => {
  const json = fc.letrec((tie) => ({
    json: fc.oneof(
      { depthSize: 'small' },
      fc.constant(null),
      fc.boolean(),
      fc.double({ noNaN: true, noDefaultInfinity: true }),
      fc.string({ unit: 'grapheme' }),
      fc.array(tie('json')),
      fc.dictionary(fc.oneof(fc.string(), fc.constantFrom('0', '10', '__proto__')), tie('json')),
    ),
  })).json;
  const object = fc.dictionary(fc.oneof(fc.string(), fc.constantFrom('0', '10', '__proto__')), json);
  const text = fc.oneof(fc.string({ unit: 'grapheme' }), fc.string({ unit: 'binary' }));

  it('is canonicalEnvelopeBody, for random bodies', () => {
    fc.assert(
      fc.property(object, object, text, text, fc.integer({ min: 0, max: 2 ** 40 }), (data, meta, stream, type, revision) => {
        const d = storedJson(data);
        const m = storedJson(meta);
        const body: EnvelopeBody = {
          v: 1,
          id: '0190f5e4-1c2a-7b3d-8e4f-5a6b7c8d9e0f',
          stream,
          revision,
          type,
          data: d.value,
          meta: m.value,
          recordedAt: '2026-12-04T21:00:00.000Z',
          prevHash: 'ab'.repeat(32),
        };
        let expected: string | undefined;
        try {
          expected = canonicalEnvelopeBody(body);
        } catch {
          expect(() => canonicalEnvelopeText(body, d.text, m.text)).toThrow();
          return;
        }
        expect(canonicalEnvelopeText(body, d.text, m.text)).toBe(expected);
        expect(d.text).toBe(canonicalize(d.value));
      }),
      { numRuns: 2000 },
    );
  });

  // Values an event's data may be given as that JSON.parse never gives: the stored value is still what the JSON round
  // trip gives, and the text its JCS form.
  it('storedJson, for random values with undefined, toJSON, dates, non-finite numbers and arrays of other kinds', () => {
    const odd = fc.letrec((tie) => ({
      value: fc.oneof(
        { depthSize: 'small' },
        fc.constant(undefined),
        fc.constant(null),
        fc.double(),
        fc.string({ unit: 'grapheme' }),
        fc.date({ noInvalidDate: true }),
        fc.array(tie('value')),
        fc.dictionary(fc.oneof(fc.string(), fc.constantFrom('0', '__proto__')), tie('value')),
        tie('value').map((inner) => ({ toJSON: () => inner })),
        fc.array(tie('value')).map((items) => Object.assign(items, { toJSON: () => ({ n: items.length, z: 0, a: 1 }) })),
      ),
    })).value;
    fc.assert(
      fc.property(fc.dictionary(fc.string(), odd), (value) => {
        const readBack = JSON.parse(JSON.stringify(value)) as JsonObject;
        const { value: v, text: t } = storedJson(value);
        expect(v).toStrictEqual(readBack);
        expect(t).toBe(canonicalize(readBack));
      }),
      { numRuns: 2000 },
    );
  });

  it('storedJson: the value read back from JSON text, and its JCS text', () => {
    const cases: Array<[unknown, JsonObject]> = [
      [
        { b: 1, a: undefined, c: [undefined, 2] },
        { b: 1, c: [null, 2] },
      ],
      [
        { when: new Date(0), n: NaN },
        { when: '1970-01-01T00:00:00.000Z', n: null },
      ],
      [{ inner: { toJSON: () => ({ y: 1, x: 2 }) } }, { inner: { y: 1, x: 2 } }],
    ];
    for (const [value, readBack] of cases) {
      const { value: v, text: t } = storedJson(value);
      expect(v).toStrictEqual(readBack);
      expect(t).toBe(canonicalize(readBack));
    }
    expect(storedJson({ b: { d: 1, c: 2 }, a: 0 }).text).toBe('{"a":0,"b":{"c":2,"d":1}}');
    for (const bad of [{ toJSON: () => 'text' }, { toJSON: () => [1] }, { big: 1n }, [1], 'x', undefined])
      expect(() => storedJson(bad)).toThrow(TypeError);
    expect(() => storedJson({ s: '\ud800' })).toThrow(/surrogate/i);
    const cyclic: Record<string, unknown> = { a: [] };
    (cyclic.a as unknown[]).push({ up: cyclic });
    expect(() => storedJson(cyclic)).toThrow(/circular/);
  });
});
