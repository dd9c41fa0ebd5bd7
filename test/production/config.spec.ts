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

describe('the bootstrap admin key', () => {
  it('is taken when strong, and a weak one stops the start with a message that names the variable, not the key', () => {
    const strong = 'slk_' + 'k'.repeat(40);
    expect(loadConfig({ LEDGER_BOOTSTRAP_ADMIN_KEY: strong }).bootstrapAdminKey).toBe(strong);
    expect(loadConfig({}).bootstrapAdminKey).toBeUndefined();
    for (const weak of ['slk_admin_review_0123456789abcdef', 'slk_' + 'k'.repeat(38) + ' x', 'slk_' + 'k'.repeat(38) + 'é']) {
      let message = '';
      try {
        loadConfig({ LEDGER_BOOTSTRAP_ADMIN_KEY: weak });
      } catch (err) {
        message = (err as Error).message;
      }
      expect(message).toBe('LEDGER_BOOTSTRAP_ADMIN_KEY must be at least 43 printable ASCII characters without spaces (256 bits)');
    }
  });
});

describe("the log's keys", () => {
  it('a key given that is not a base64 seed of 32 bytes stops the start, naming the variable', () => {
    const seed = Buffer.alloc(32, 7).toString('base64');
    expect(loadConfig({ LEDGER_SIGNING_KEY: seed, LEDGER_MLDSA_KEY: seed }).signingKey).toBe(seed);
    const short = Buffer.from('too short').toString('base64');
    expect(() => loadConfig({ LEDGER_SIGNING_KEY: short })).toThrow('LEDGER_SIGNING_KEY must hold a base64 Ed25519 seed of 32 bytes');
    expect(() => loadConfig({ LEDGER_MLDSA_KEY: short })).toThrow('LEDGER_MLDSA_KEY must hold a base64 Ed25519 seed of 32 bytes');
  });
});
