// The server runs with the same node flags however it is started: `npm start`, the CLI's `serve`, the image and the bench.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, startFlags } from '../../src/bench/processes.js';

describe('start command', () => {
  it('the CLI and the image run with the node flags of npm start, and this node accepts them', () => {
    const flags = startFlags();
    expect(flags.length).toBeGreaterThan(0);
    const shebang = readFileSync(join(ROOT, 'bin', 'sandbox-ledger.js'), 'utf8').split('\n')[0];
    expect(shebang).toBe(`#!/usr/bin/env -S node ${flags.join(' ')}`);
    const cmd = /^CMD (.*)$/m.exec(readFileSync(join(ROOT, 'Dockerfile'), 'utf8'))?.[1];
    expect(JSON.parse(cmd ?? 'null')).toEqual(['node', ...flags, 'dist/main.js']);
    // An unknown or misspelt V8 flag makes node exit with "bad option" before running anything.
    expect(execFileSync(process.execPath, [...flags, '-e', 'process.stdout.write("ok")'], { encoding: 'utf8' })).toBe('ok');
  });

  it("the image's build stage holds the files npm ci runs (the prepare script's)", () => {
    const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
    const build = dockerfile.split(/^FROM /m)[1];
    const copied = [...build.matchAll(/^COPY (?!--from)(.+) \S+$/gm)].flatMap((m) => m[1].split(/\s+/));
    const { scripts } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    const run = [...scripts.prepare.matchAll(/\bnode (\S+)/g)].map((m) => m[1]);
    expect(run).toEqual(['scripts/ensure-build.mjs']);
    for (const file of run)
      expect({ file, copied: copied.some((c) => file === c || file.startsWith(`${c}/`)) }).toEqual({ file, copied: true });
  });
});
