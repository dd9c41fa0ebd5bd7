// A witness as a separate process of the compiled CLI (`sandbox-ledger witness serve`), for end-to-end tests.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from '../../src/bench/processes.js';

export interface WitnessProcess {
  vkey: string;
  url: string;
  child: ChildProcess;
  output: () => string;
  stop: () => Promise<void>;
}

/** Starts `witness serve` with its key file and data dir, following the logs of `logVkeys`; resolves once it listens. */
export async function startWitnessProcess(opts: {
  keyFile: string;
  dataDir: string;
  name: string;
  logVkeys: string[];
  port?: number;
}): Promise<WitnessProcess> {
  const args = [
    'witness',
    'serve',
    '--key',
    opts.keyFile,
    '--name',
    opts.name,
    '--data-dir',
    opts.dataDir,
    '--port',
    String(opts.port ?? 0),
  ];
  for (const vkey of opts.logVkeys) args.push('--log', vkey);
  const child = spawn(process.execPath, [join(ROOT, 'bin', 'sandbox-ledger.js'), ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  const started = new Promise<{ vkey: string; url: string }>((resolve, reject) => {
    const onData = (d: Buffer) => {
      out += d;
      const m = /^witness (\S+) listening on (\S+)$/m.exec(out);
      if (m) resolve({ vkey: m[1], url: m[2] });
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (d: Buffer) => {
      out += d;
    });
    child.on('exit', (code) => reject(new Error(`witness exited with ${code}:\n${out}`)));
  });
  const { vkey, url } = await started;
  return {
    vkey,
    url,
    child,
    output: () => out,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
