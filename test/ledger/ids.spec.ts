// Event and entity ids: UUIDv7 (RFC 9562), strictly increasing within the process, random past the time and sequence.
import { validate, version } from 'uuid';
import { uuidv7 } from '../../src/common/ids.js';

describe('uuidv7', () => {
  it('gives valid version-7 UUIDs, each greater than the one before', () => {
    const ids = Array.from({ length: 5000 }, () => uuidv7()); // more than one draw of the random pool
    for (const id of ids) {
      expect(validate(id)).toBe(true);
      expect(version(id)).toBe(7);
    }
    for (let i = 1; i < ids.length; i++) expect(ids[i] > ids[i - 1]).toBe(true);
    expect(new Set(ids.map((id) => id.slice(-12))).size).toBe(ids.length); // the random tail differs
  });

  it('starts with the current time in milliseconds', () => {
    const before = Date.now();
    const id = uuidv7();
    const ms = parseInt(id.replace(/-/g, '').slice(0, 12), 16);
    expect(ms).toBeGreaterThanOrEqual(before);
    expect(ms).toBeLessThanOrEqual(Date.now() + 1);
  });
});
