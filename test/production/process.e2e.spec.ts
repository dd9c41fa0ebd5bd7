// The server as an operator runs it: `npm start` and `sandbox-ledger serve` say where they listen, stop cleanly on
// SIGTERM or SIGINT whichever process receives it, and hold the data directory so the offline writers refuse to run beside them.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { makeTsaCertificates } from '../../src/bench/openssl-tsa.js';
import { ROOT } from '../../src/bench/processes.js';
import { SqliteEventStore } from '../../src/ledger/event-store/sqlite-event-store.js';
import { loadMlDsaKey, loadSigningKey } from '../../src/ledger/log/signing-key.js';
import { tempDir } from '../support/ledger-app.js';
import { runCli, runNode } from '../support/server-process.js';

interface Started {
  child: ChildProcess;
  /** The address the server said it listens on. */
  url: string;
  port: number;
  dataDir: string;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Runs a command with a data dir (a fresh one by default) and PORT (0: the system picks one, which the server's log line
 * names), and waits until the server in it answers /health.
 */
async function start(command: string, args: string[], port: number, dataDir = tempDir('ledger-process-')): Promise<Started> {
  const child = spawn(command, args, {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', HOST: '127.0.0.1', PORT: String(port), LEDGER_DATA_DIR: dataDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  // Waits as long as a loaded machine needs (the test's timeout fails it), for the log line and then the answer.
  let url: string | undefined;
  while (child.exitCode === null) {
    url ??= /"message":"Sandbox Ledger listening on (http:\/\/\S+) /.exec(out)?.[1];
    if (url && (await fetch(`${url}/health`).catch(() => null))?.ok) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  if (child.exitCode !== null) throw new Error(`${command} ${args.join(' ')} exited with ${child.exitCode}:\n${out}`);
  return { child, url: url!, port: Number(new URL(url!).port), dataDir, output: () => out, exited };
}

/** The pid in the server's lock file: the node process that serves, whatever started it. */
function serverPid(dataDir: string): number {
  const locks = readdirSync(dataDir).filter((n) => /^server-\d+\.lock$/.test(n));
  expect(locks).toHaveLength(1);
  return (JSON.parse(readFileSync(join(dataDir, locks[0]), 'utf8')) as { pid: number }).pid;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function gone(pid: number): Promise<boolean> {
  for (let i = 0; i < 600 && alive(pid); i++) await new Promise((r) => setTimeout(r, 100));
  return !alive(pid);
}

/** Whether this process can listen on the port now, that is whether nothing holds it. */
const portFree = (port: number) =>
  new Promise<boolean>((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });

/** A CA and a TSA certificate it issued (the TSA's own, not a trust anchor), made before the tests. */
const TSA_DIR = tempDir('ledger-process-tsa-');

describe('the server process', () => {
  const dirs: string[] = [TSA_DIR];
  const leftovers: number[] = [];
  beforeAll(() => makeTsaCertificates(TSA_DIR));
  afterAll(() => {
    for (const pid of leftovers) if (alive(pid)) process.kill(pid, 'SIGKILL');
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it.each(['SIGTERM', 'SIGINT'] as const)(
    '`npm start` logs its address and stops on %s sent to npm: port freed, no server left, lock removed',
    async (signal) => {
      const run = await start('npm', ['start'], 0);
      const { port } = run;
      dirs.push(run.dataDir);
      const pid = serverPid(run.dataDir);
      leftovers.push(pid);
      expect(pid).not.toBe(run.child.pid);
      expect(run.output()).toContain(`Sandbox Ledger listening on http://127.0.0.1:${port} (store sqlite, data ${run.dataDir})`);
      // Nest's account of its modules and routes is kept for LOG_LEVEL=debug: the start says what the server did.
      expect(run.output()).not.toMatch(/"context":"(RouterExplorer|RoutesResolver|InstanceLoader|NestFactory)"/);
      run.child.kill(signal);
      await run.exited;
      expect(await gone(pid)).toBe(true);
      expect(await portFree(port)).toBe(true);
      expect(run.output()).toContain(`"message":"${signal}: closing"`);
      expect(run.output()).toContain('"message":"closed"');
      expect(readdirSync(run.dataDir).filter((n) => n.endsWith('.lock'))).toEqual([]);
    },
    300_000,
  );

  it('`npm start` stops with exit 0 on SIGTERM sent to the node process itself', async () => {
    const run = await start('npm', ['start'], 0);
    const { port } = run;
    dirs.push(run.dataDir);
    const pid = serverPid(run.dataDir);
    leftovers.push(pid);
    process.kill(pid, 'SIGTERM');
    expect(await run.exited).toEqual({ code: 0, signal: null }); // npm passes on the server's own exit status
    expect(await gone(pid)).toBe(true);
    expect(await portFree(port)).toBe(true);
  }, 300_000);

  it('`sandbox-ledger serve` logs the address it is bound to (PORT=0 picks one) and exits 0 on SIGTERM', async () => {
    const run = await start(process.execPath, [join(ROOT, 'bin', 'sandbox-ledger.js'), 'serve'], 0);
    dirs.push(run.dataDir);
    const port = Number(/^http:\/\/127\.0\.0\.1:(\d+)$/.exec(run.url)?.[1]);
    expect(port).toBeGreaterThan(0);
    expect((await fetch(`${run.url}/health`)).status).toBe(200);
    // Every file it made is its owner's alone: the databases and their WAL files as the keys and the lock.
    const modes = readdirSync(run.dataDir).map((name) => [name, (statSync(join(run.dataDir, name)).mode & 0o777).toString(8)]);
    expect(modes.map(([name]) => name)).toEqual(
      expect.arrayContaining(['events.sqlite', 'events.sqlite-wal', 'read-models.sqlite', 'admin.key']),
    );
    expect(modes.filter(([, mode]) => mode !== '600')).toEqual([]);
    expect(JSON.parse(readFileSync(join(run.dataDir, `server-${run.child.pid}.lock`), 'utf8'))).toMatchObject({
      pid: run.child.pid,
      url: run.url,
      hostname: hostname(),
    });
    run.child.kill('SIGTERM');
    expect(await run.exited).toEqual({ code: 0, signal: null });
    expect(existsSync(join(run.dataDir, `server-${run.child.pid}.lock`))).toBe(false);
    // Databases an earlier build left readable by all (0644) are made the owner's alone at the next start.
    const databases = readdirSync(run.dataDir).filter((name) => /\.sqlite(-wal|-shm)?$/.test(name));
    expect(databases).toEqual(expect.arrayContaining(['events.sqlite', 'merkle.sqlite', 'read-models.sqlite']));
    for (const name of databases) chmodSync(join(run.dataDir, name), 0o644);
    const again = await start(process.execPath, [join(ROOT, 'bin', 'sandbox-ledger.js'), 'serve'], 0, run.dataDir);
    try {
      const modes = databases.map((name) => [name, (statSync(join(run.dataDir, name)).mode & 0o777).toString(8)]);
      expect(modes).toEqual(databases.map((name) => [name, '600']));
    } finally {
      again.child.kill('SIGTERM');
      await again.exited;
    }
  }, 300_000);
  it('a port already taken: serve says so, exits 1 and leaves no lock', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const dataDir = tempDir('ledger-taken-');
    dirs.push(dataDir);
    try {
      const { port } = taken.address() as { port: number };
      const run = await runCli(['serve'], { HOST: '127.0.0.1', PORT: String(port), LEDGER_DATA_DIR: dataDir });
      expect(run.code).toBe(1);
      expect(run.stderr).toContain('EADDRINUSE');
      expect(readdirSync(dataDir).filter((n) => n.endsWith('.lock'))).toEqual([]);
      // Refused before anything was opened or made: no store, no key, no line that reads like a start.
      expect(readdirSync(dataDir)).toEqual([]);
      expect(run.stdout + run.stderr).not.toMatch(/successfully started|bootstrap admin/);
    } finally {
      taken.close();
    }
  }, 300_000);

  it('a weak bootstrap admin key: serve says so, exits 1, and makes nothing in the data directory', async () => {
    const dataDir = tempDir('ledger-weak-key-');
    dirs.push(dataDir);
    const weak = 'slk_admin_0123456789abcdef';
    const run = await runCli(['serve'], { HOST: '127.0.0.1', PORT: '0', LEDGER_DATA_DIR: dataDir, LEDGER_BOOTSTRAP_ADMIN_KEY: weak });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('LEDGER_BOOTSTRAP_ADMIN_KEY must be at least 43 printable ASCII characters');
    expect(run.stdout + run.stderr).not.toContain(weak);
    expect(run.stdout + run.stderr).not.toMatch(/successfully started|bootstrap admin/);
    expect(readdirSync(dataDir)).toEqual([]);
  }, 300_000);

  it.each([
    ['LEDGER_STORE=postgres without DATABASE_URL', { LEDGER_STORE: 'postgres' }, 'DATABASE_URL is required when LEDGER_STORE=postgres'],
    [
      'EVENTSTORE_URL=http://… on the EventStoreDB store',
      {
        LEDGER_STORE: 'eventstoredb',
        DATABASE_URL: 'postgres://ledger:s3cret@127.0.0.1:1/ledger',
        EVENTSTORE_URL: 'http://admin:s3cret@x',
      },
      'EVENTSTORE_URL must be an esdb:// or esdb+discover:// connection string',
    ],
    // The client would refuse it only when the store is opened, after the read models, naming no variable.
    [
      'EVENTSTORE_URL with an option the client cannot read',
      {
        LEDGER_STORE: 'eventstoredb',
        DATABASE_URL: 'postgres://ledger:s3cret@127.0.0.1:1/ledger',
        EVENTSTORE_URL: 'esdb://admin:s3cret@127.0.0.1:1?tls=maybe',
      },
      'EVENTSTORE_URL: option tls must be true or false, not "maybe"',
    ],
    // The TSA's own certificate for its CA: the verifiers would refuse it as a trust anchor.
    [
      'LEDGER_TSA_CA_FILE holding a certificate that is not self-signed',
      { LEDGER_TSA_URLS: 'http://127.0.0.1:1/tsa', LEDGER_TSA_CA_FILE: join(TSA_DIR, 'tsa.crt') },
      `LEDGER_TSA_CA_FILE ${join(TSA_DIR, 'tsa.crt')}: the CA certificate CN=Test TSA is not validly self-signed: it must hold the CA certificates, each self-signed`,
    ],
    // PORT=0, the port the system picks: the host is checked all the same, before anything is made.
    [
      'HOST=no-such-host.invalid',
      { HOST: 'no-such-host.invalid' },
      'HOST "no-such-host.invalid", PORT 0 cannot be listened on (getaddrinfo ',
    ],
  ])(
    '%s: serve says so, naming the variable and no password, exits 1, and makes nothing in the data directory',
    async (_case, env, message) => {
      const dataDir = tempDir('ledger-unservable-');
      dirs.push(dataDir);
      const run = await runCli(['serve'], { HOST: '127.0.0.1', PORT: '0', LEDGER_DATA_DIR: dataDir, ...env });
      expect(run.code).toBe(1);
      expect(run.stderr.trim().split('\n').at(-1)).toContain(`sandbox-ledger: ${message}`);
      expect(run.stdout + run.stderr).not.toContain('s3cret');
      expect(run.stdout + run.stderr).not.toMatch(/successfully started|bootstrap admin/);
      expect(readdirSync(dataDir)).toEqual([]);
    },
    300_000,
  );
});

describe('a data file that is not a database', () => {
  // Each of the three SQLite files in turn; the server, the rebuild and a settlement open all three.
  it.each(['events.sqlite', 'merkle.sqlite', 'read-models.sqlite'])(
    '%s: serve, npm start, projections rebuild and settle exit 1 with a line naming the file, without retrying, leave no lock and the file as it was',
    async (name) => {
      const dataDir = tempDir('ledger-not-a-db-');
      try {
        const file = join(dataDir, name);
        const garbage = 'this is not a SQLite database\n'.repeat(40);
        writeFileSync(file, garbage);
        const env = { HOST: '127.0.0.1', PORT: '0', LEDGER_DATA_DIR: dataDir, LOG_LEVEL: 'warn' };
        const cli = (args: string[]) => () => runCli(args, env);
        const npmStart =
          (more: Record<string, string> = {}) =>
          () =>
            runNode(join(ROOT, 'dist', 'main.js'), [], { ...env, ...more });
        // settle and the rebuild open nothing without the log's keys, which no start here got as far as making: given in the
        // environment.
        const keys = { LEDGER_SIGNING_KEY: randomBytes(32).toString('base64'), LEDGER_MLDSA_KEY: randomBytes(32).toString('base64') };
        const commands: Array<[string, () => ReturnType<typeof runCli>]> = [
          ['serve', cli(['serve'])],
          ['projections rebuild', () => runCli(['projections', 'rebuild'], { ...env, ...keys })],
          ['settle', () => runCli(['settle'], { ...env, ...keys })],
          ['npm start', npmStart()],
          ['npm start, LOG_LEVEL=debug', npmStart({ LOG_LEVEL: 'debug' })],
        ];
        for (const [command, runCommand] of commands) {
          const run = await runCommand();
          const lines = run.stderr.trim().split('\n');
          expect([command, run.code, lines[lines.length - 1]]).toEqual([command, 1, `sandbox-ledger: ${file}: file is not a database`]);
          // The error's stack, before that line and in the log's entry of the failure, only when the log level asks for detail.
          const plain = lines.filter((l) => !l.startsWith('{')).join('\n');
          expect([command, /\n\s+at /.test(plain)]).toEqual([command, command.endsWith('debug')]);
          const logged = lines
            .filter((l) => l.startsWith('{'))
            .map((l) => JSON.parse(l) as { context?: string; message: string; error?: unknown });
          expect([command, logged.find((l) => l.context === 'ExceptionHandler')?.message]).toEqual([
            command,
            `${file}: file is not a database`,
          ]);
          expect([command, run.stderr.includes('"stack"')]).toEqual([command, command.endsWith('debug')]);
          expect(run.stdout + run.stderr).not.toContain('Retrying');
          expect(readdirSync(dataDir).filter((n) => n.endsWith('.lock'))).toEqual([]);
          expect(readFileSync(file, 'utf8')).toBe(garbage);
          // The stores open one after the other, then the log's keys are made: nothing after a store that failed.
          const after = { 'events.sqlite': ['read-models.sqlite', 'merkle.sqlite'], 'read-models.sqlite': ['merkle.sqlite'] }[name] ?? [];
          expect(readdirSync(dataDir).filter((n) => n.endsWith('.key') || after.some((store) => n.startsWith(store)))).toEqual([]);
        }
      } finally {
        rmSync(dataDir, { recursive: true, force: true });
      }
    },
    300_000,
  );
});

describe('offline commands on a data directory without a ledger', () => {
  it.each(['export', 'settle', 'projections rebuild'])(
    '%s refuses with one line naming it and makes nothing there',
    async (command) => {
      const args = command.split(' ');
      const parent = tempDir('ledger-typo-');
      const dataDir = join(parent, 'ledgr');
      try {
        const run = await runCli(args, { LEDGER_DATA_DIR: dataDir, LOG_LEVEL: 'warn' });
        expect([run.code, run.stdout, run.stderr]).toEqual([
          1,
          '',
          `sandbox-ledger: ${args.join(' ')}: no ledger in ${dataDir} (${join(dataDir, 'events.sqlite')} does not exist); set LEDGER_DATA_DIR to the data directory of an existing ledger (only serve makes a new one)\n`,
        ]);
        expect(existsSync(dataDir)).toBe(false);
        // An empty directory holds no ledger either: nothing is made in it.
        mkdirSync(dataDir);
        expect((await runCli(args, { LEDGER_DATA_DIR: dataDir, LOG_LEVEL: 'warn' })).code).toBe(1);
        expect(readdirSync(dataDir)).toEqual([]);
      } finally {
        rmSync(parent, { recursive: true, force: true });
      }
    },
    60_000,
  );
});

describe("settle and projections rebuild without the log's keys", () => {
  it.each(['settle', 'projections rebuild'])(
    '%s refuses a ledger whose keys are not in its data directory nor given, with one line naming them, and makes none',
    async (command) => {
      const dataDir = tempDir('ledger-no-keys-');
      try {
        await SqliteEventStore.open(join(dataDir, 'events.sqlite')).close(); // a ledger without its keys (restored without them)
        const run = await runCli(command.split(' '), { LEDGER_DATA_DIR: dataDir, LOG_LEVEL: 'warn' });
        expect([run.code, run.stdout]).toEqual([1, '']);
        expect(run.stderr).toBe(
          `sandbox-ledger: ${command}: the log's keys are not at hand (no ${join(dataDir, 'log-signing.key')} and no LEDGER_SIGNING_KEY; ` +
            `no ${join(dataDir, 'log-mldsa.key')} and no LEDGER_MLDSA_KEY); set LEDGER_DATA_DIR to the data directory of the ` +
            `ledger's server, or give its keys in the environment (only serve makes new keys)\n`,
        );
        expect(readdirSync(dataDir)).toEqual(['events.sqlite']);
      } finally {
        rmSync(dataDir, { recursive: true, force: true });
      }
    },
    60_000,
  );
});

describe('a second server on the same data directory', () => {
  it('serve refuses to start beside a running server on one SQLite data directory, names it, and leaves it serving as it was', async () => {
    const server = await start(process.execPath, [join(ROOT, 'dist', 'main.js')], 0);
    const { dataDir } = server;
    try {
      const pid = server.child.pid!;
      // What the second start must not change (a checkpoint may be signed meanwhile: the log's own doing).
      const health = async () => {
        const { status, logSize, projectedTo } = (await (await fetch(`${server.url}/health`)).json()) as Record<string, unknown>;
        return { status, logSize, projectedTo };
      };
      const before = await health();
      const files = readdirSync(dataDir).sort();

      const second = await runCli(['serve'], { HOST: '127.0.0.1', PORT: '0', LEDGER_DATA_DIR: dataDir });
      expect([second.code, second.stdout]).toEqual([1, '']);
      expect(second.stderr).toBe(
        `sandbox-ledger: serve refused: a running server holds ${dataDir} (pid ${pid} at ${server.url}, started ` +
          `${(JSON.parse(readFileSync(join(dataDir, `server-${pid}.lock`), 'utf8')) as { startedAt: string }).startedAt}); ` +
          `one server serves a SQLite data directory: stop that one first, or give this one another LEDGER_DATA_DIR\n`,
      );
      // Nothing opened, made or left: the first server's lock is the only one, and it serves the same log.
      expect(readdirSync(dataDir).sort()).toEqual(files);
      expect(await health()).toEqual(before);
      const checkpoint = await fetch(`${server.url}/v1/ledger/checkpoint`);
      expect(checkpoint.status).toBe(200);

      server.child.kill('SIGTERM');
      expect(await server.exited).toEqual({ code: 0, signal: null });
      // Once it stopped, the directory can be served again.
      const again = await start(process.execPath, [join(ROOT, 'dist', 'main.js')], 0, dataDir);
      expect((await fetch(`${again.url}/v1/ledger/checkpoint`)).status).toBe(200);
      again.child.kill('SIGTERM');
      expect(await again.exited).toEqual({ code: 0, signal: null });
    } finally {
      if (server.child.exitCode === null) server.child.kill('SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 300_000);
});

describe('offline writers beside a running server', () => {
  it('settle and projections rebuild refuse while a server holds the data directory, name its pid, run with --force, and run once it stopped', async () => {
    const server = await start(process.execPath, [join(ROOT, 'dist', 'main.js')], 0);
    const { dataDir } = server;
    const env = { LEDGER_DATA_DIR: dataDir, LOG_LEVEL: 'warn' };
    try {
      const pid = server.child.pid!;
      const logSize = async () => ((await (await fetch(`${server.url}/health`)).json()) as { logSize: number }).logSize;
      const before = await logSize();

      const settle = await runCli(['settle'], env);
      expect(settle.code).toBe(1);
      expect(settle.stdout).toBe('');
      expect(settle.stderr).toContain(`settle refused: a running server holds ${dataDir} (pid ${pid} at ${server.url}, started `);
      expect(settle.stderr).toContain('POST /v1/settlements');
      expect(settle.stderr).toContain('--force');
      const rebuild = await runCli(['projections', 'rebuild'], env);
      expect(rebuild.code).toBe(1);
      expect(rebuild.stderr).toContain(`projections rebuild refused: a running server holds ${dataDir} (pid ${pid} at ${server.url}`);
      expect(await logSize()).toBe(before); // nothing was appended by the refused settle

      const forced = await runCli(['settle', '--force'], env);
      expect(forced.stderr).toContain(`settle: a running server holds ${dataDir} (pid ${pid}`);
      expect(forced.code).toBe(0);
      expect(forced.stdout).toMatch(/RightsSettled at leaf \d+/);

      server.child.kill('SIGTERM');
      expect(await server.exited).toEqual({ code: 0, signal: null });
      const after = await runCli(['projections', 'rebuild'], env);
      expect([after.code, after.stderr]).toEqual([0, '']);
    } finally {
      if (server.child.exitCode === null) server.child.kill('SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 300_000);

  it('a lock whose process is gone does not block', async () => {
    const dataDir = tempDir('ledger-stale-lock-');
    try {
      await SqliteEventStore.open(join(dataDir, 'events.sqlite')).close(); // an empty ledger, with the log's keys
      loadSigningKey(dataDir);
      loadMlDsaKey(dataDir);
      const dead = spawn(process.execPath, ['-e', '']);
      await new Promise((r) => dead.on('exit', r));
      expect(alive(dead.pid!)).toBe(false);
      writeFileSync(
        join(dataDir, `server-${dead.pid}.lock`),
        JSON.stringify({ pid: dead.pid, hostname: hostname(), startedAt: new Date().toISOString(), url: 'http://127.0.0.1:1' }),
      );
      const settle = await runCli(['settle'], { LEDGER_DATA_DIR: dataDir, LOG_LEVEL: 'warn' });
      expect([settle.code, settle.stderr]).toEqual([0, '']);
      expect(settle.stdout).toMatch(/RightsSettled at leaf \d+/);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 120_000);
});
