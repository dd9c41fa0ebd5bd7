// A progress bar on a terminal, nothing otherwise.
import cliProgress from 'cli-progress';
import { undoOnInterrupt } from './interrupt.js';

// A CommonJS module: Node's ESM loader does not find `Format` among its named exports.
const { Format, Presets, SingleBar } = cliProgress;

export interface Progress {
  update(done: number, total: number): void;
  /**
   * Where the work ended; `'failed'` when it did not finish: the bar then ends with "failed", not a time left. The first
   * call counts; a later one does nothing.
   */
  stop(outcome?: 'failed'): void;
}

/** What the bar counts: events (shown as they are), or bytes (shown in MB, or in kB when the total is under 1 MB). */
export type ProgressUnit = 'events' | 'bytes';

/** The name the figures of a bar of `total` are shown in, and what a figure is divided by. */
function scaleOf(unit: ProgressUnit, total: number): { name: string; per: number } {
  if (unit === 'events') return { name: 'events', per: 1 };
  return total < 1e6 ? { name: 'kB', per: 1e3 } : { name: 'MB', per: 1e6 };
}

/** A figure of a bar whose total is `total`: a count of events as `1,234`, bytes as `12.3` (MB, or kB under 1 MB in all). */
export function progressFigure(n: number, unit: ProgressUnit, total: number): string {
  return unit === 'bytes' ? (n / scaleOf(unit, total).per).toFixed(1) : n.toLocaleString('en-US');
}

export function progressBar(label: string, unit: ProgressUnit = 'events', stream: NodeJS.WriteStream = process.stderr): Progress {
  if (!stream.isTTY) return { update: () => undefined, stop: () => undefined };
  // The time left is an estimate of work still to come: a run that failed has none, and says so in its place.
  let failed = false;
  let total = 0;
  const bar = new SingleBar(
    {
      format: (options, params, payload) => {
        const line = `${label} [{bar}] {percentage}% | {value} of {total} ${scaleOf(unit, params.total).name} | `;
        return Format.Formatter({ ...options, format: line + (failed ? 'failed' : '{eta_formatted} left') }, params, payload);
      },
      formatValue: (v, _options, type) => (type === 'value' || type === 'total' ? progressFigure(v, unit, total) : String(v)),
      stream,
      hideCursor: true,
    },
    Presets.shades_classic,
  );
  let started = false;
  // Stopped is for good: a late update (a worker's chunk answered after the reading failed) would draw it again and hide
  // the cursor with nothing left to show it.
  let stopped = false;
  // Interrupted while it shows, the bar is stopped: the terminal gets its cursor and line wrap back.
  let forget = () => undefined as void;
  return {
    update(done, all) {
      if (stopped) return;
      total = all; // before the bar draws: its figures are scaled by it
      if (!started) {
        bar.start(all, 0);
        started = true;
        forget = undoOnInterrupt(() => {
          failed = true; // an interrupted run did not finish
          bar.stop();
        });
      }
      bar.setTotal(all);
      bar.update(done);
    },
    // The first stop counts, and a later one does nothing: a caller may stop it where the work failed and again where it ended.
    stop: (outcome) => {
      if (started) {
        failed = outcome === 'failed';
        bar.stop(); // its last drawing
      }
      started = false;
      stopped = true;
      forget();
    },
  };
}
