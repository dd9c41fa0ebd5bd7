// The one-pass JCS check accepts a JSON text only when it is exactly the canonical form of what it parses to: every
// text canonicalJson writes passes (bar keys with escapes, which it may refuse), and no other JSON text does.
import { canonicalJson } from '../../src/verifier/envelope.js';
import { jcsMembers } from '../../src/verifier/jcs-text.js';

const isJcs = (text: string) => jcsMembers(text, []) !== undefined;
/** Whether some object in a value has a key JSON writes with an escape. */
const keyWithEscape = (value: unknown): boolean =>
  typeof value === 'object' &&
  value !== null &&
  (Array.isArray(value)
    ? value.some(keyWithEscape)
    : Object.entries(value).some(([k, v]) => JSON.stringify(k).includes('\\') || keyWithEscape(v)));
/** The canonical texts the check may refuse: one that is not an object, or one with a key JSON writes with an escape. */
const mayDecline = (value: unknown) => typeof value !== 'object' || value === null || Array.isArray(value) || keyWithEscape(value);
/** What the check must say of a JSON text: whether it serialises back to itself; undefined for a text that is not JSON. */
function canonical(text: string): boolean | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined; // not JSON: the check makes no promise
  }
  try {
    return canonicalJson(value) === text;
  } catch {
    return false; // no canonical form (a lone surrogate)
  }
}

const values: unknown[] = [
  {},
  { a: [] },
  { a: 1, b: 'x', c: null, d: true, e: false, f: [1, [2, []], {}] },
  { n: [0, -1, 7.5, 1e21, 1e-7, 5e-324, 1.7976931348623157e308, -0.000001, Number('123456789012345678'), 2 ** 53, 999999999999999] },
  { s: ['', 'plain', 'quote " backslash \\ slash /', '\b\f\n\r\t', '\u0000\u0001\u001f\u007f', 'é 作品 😀 \u2028\u2029', '\ufffd'] },
  { '': 0, a: 1, aa: 2, b: 3, B: 4, '10': 5, '9': 6, é: 7, '😀': 8, '\ufb33': 9 },
  { data: { nested: { deeper: [{ z: 1, a: 2 }] } }, hash: 'h', id: 'i', leafIndex: 3, meta: {} },
];

describe('jcsMembers', () => {
  it.each(values.map((v) => [canonicalJson(v)]))('accepts %s, which canonicalJson wrote', (text) => {
    expect(isJcs(text)).toBe(true);
  });

  it('gives only the wanted top-level members that follow a comma, with that comma, never a nested one of the same name', () => {
    const text =
      '{"data":{"a":0,"hash":"d"},"hash":"top","leafIndex":12,"meta":{"a":0,"hash":"m","leafIndex":1},"z":[{"a":0,"leafIndex":2}]}';
    const spans = jcsMembers(text, ['data', 'hash', 'leafIndex'])!;
    expect([...spans.keys()].sort()).toEqual(['hash', 'leafIndex']); // data is the first member: no comma before it
    expect(text.slice(spans.get('hash')!.from, spans.get('hash')!.to)).toBe(',"hash":"top"');
    expect(text.slice(spans.get('leafIndex')!.from, spans.get('leafIndex')!.to)).toBe(',"leafIndex":12');
  });

  const refused: Array<[string, string]> = [
    ['whitespace between tokens', '{"a": 1}'],
    ['whitespace at the end', '{"a":1} '],
    ['a line break at the end', '{"a":1}\n'],
    ['a byte-order mark', '\ufeff{"a":1}'],
    ['keys out of order', '{"b":1,"a":2}'],
    ['a repeated key', '{"a":1,"a":2}'],
    ['a repeated key in a nested object', '{"a":{"n":1,"n":1000}}'],
    ['integer-like keys in numeric order', '{"9":1,"10":2}'],
    ['a key with an escape (canonical, but not checked)', '{"\\"":1}'],
    ['a fraction with a zero', '{"a":1.0}'],
    ['an exponent ES does not write', '{"a":1e3}'],
    ['a capital exponent', '{"a":1E+21}'],
    ['minus zero', '{"a":-0}'],
    ['a leading zero', '{"a":01}'],
    ['an integer beyond a double', '{"a":123456789012345678}'],
    ['an escaped letter', '{"a":"\\u0041"}'],
    ['an escaped slash', '{"a":"\\/"}'],
    ...['08', '09', '0a', '0c', '0d'].map((hex): [string, string] => [`\\u00${hex}, which has a short form`, `{"a":"\\u00${hex}"}`]),
    ['an escape in capitals', '{"a":"\\u001F"}'],
    ['an escaped lone surrogate', '{"a":"\\ud800"}'],
    ['an escaped surrogate pair', '{"a":"\\ud83d\\ude00"}'],
    ['a lone surrogate', '{"a":"\ud800"}'],
    ['a literal in capitals', '{"a":True}'],
    ['not an object', '[1]'],
    ['a second value', '{"a":1}{"b":2}'],
    ['an unclosed object', '{"a":1'],
    ['a trailing comma', '{"a":1,}'],
    ['nesting deeper than the check follows', `{"a":${'['.repeat(300)}${']'.repeat(300)}}`],
  ];
  it.each(refused)('refuses %s', (_, text) => {
    expect(isJcs(text)).toBe(false);
  });

  it('never accepts a JSON text that is not the canonical form of what it parses to (20,000 random edits of canonical texts)', () => {
    let seed = 42;
    const random = (n: number) => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return (seed >>> 16) % n;
    };
    const pieces = [
      '-0',
      '\\u000a',
      '\\u001F',
      '\\/',
      'E+',
      '.0',
      '\\ud800',
      '"a":1,',
      ' ',
      ',',
      ':',
      '"',
      '\\',
      '0',
      '1',
      '.',
      'e',
      'E',
      '-',
      '+',
      '{',
      '}',
      '[',
      ']',
      'u',
      'a',
      'é',
      '\ud800',
      '\n',
      'null',
    ];
    const texts = values.map((v) => canonicalJson(v));
    let accepted = 0;
    let declined = 0;
    for (let round = 0; round < 20_000; round++) {
      let text = texts[random(texts.length)];
      for (let edits = 1 + random(2); edits > 0; edits--) {
        const at = random(text.length + 1);
        const op = random(3);
        const piece = pieces[random(pieces.length)];
        text =
          op === 0
            ? text.slice(0, at) + piece + text.slice(at)
            : op === 1
              ? text.slice(0, at) + text.slice(at + 1)
              : text.slice(0, at) + piece + text.slice(at + 1);
      }
      const expected = canonical(text);
      if (expected === undefined) continue;
      const verdict = isJcs(text);
      if (verdict !== expected && !(expected && mayDecline(JSON.parse(text))))
        throw new Error(`wrong verdict ${verdict} for ${JSON.stringify(text)}`);
      if (verdict) accepted++;
      else declined++;
    }
    expect(declined).toBeGreaterThan(100);
    expect(accepted).toBeGreaterThan(100); // some edits keep a text canonical (a digit for a digit): both sides are tried
  });
});
