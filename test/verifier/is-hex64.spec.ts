// isHex64, the check every event's hashes meet, answers as the regular expression ^[0-9a-f]{64}$ does on any value.
import { createHash, randomBytes } from 'node:crypto';
import { isHex64 } from '../../src/verifier/envelope.js';

const HEX64 = /^[0-9a-f]{64}$/;
const hash = createHash('sha256').update('x').digest('hex');
const at = (i: number, c: string) => hash.slice(0, i) + c + hash.slice(i + 1);

it.each([
  ['a SHA-256 in lowercase hex', hash, true],
  ['all zeros', '0'.repeat(64), true],
  ['all f', 'f'.repeat(64), true],
  ['upper case', hash.toUpperCase(), false],
  ['one upper-case digit', at(10, 'A'), false],
  ['a g', at(63, 'g'), false],
  ['63 digits', hash.slice(1), false],
  ['65 digits', hash + '0', false],
  ['empty', '', false],
  ['a space', at(0, ' '), false],
  ['a slash (before 0)', at(5, '/'), false],
  ['a colon', at(6, ':'), false],
  ['a backtick (before a)', at(7, '`'), false],
  ['an Arabic-Indic digit', at(8, '\u0660'), false],
  ['a fullwidth a', at(9, '\uff41'), false],
  ['a character whose code is a digit plus 256', at(3, String.fromCharCode(0x30 + 0x100)), false],
  ['a trailing newline', hash.slice(1) + '\n', false],
  ['a number', 12, false],
  ['null', null, false],
  ['an array of its characters', [...hash], false],
])('%s: %s', (_what, value, expected) => {
  expect(isHex64(value)).toBe(expected);
  expect(typeof value === 'string' && HEX64.test(value)).toBe(expected);
});

it('answers as the regular expression on random strings of 64 characters near the digits', () => {
  const alphabet = '0123456789abcdefABCDEFgG/:`@\u0660\uff10';
  for (let n = 0; n < 2000; n++) {
    const bytes = randomBytes(64);
    // Mostly digits, now and then a character from around them.
    const s = [...bytes].map((b, i) => (b < 240 ? hash[i] : alphabet[b % alphabet.length])).join('');
    expect(isHex64(s)).toBe(HEX64.test(s));
  }
});
