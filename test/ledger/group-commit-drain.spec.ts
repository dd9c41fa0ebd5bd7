// GroupCommit writes one batch at a time: a drain that returns a promise holds the next batch back until it settles,
// whatever realm the promise comes from (node's own modules make theirs outside jest's vm context).
import { setTimeout as sleep } from 'node:timers/promises';
import type { AppendResult } from '../../src/ledger/event-store/event-store.port.js';
import { GroupCommit, type QueuedAppend } from '../../src/ledger/event-store/group-commit.js';
import { RecentCommits } from '../../src/ledger/event-store/recent-commits.js';
import { SizeListeners } from '../../src/ledger/event-store/size-listeners.js';

const answered = (batch: QueuedAppend[]) => {
  for (const q of batch) q.resolve({ events: [], lastPosition: -1 } as unknown as AppendResult);
};

describe('GroupCommit with an asynchronous drain', () => {
  it.each([
    ['an async function', (then: () => void) => (async () => then())()],
    ['a promise of node:timers (held 5 ms)', (then: () => void) => sleep(5).then(then)],
  ])('returning %s: the next batch is written only once the drain before it has settled', async (_, drainWith) => {
    let writing = 0;
    let most = 0;
    const sizes: number[] = [];
    const commits = new GroupCommit(
      (batch) => {
        writing++;
        most = Math.max(most, writing);
        sizes.push(batch.length);
        return drainWith(() => {
          writing--;
          answered(batch);
        });
      },
      2,
      new RecentCommits(),
      new SizeListeners(),
    );
    const appends = Array.from({ length: 6 }, (_, i) =>
      commits.append([{ stream: `s-${i}`, events: [{ type: 'T', data: {}, meta: {} }], expectedRevision: 'any' }]),
    );
    await Promise.all(appends);
    expect(sizes).toEqual([2, 2, 2]);
    expect(most).toBe(1);
  });
});
