// What is kept of an answer that held a secret (a new API key), for a repeat of its Idempotency-Key: the answer less the
// members named, and nothing of it when one of them is not where it is said to be.
import { withheld, withheldAnswer } from '../../src/ledger/write/idempotency.js';

describe('an answer that held a secret, as kept', () => {
  const registered = { principalId: 'p1', name: 'Dave', roles: ['creator'], apiKey: { keyId: 'k1', key: 'slk_secret', expiresAt: null } };

  it('is the answer less the secret members, read back as such', () => {
    const kept = withheld(JSON.stringify(registered), ['apiKey.key']);
    expect(kept).not.toContain('slk_secret');
    expect(withheldAnswer(kept)).toEqual({ answer: { ...registered, apiKey: { keyId: 'k1', expiresAt: null } } });
    const issued = withheld(JSON.stringify({ keyId: 'k2', key: 'slk_other', expiresAt: null }), ['key']);
    expect(withheldAnswer(issued)).toEqual({ answer: { keyId: 'k2', expiresAt: null } });
  });

  it('keeps nothing of an answer whose secret is not where it is said to be: it may hold it elsewhere', () => {
    for (const [answer, path] of [
      [{ ...registered, apiKey: undefined, key: 'slk_secret' }, 'apiKey.key'],
      [{ wrapped: registered }, 'apiKey.key'],
      [registered, 'key'],
      [[registered], 'apiKey.key'],
    ] as const) {
      const kept = withheld(JSON.stringify(answer), [path]);
      expect(kept).not.toContain('slk_secret');
      expect(withheldAnswer(kept)).toEqual({ answer: null });
    }
    expect(withheldAnswer(withheld('not json', ['key']))).toEqual({ answer: null });
  });

  it('reads a record kept before answers were kept less their secrets as one with no answer', () => {
    expect(withheldAnswer('{"withheld":"the response held a secret"}')).toEqual({ answer: null });
    expect(withheldAnswer('{"withheld":"something else"}')).toBeUndefined();
    expect(withheldAnswer('{"keyId":"k1"}')).toBeUndefined();
  });
});
