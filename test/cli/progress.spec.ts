// The progress bar's figures: events counted as they are, bytes in MB (kB under 1 MB), and the whole line on a terminal.
import { PassThrough } from 'node:stream';
import { progressBar, progressFigure } from '../../src/cli/progress.js';

/** A stream that says it is a terminal, and what was written to it with the terminal's control sequences taken out. */
function terminal() {
  const stream = Object.assign(new PassThrough(), { isTTY: true, columns: 120, cursorTo: () => true, clearLine: () => true });
  let text = '';
  stream.on('data', (d: Buffer) => (text += d.toString('utf8')));
  return {
    stream: stream as unknown as NodeJS.WriteStream,
    text: () => text.replace(/\x1b\[[0-9;?]*[A-Za-z]|\x1b7|\x1b8/g, ''),
    raw: () => text,
  };
}

describe('progress bar', () => {
  it('shows bytes in MB (in kB when the total is under 1 MB) and events as a count', () => {
    expect(progressFigure(208_948_016, 'bytes', 208_948_016)).toBe('208.9');
    expect(progressFigure(0, 'bytes', 4_000_000)).toBe('0.0');
    expect(progressFigure(13_050, 'bytes', 26_100)).toBe('13.1');
    expect(progressFigure(26_100, 'bytes', 26_100)).toBe('26.1');
    expect(progressFigure(1_234_567, 'events', 2_000_000)).toBe('1,234,567');
  });

  it('names kB for an export under 1 MB, where MB read 0.0 of 0.0', () => {
    const t = terminal();
    const bar = progressBar('verifying', 'bytes', t.stream);
    bar.update(26_100, 26_100);
    bar.stop();
    expect(t.text()).toMatch(/100% \| 26\.1 of 26\.1 kB \|/);
  });

  it('draws nothing where the stream is not a terminal', () => {
    const stream = new PassThrough();
    let written = '';
    stream.on('data', (d: Buffer) => (written += d.toString('utf8')));
    const bar = progressBar('verifying', 'bytes', stream as unknown as NodeJS.WriteStream);
    bar.update(1, 2);
    bar.stop();
    expect(written).toBe('');
  });

  it('names the unit once, after the total', () => {
    const t = terminal();
    const bar = progressBar('verifying', 'bytes', t.stream);
    bar.update(104_474_008, 208_948_016);
    bar.update(208_948_016, 208_948_016);
    bar.stop();
    expect(t.text()).toContain('verifying');
    expect(t.text()).toMatch(/100% \| 208\.9 of 208\.9 MB \|/);
    const events = terminal();
    const counted = progressBar('exporting', 'events', events.stream);
    counted.update(1_500, 3_000);
    counted.stop();
    expect(events.text()).toMatch(/50% \| 1,500 of 3,000 events \|/);
  });

  it('ends a run that failed saying so, in place of the time left', () => {
    const done = terminal();
    const finished = progressBar('verifying', 'bytes', done.stream);
    finished.update(4_000_000, 4_000_000);
    finished.stop();
    expect(done.text()).toMatch(/4\.0 of 4\.0 MB \| \S+ left\s*$/);
    const t = terminal();
    const bar = progressBar('verifying', 'bytes', t.stream);
    bar.update(1_000_000, 4_000_000);
    bar.stop('failed');
    expect(t.text()).toMatch(/25% \| 1\.0 of 4\.0 MB \| failed\s*$/);
  });

  it('stays stopped: an update after stop (a chunk answered after the reading failed) neither draws it nor hides the cursor', async () => {
    const t = terminal();
    const bar = progressBar('verifying', 'bytes', t.stream);
    bar.update(1_000_000, 4_000_000);
    bar.stop();
    await new Promise((r) => setImmediate(r));
    const stopped = t.raw();
    expect(stopped.lastIndexOf('\x1b[?25h')).toBeGreaterThan(stopped.lastIndexOf('\x1b[?25l')); // the cursor shown again
    bar.update(2_000_000, 4_000_000);
    bar.stop();
    await new Promise((r) => setImmediate(r));
    expect(t.raw()).toBe(stopped);
  });
});
