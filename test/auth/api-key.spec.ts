// What is stored of an API key is the hex SHA-256 of its UTF-8: known answers (from sha256sum) pin it, so that keys
// issued before a change of how the hash is computed still authenticate after it.
import { hashApiKey, newApiKey } from '../../src/auth/api-key.js';

describe('API key hash', () => {
  it('is the hex SHA-256 of the key as UTF-8', () => {
    expect(hashApiKey('slk_example-key')).toBe('46dd325b9d5ac7259e3c94a0ab4eea2d93770628a2243c1829dcafaaa71b3104');
    expect(hashApiKey('slk_é€')).toBe('561eda179a78ef8ef041d9b473005a88abeab691ec81ef7eddd2f045093dcb06');
  });

  it('is what a new key is stored with, and differs from key to key', () => {
    const a = newApiKey();
    const b = newApiKey();
    expect(a.keyHash).toBe(hashApiKey(a.key));
    expect(a.keyHash).toMatch(/^[0-9a-f]{64}$/);
    expect(b.keyHash).not.toBe(a.keyHash);
  });
});
