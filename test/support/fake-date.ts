// A system clock a test sets (jest.setSystemTime) while the process runs on real timers: only Date is faked, running on
// from each setting, so that servers, sockets and databases keep their own timing.
import { jest } from '@jest/globals';

/** Fakes Date alone, from `now` (default: the real time), running on in real time. */
export function fakeDateOnly(now?: number): void {
  jest.useFakeTimers({
    ...(now === undefined ? {} : { now }),
    advanceTimers: true,
    doNotFake: [
      'hrtime',
      'nextTick',
      'performance',
      'queueMicrotask',
      'requestAnimationFrame',
      'cancelAnimationFrame',
      'requestIdleCallback',
      'cancelIdleCallback',
      'setImmediate',
      'clearImmediate',
      'setInterval',
      'clearInterval',
      'setTimeout',
      'clearTimeout',
    ],
  });
}
