import { jest } from '@jest/globals';
import { OpenedOnStart, StartAbandoned } from './opened-on-start.js';

/** A promise and the functions that settle it. */
function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (err: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('OpenedOnStart', () => {
  it('closes what was opened, last opened first, once the start fails', async () => {
    const opened = new OpenedOnStart();
    const closed: string[] = [];
    expect(
      await opened.open(
        () => 'events',
        (v) => closed.push(v),
      ),
    ).toBe('events');
    expect(
      await opened.open(
        async () => 'tree',
        (v) => closed.push(v),
      ),
    ).toBe('tree');
    expect(closed).toEqual([]);
    await opened.closeAll();
    expect(closed).toEqual(['tree', 'events']);
    await opened.closeAll(); // nothing twice
    expect(closed).toEqual(['tree', 'events']);
  });

  it('waits for an open under way, which closes what it made and is refused', async () => {
    const opened = new OpenedOnStart();
    const closed: string[] = [];
    const db = deferred<string>();
    const reading = opened.open(
      () => db.promise,
      (v) => closed.push(v),
    );
    let done = false;
    const closing = opened.closeAll().then(() => (done = true));
    await new Promise((r) => setTimeout(r, 20));
    expect(done).toBe(false); // the read models are still opening
    db.resolve('read models');
    await closing;
    expect(closed).toEqual(['read models']);
    await expect(reading).rejects.toBeInstanceOf(StartAbandoned);
  });

  it('makes nothing once the start has failed', async () => {
    const opened = new OpenedOnStart();
    await opened.closeAll();
    expect(opened.abandoned).toBe(true);
    const make = jest.fn(() => 'late');
    await expect(opened.open(make, () => undefined)).rejects.toBeInstanceOf(StartAbandoned);
    expect(make).not.toHaveBeenCalled();
  });

  it('a close that fails, or an open that failed, does not stop the other closes', async () => {
    const opened = new OpenedOnStart();
    const closed: string[] = [];
    await opened.open(
      () => 'a',
      (v) => closed.push(v),
    );
    await opened.open(
      () => 'b',
      () => {
        throw new Error('close failed');
      },
    );
    await expect(
      opened.open(
        () => Promise.reject(new Error('unopenable')),
        () => closed.push('never'),
      ),
    ).rejects.toThrow('unopenable');
    await opened.open(
      async () => 'c',
      async (v) => void closed.push(v),
    );
    await opened.closeAll();
    expect(closed).toEqual(['c', 'a']);
  });

  it('waits for an open that does not end no longer than it was told, and that open closes what it makes later', async () => {
    const opened = new OpenedOnStart(50);
    const closed: string[] = [];
    const db = deferred<string>();
    const reading = opened.open(
      () => db.promise,
      (v) => closed.push(v),
    );
    await opened.closeAll();
    expect(closed).toEqual([]);
    db.resolve('late');
    await expect(reading).rejects.toBeInstanceOf(StartAbandoned);
    expect(closed).toEqual(['late']);
  });
});
