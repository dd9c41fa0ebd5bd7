// UUIDv7 ids (RFC 9562), as uuid's v7 makes them, with their random bits drawn from a pool: uuid asks the system for
// 16 bytes on every id, which costs tens of microseconds per call where system calls are slow, and a filing takes
// several ids. One draw of the pool serves 256 ids.
import { randomFillSync } from 'node:crypto';
import { v7 } from 'uuid';

const POOL_BYTES = 16 * 256;
const pool = Buffer.allocUnsafe(POOL_BYTES);
let offset = POOL_BYTES;

/** The millisecond and sequence of the last id: ids of one process are strictly increasing, as uuid's own v7 keeps them. */
const state = { msecs: -Infinity, seq: 0 };

/** A new UUIDv7: time-ordered, monotonic within the process, 74 bits of randomness beyond the time and sequence. */
export function uuidv7(): string {
  if (offset === POOL_BYTES) {
    randomFillSync(pool);
    offset = 0;
  }
  const random = pool.subarray(offset, (offset += 16));
  // uuid's updateV7State, kept here because v7 keeps no state once given its random bytes.
  const now = Date.now();
  if (now > state.msecs) {
    state.seq = ((random[6] & 0x7f) << 24) | (random[7] << 16) | (random[8] << 8) | random[9];
    state.msecs = now;
  } else {
    state.seq = (state.seq + 1) | 0;
    if (state.seq === 0) state.msecs++;
  }
  return v7({ random, msecs: state.msecs, seq: state.seq });
}
