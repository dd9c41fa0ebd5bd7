import { EventEmitter } from 'node:events';
import { RequestsInFlight } from './closing.js';

/** Whether `promise` has settled by the end of this turn's microtasks. */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  void promise.then(() => (done = true));
  await new Promise((resolve) => setImmediate(resolve));
  return done;
}

describe('the requests in flight', () => {
  it('closes at once when none is in flight, and takes none after', async () => {
    const requests = new RequestsInFlight();
    expect(requests.closing).toBe(false);
    expect(await settled(requests.close())).toBe(true);
    expect(requests.closing).toBe(true);
    expect(requests.take(new EventEmitter())).toBe(false);
  });

  it('closes once every request taken before has closed its response, answered or cut', async () => {
    const requests = new RequestsInFlight();
    const answered = new EventEmitter();
    const cut = new EventEmitter();
    expect(requests.take(answered)).toBe(true);
    expect(requests.take(cut)).toBe(true);
    const closed = requests.close();
    const again = requests.close();
    expect(requests.take(new EventEmitter())).toBe(false);
    answered.emit('close');
    expect(await settled(closed)).toBe(false);
    cut.emit('close');
    expect(await settled(closed)).toBe(true);
    expect(await settled(again)).toBe(true);
  });

  it('closes after its limit with a request still in flight: one that never ends does not hold the close up', async () => {
    const requests = new RequestsInFlight();
    expect(requests.take(new EventEmitter())).toBe(true);
    const closed = requests.close(30);
    expect(await settled(closed)).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(await settled(closed)).toBe(true);
  });
});
