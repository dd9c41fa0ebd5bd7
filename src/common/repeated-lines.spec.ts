import { RepeatedLines } from './repeated-lines.js';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const WINDOW = 40;

function recorder() {
  const written: string[] = [];
  return { written, lines: new RepeatedLines(WINDOW, (line) => written.push(line)) };
}

describe('RepeatedLines', () => {
  it('writes the first line of a key at once and sums up those its window held back', async () => {
    const { written, lines } = recorder();
    for (let i = 1; i <= 5; i++) lines.line('a', `a: refusal ${i}`);
    lines.line('b', 'b: refusal 1');
    lines.line('b', 'b: refusal 2');
    expect(written).toEqual(['a: refusal 1', 'b: refusal 1']);
    await sleep(WINDOW + 30);
    expect(written.slice(2).sort()).toEqual([
      expect.stringMatching(
        /^a: refusal 5 \(the last of 4 more like it from (\d{4}-\d\d-\d\dT[\d:.]+Z) to (\d{4}-\d\d-\d\dT[\d:.]+Z), not logged one by one\)$/,
      ),
      expect.stringMatching(/^b: refusal 2 \(the last of 1 more like it from /),
    ]);
    const [, from, to] = /from (\S+) to (\S+),/.exec(written.find((line) => line.startsWith('a: refusal 5'))!)!;
    expect(Date.parse(to)).toBeGreaterThanOrEqual(Date.parse(from)); // when the window opened, when the last line came
    // A window that held nothing back ends without a line, and the next line of its key goes out at once.
    await sleep(WINDOW + 30);
    expect(written).toHaveLength(4);
    lines.line('a', 'a: refusal 6');
    expect(written[4]).toBe('a: refusal 6');
    lines.flush();
  });

  it('a key alone in its window writes no summary', async () => {
    const { written, lines } = recorder();
    lines.line('a', 'a: once');
    await sleep(WINDOW + 30);
    lines.line('a', 'a: again');
    expect(written).toEqual(['a: once', 'a: again']);
    lines.flush();
  });

  it('a flood writes one line a window, each counting what it held back', async () => {
    const { written, lines } = recorder();
    let sent = 0;
    // Until two windows have ended: the first line, then one for each.
    while (written.length < 3) {
      lines.line('flood', `flood ${++sent}`);
      await sleep(2);
    }
    lines.line('flood', `flood ${++sent}`);
    lines.flush(); // the last, held back in the window open now
    // Each line stands for itself, or for as many as it says it held back (a window ends empty only if the loop stalled).
    const counted = written.map((line) => Number(/\(the last of (\d+) more like it/.exec(line)?.[1] ?? 1));
    expect(written[0]).toBe('flood 1');
    expect(written.filter((line) => line.includes('more like it')).length).toBeGreaterThanOrEqual(1);
    expect(counted.reduce((a, b) => a + b, 0)).toBe(sent); // every line counted once
    expect(written[written.length - 1]).toMatch(new RegExp(`^flood ${sent} \\(the last of 1 more like it`));
  });

  it('flush writes what the open windows held back, and closes them', () => {
    const { written, lines } = recorder();
    lines.line('a', 'a 1');
    lines.line('a', 'a 2');
    lines.line('b', 'b 1');
    lines.flush();
    expect(written).toEqual(['a 1', 'b 1', expect.stringMatching(/^a 2 \(the last of 1 more like it from /)]);
    lines.line('b', 'b 2');
    expect(written[3]).toBe('b 2');
    lines.flush();
  });
});
