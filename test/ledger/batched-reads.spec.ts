// Batched reads: what is asked for in one turn of the event loop is one fetch, sent after every read of the turn.
import { BatchedReads } from '../../src/ledger/batched-reads.js';

const nextTurn = () => new Promise((r) => setImmediate(r));

describe('BatchedReads', () => {
  it('answers the reads of one turn with one fetch of their distinct keys, and the next turn with another', async () => {
    const fetched: string[][] = [];
    const reads = new BatchedReads<string, string>(async (keys) => {
      fetched.push([...keys]);
      return new Map(keys.filter((k) => k !== 'missing').map((k) => [k, `value of ${k}`]));
    });
    const first = await Promise.all(['a', 'b', 'a', 'missing'].map((k) => reads.read(k)));
    expect(first).toEqual(['value of a', 'value of b', 'value of a', undefined]);
    expect(await reads.read('c')).toBe('value of c');
    expect(fetched).toEqual([['a', 'b', 'missing'], ['c']]);
  });

  it('fetches only after the turn in which the reads were asked for', async () => {
    let state = 'before';
    const reads = new BatchedReads<string, string>(async (keys) => new Map(keys.map((k) => [k, state])));
    const read = reads.read('k');
    state = 'after'; // changed later in the same turn: the fetch, sent at its end, sees it
    expect(await read).toBe('after');
  });

  it('a failed fetch fails every read of its batch, and only those', async () => {
    let fail = true;
    const reads = new BatchedReads<string, number>(async (keys) => {
      if (fail) throw new Error('connection lost');
      return new Map(keys.map((k) => [k, k.length]));
    });
    const failed = await Promise.allSettled([reads.read('x'), reads.read('yy')]);
    expect(failed.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect((failed[0] as PromiseRejectedResult).reason).toEqual(new Error('connection lost'));
    fail = false;
    await nextTurn();
    expect(await reads.read('zzz')).toBe(3);
  });

  it('close answers the reads already asked for, then refuses new ones', async () => {
    const reads = new BatchedReads<string, string>(async (keys) => {
      await new Promise((r) => setTimeout(r, 20));
      return new Map(keys.map((k) => [k, k.toUpperCase()]));
    });
    const pending = reads.read('late');
    await reads.close();
    await expect(pending).resolves.toBe('LATE');
    await expect(reads.read('again')).rejects.toThrow('closed');
  });

  it('splits a turn with more than 500 keys into several fetches, every read answered', async () => {
    const sizes: number[] = [];
    const reads = new BatchedReads<number, number>(async (keys) => {
      sizes.push(keys.length);
      return new Map(keys.map((k) => [k, k * 2]));
    });
    const keys = Array.from({ length: 1201 }, (_, i) => i);
    expect(await Promise.all(keys.map((k) => reads.read(k)))).toEqual(keys.map((k) => k * 2));
    expect(sizes).toEqual([500, 500, 201]);
  });
});
