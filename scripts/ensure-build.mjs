// Builds only when the build is missing or older than what it is built from (`npm ci`, `npm start`, `npm test`,
// `npm run bench`, and `npx sandbox-ledger`, which installs the clone into npx's cache on its first run: a build it
// started anew would replace `dist/` under a server running from it).
// Each step names its inputs and one output written on every build; a build step added to `npm run build` adds its line here.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const steps = [
  { name: 'server', inputs: ['src', 'tsconfig.json', 'nest-cli.json', 'package-lock.json'], output: 'dist/main.js' },
  {
    name: 'console',
    inputs: ['web/src', 'web/index.html', 'web/vite.config.ts', 'web/tsconfig.json', 'src/verifier', 'package-lock.json'],
    output: 'web/dist/index.html',
  },
];

const mtime = (path) => statSync(join(root, path), { throwIfNoEntry: false })?.mtimeMs;

/** The newest modification time under a file or folder (a folder counts as changed when a file was added or removed). */
function newest(path) {
  const stat = statSync(join(root, path), { throwIfNoEntry: false });
  if (!stat?.isDirectory()) return stat?.mtimeMs ?? 0;
  let latest = stat.mtimeMs;
  for (const entry of readdirSync(join(root, path), { recursive: true })) latest = Math.max(latest, mtime(join(path, entry)) ?? 0);
  return latest;
}

const stale = steps.filter((step) => {
  const built = mtime(step.output);
  return built === undefined || step.inputs.some((input) => newest(input) > built);
});
if (stale.length > 0) {
  process.stderr.write(`build ${stale.map((s) => s.name).join(', ')}: missing or older than its sources; running npm run build\n`);
  const run = spawnSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' });
  process.exit(run.status ?? 1);
}
