// `sandbox-ledger projections rebuild` runs the rebuild on a thread of its own, for one setting: a young generation
// larger than the CLI's (its shebang keeps V8's heap close to what is live, right for a server and for `verify`). A
// rebuild holds a batch of 50,000 events at a time; with the CLI's heap the collector ran so often that a million events
// took 63–80 s, against 51–58 s with a 64 MiB semi-space (docs/development.md). The thread exists only in the compiled
// CLI; the application it runs is the server's own (AppModule, ProjectionRunner.rebuild).
import { Worker } from 'node:worker_threads';

/** The rebuild thread's young generation, in MiB: three semi-spaces of 64 MiB. */
const REBUILD_YOUNG_GENERATION_MB = 192;

/** What the rebuild thread reports: progress after each batch, then the log position it reached. */
export type RebuildMessage = { applied: number; total: number } | { done: number };

/**
 * Rebuilds the read models of the configured store on a thread of its own (`rebuild-worker.js`, next to this file in
 * the build) and resolves with the log position reached; rejects with the thread's error.
 */
export function rebuildOnThread(onProgress: (applied: number, total: number) => void): Promise<number> {
  const worker = new Worker(new URL('./rebuild-worker.js', import.meta.url), {
    resourceLimits: { maxYoungGenerationSizeMb: REBUILD_YOUNG_GENERATION_MB },
  });
  return new Promise<number>((resolve, reject) => {
    let position: number | null = null;
    worker.on('message', (m: RebuildMessage) => {
      if ('done' in m) position = m.done;
      else onProgress(m.applied, m.total);
    });
    worker.on('error', reject);
    worker.on('exit', (code) => {
      if (position !== null && code === 0) resolve(position);
      else reject(new Error(`the rebuild thread stopped (exit code ${code}) before it finished`));
    });
  });
}
