// Numeric settings are read from the environment as non-negative integers; anything else stops the start, naming the
// variable and the value.
import { loadConfig } from '../../src/config.js';

describe('numeric settings', () => {
  it('take their default when unset or empty, and their value when it is a non-negative integer', () => {
    expect(loadConfig({}).port).toBe(3000);
    expect(loadConfig({ PORT: '' }).port).toBe(3000);
    expect(loadConfig({ PORT: '0' }).port).toBe(0);
    expect(loadConfig({ LEDGER_BODY_LIMIT: '1024' }).bodyLimit).toBe(1024);
  });

  it.each([
    ['PORT', 'abc'],
    ['PORT', '-1'],
    ['LEDGER_BODY_LIMIT', '1.5'],
    ['LEDGER_READ_WAIT_MS', '9007199254740993'],
  ])('%s=%s stops the start with a message naming both', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(`${name} must be a non-negative integer, not "${value}"`);
  });
});
