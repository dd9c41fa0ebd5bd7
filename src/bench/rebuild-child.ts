// `sandbox-ledger projections rebuild` as the bench runs it: the CLI's rebuild thread (rebuildOnThread), with a progress
// line per batch so the bench can stop a slow rebuild at its time limit and still report a rate.
import { rebuildOnThread } from '../cli/rebuild-thread.js';

const started = performance.now();
let shown = 0;
const position = await rebuildOnThread((applied, total) => {
  const now = performance.now();
  if (now - shown < 500 && applied < total) return;
  shown = now;
  process.stdout.write(JSON.stringify({ applied, total, seconds: (now - started) / 1000 }) + '\n');
});
process.stdout.write(
  JSON.stringify({ applied: position, total: position, seconds: (performance.now() - started) / 1000, done: true }) + '\n',
);
