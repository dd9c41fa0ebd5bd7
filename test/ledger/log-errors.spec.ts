// The log refuses trees and leaves it does not have with typed errors (400 out-of-range); any other error, a RangeError
// from a bug included, stays a 500.
import { toProblem } from '../../src/common/problem.js';
import { LogRangeError, SequencerUnavailableError } from '../../src/ledger/log/merkle-log.js';
import { hexToBytes } from '../../src/verifier/envelope.js';
import { hashLeaf, verifyConsistency, verifyInclusion } from '../../src/verifier/rfc6962.js';
import { merkleLogFixture } from '../support/merkle-log-fixture.js';

describe('Merkle log errors', () => {
  const { store, log } = merkleLogFixture('ledger-log-errors-', 5);

  it.each([
    ['a leaf at the tree size', () => log.inclusionProof(5, 5), 'no leaf 5 in a tree of size 5'],
    ['a tree larger than the log', () => log.inclusionProof(0, 9), 'the log has 5 leaves, not 9'],
    ['a consistency proof to a tree larger than the log', () => log.consistencyProof(1, 9), 'the log has 5 leaves, not 9'],
    ['a consistency proof backwards', () => log.consistencyProof(4, 3), 'no consistency proof from 4 to 3'],
  ])('refuses %s with a LogRangeError answered 400 out-of-range', async (_, ask, detail) => {
    const err = await ask().then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(LogRangeError);
    expect(toProblem(err)).toEqual({
      problem: { type: 'urn:sandbox-ledger:problem:out-of-range', title: 'Bad Request', status: 400, detail },
      internal: false,
    });
  });

  it('answers the trees it has', async () => {
    const [root3, root5] = [await log.root(3), await log.root(5)];
    const [last] = await store.readAll(4, { limit: 1 });
    const inclusion = (await log.inclusionProof(4, 5)).hashes.map(hexToBytes);
    expect(verifyInclusion(hashLeaf(hexToBytes(last.hash)), 4, 5, inclusion, root5)).toBe(true);
    expect(verifyConsistency(3, 5, (await log.consistencyProof(3, 5)).hashes.map(hexToBytes), root3, root5)).toBe(true);
  });

  it('answers a follower that waited in vain with 503 unavailable, logged, with Retry-After', () => {
    const err = new SequencerUnavailableError('the log sequencer has integrated 3 leaves, not yet 5; retry shortly');
    expect(err.retryAfterSeconds).toBe(1);
    expect(toProblem(err)).toEqual({
      problem: { type: 'urn:sandbox-ledger:problem:unavailable', title: 'Service Unavailable', status: 503, detail: err.message },
      internal: true,
    });
  });

  it('answers a RangeError, which only a bug raises now, with a 500', () => {
    expect(toProblem(new RangeError('no leaf 5 in a tree of size 5'))).toMatchObject({
      problem: { status: 500, type: 'urn:sandbox-ledger:problem:internal' },
      internal: true,
    });
  });
});
