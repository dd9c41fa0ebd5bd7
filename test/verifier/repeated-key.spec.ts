// Repeated keys in a JSON text, which JSON.parse reads as the last value and other readers as the first.
import { repeatedKey } from '../../src/verifier/repeated-key.js';

it.each([
  ['{"a":1,"a":2}', 'a'],
  ['{"a":1,"\\u0061":2}', 'a'],
  ['{"x":{"b":[1,{"c":1,"c":2}]}}', 'c'],
  ['{\n  "entry": {"type": "WorkFiled", "type": "Other"}\n}', 'type'],
  ['[{"k":1},{"k":2,"k":3}]', 'k'],
  ['{"s":"a \\" quote and \\\\","s":1}', 's'],
])('finds the key repeated in %s', (text, key) => {
  expect(() => JSON.parse(text) as unknown).not.toThrow();
  expect(repeatedKey(text)).toBe(key);
});

it.each([
  '{"a":1,"b":{"a":2},"c":[{"a":3},{"a":4}]}',
  '{"a":"{\\"a\\":1,\\"a\\":2}","b":"a,b,\\"a\\""}',
  '["a","a",{"a":["a","a"]}]',
  '{"\\\\":1,"\\\\\\\\":2}',
  '"just a string"',
  '{}',
])('finds none in %s', (text) => {
  expect(() => JSON.parse(text) as unknown).not.toThrow();
  expect(repeatedKey(text)).toBeUndefined();
});
