// The compiled CLI answers --help (and -h) with its usage on stdout and exit 0, after a command or without one; a mistake
// in the command line is one line naming it and a pointer to --help, exit 2; no command at all, the usage on stderr, exit 2.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { ed25519 } from '@noble/curves/ed25519.js';
import { ROOT } from '../../src/bench/processes.js';
import { runCli } from '../support/server-process.js';
import { ndjson, newSigner, sampleLog } from '../verifier/fixture.js';
import { COSIGNATURE_V1, cosignerLabel, formatCosignerVkey, ML_DSA_44, parseCosignerVkey } from '../../src/verifier/cosignature.js';
import { randomBytes } from 'node:crypto';

// Options refused before any file is read: the files named need not exist.
const VERIFY = ['verify', '--export', 'log.ndjson', '--checkpoint', 'checkpoint', '--vkey', 'a+b+c'];
const RECEIPT = ['verify-receipt', 'receipt', '--vkey', 'a+b+c'];
const HINT = 'run "sandbox-ledger --help" for the commands and their options\n';
const WITNESS = formatCosignerVkey('witness.test/a', COSIGNATURE_V1, ed25519.getPublicKey(ed25519.utils.randomSecretKey()));
/** A log's ML-DSA-44 key (random bytes of its size: only its type is looked at before it is used). */
const LOG_PQ = formatCosignerVkey('log.test/a', ML_DSA_44, randomBytes(1312));

describe('sandbox-ledger --help', () => {
  it.each([[['--help']], [['-h']], [['verify', '--help']], [['settle', '-h']], [['help']], [['help', 'verify']]])(
    '%j prints the usage and exits 0',
    async (args) => {
      const run = await runCli(args, {});
      expect(run).toMatchObject({ code: 0, stderr: '' });
      expect(run.stdout).toMatch(/^usage: sandbox-ledger <command>/);
      // It reads on a terminal of 120 columns without a line wrapped.
      expect(run.stdout.split('\n').filter((line) => line.length > 120)).toEqual([]);
    },
  );

  it('--version prints the package version and exits 0', async () => {
    const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(await runCli(['--version'], {})).toEqual({ code: 0, stdout: `sandbox-ledger ${version}\n`, stderr: '' });
    expect(await runCli(['export', '--version'], {})).toEqual({
      code: 2,
      stdout: '',
      stderr: `--version takes no command, not "export"\n${HINT}`,
    });
  });

  it('still refuses an unknown option with exit 2, and says how to give an argument that starts with a dash to a command that takes one', async () => {
    expect(await runCli(['verify', '--nope'], {})).toEqual({ code: 2, stdout: '', stderr: `Unknown option '--nope'\n${HINT}` });
    expect(await runCli(['-v'], {})).toEqual({ code: 2, stdout: '', stderr: `Unknown option '-v'\n${HINT}` });
    // An option's value before the command is not taken for it.
    expect((await runCli(['--vkey', 'k', 'verify-receipt', 'r', '--nope'], {})).stderr).toMatch(/after '--': -- --nope\n/);
    // --help answers whatever else is given, an option twice included.
    expect(await runCli(['verify', '--vkey', 'a', '--vkey', 'b', '--help'], {})).toMatchObject({ code: 0, stderr: '' });
    expect(await runCli(['verify-receipt', '--nope', '--vkey', 'a+b+c'], {})).toEqual({
      code: 2,
      stdout: '',
      stderr: `Unknown option '--nope'. An argument that starts with '-' but is no option goes at the end, after '--': -- --nope\n${HINT}`,
    });
  });

  it('with no command prints the usage on stderr and exits 2, as a command it does not know', async () => {
    const run = await runCli([], {});
    expect(run).toMatchObject({ code: 2, stdout: '' });
    expect(run.stderr).toBe((await runCli(['--help'], {})).stdout);
  });

  it.each([
    [['bogus'], 'unknown command "bogus"'],
    [['projections', 'foo'], 'unknown command "projections foo"'],
    [['projections'], 'projections needs a subcommand'],
    [['witness'], 'witness needs a subcommand'],
    [['witness', 'foo', '--key', 'k'], 'unknown command "witness foo"'],
    [['export', 'extra'], 'unexpected argument "extra" after export'],
    [['verify-receipt', 'receipt.json', 'extra', '--vkey', 'a+b+c'], 'unexpected argument "extra" after verify-receipt receipt.json'],
    [['settle', '--as-of', 'soon'], '--as-of must be an ISO-8601 instant with a time zone, in the years 0000 to 9999'],
    [['settle', '--as-of', '0000-01-01T00:00:00+01:00'], '--as-of must be an ISO-8601 instant with a time zone, in the years 0000 to 9999'],
    [[...VERIFY, '--witness', 'w+1+x', '--witness-quorum', '0'], '--witness-quorum must be a whole number of at least 1, not "0"'],
    [[...RECEIPT, '--witness', 'w+1+x', '--witness-quorum', '0'], '--witness-quorum must be a whole number of at least 1, not "0"'],
    [[...RECEIPT, '--witness', 'w+1+x', '--witness-quorum', ''], '--witness-quorum must be a whole number of at least 1, not ""'],
    [[...RECEIPT, '--witness', 'w+1+x', '--witness-quorum', '1.0'], '--witness-quorum must be a whole number of at least 1, not "1.0"'],
    [[...VERIFY, '--witness', 'w+1+x', '--witness-quorum', '2'], '--witness-quorum 2 needs at least 2 --witness keys, and only 1 is given'],
    [[...RECEIPT, '--witness-quorum', '1'], '--witness-quorum 1 needs at least 1 --witness key, and none is given'],
    // A witness given twice would count twice toward the quorum.
    [
      [...RECEIPT, '--witness', WITNESS, '--witness', WITNESS, '--witness-quorum', '2'],
      `--witness ${cosignerLabel(parseCosignerVkey(WITNESS))} is given twice: each witness counts once toward the quorum`,
    ],
    [
      ['verify-evidence', 'bundle.json', '--witness', WITNESS, '--witness', `  ${WITNESS}`],
      `--witness ${cosignerLabel(parseCosignerVkey(WITNESS))} is given twice: each witness counts once toward the quorum`,
    ],
    // The log's own ML-DSA-44 key is no witness: it would count the log's signature as a witness's.
    [
      [...VERIFY, '--witness', LOG_PQ],
      `--witness ${cosignerLabel(parseCosignerVkey(LOG_PQ))} is not an Ed25519 cosigner (type 0x04) key: a witness cosigns with one of its own (an ML-DSA-44 key is the log's, given with --pq-vkey)`,
    ],
    [
      ['verify-evidence', 'bundle.json', '--witness', WITNESS, '--witness', LOG_PQ],
      `--witness ${cosignerLabel(parseCosignerVkey(LOG_PQ))} is not an Ed25519 cosigner (type 0x04) key: a witness cosigns with one of its own (an ML-DSA-44 key is the log's, given with --pq-vkey)`,
    ],
    // An option of one value given twice would keep the last one.
    [[...VERIFY, '--vkey', 'd+e+f'], '--vkey is given twice: it takes one value'],
    [[...VERIFY, '--export', 'other.ndjson'], '--export is given twice: it takes one value'],
    [[...RECEIPT, '--consistent-with', 'c', '--server', 'http://a', '--server', 'http://b'], '--server is given twice: it takes one value'],
    [
      [...RECEIPT, '--consistent-with', 'c', '--server', 'localhost:3000'],
      `--server must be the ledger's http:// or https:// URL (its origin, as http://host:3000), not "localhost:3000"`,
    ],
    [
      [...RECEIPT, '--consistent-with', 'c', '--server', 'http://127.0.0.1:1', '--proof', 'proof.json'],
      '--consistent-with is proven by --server or by --proof, not both',
    ],
    // An option the command does not read would be ignored: it is refused instead.
    [['verify-evidence', 'bundle.json', '--proof', 'proof.json'], 'verify-evidence does not take --proof'],
    [['verify-evidence', 'bundle.json', '--threads', '1'], 'verify-evidence does not take --threads'],
    [['export', '--vkey', 'a+b+c'], 'export does not take --vkey'],
    [['settle', '--file', 'x'], 'settle does not take --file'],
    [['witness', 'vkey', '--key', 'k', '--port', '1'], 'witness vkey does not take --port'],
    [[...VERIFY, '--file', 'work.png'], 'verify does not take --file'],
    [[...RECEIPT, '--proof', 'proof.json'], '--proof proves --consistent-with CHECKPOINT, which is not given'],
    [[...RECEIPT, '--server', 'http://127.0.0.1:1'], '--server proves --consistent-with CHECKPOINT, which is not given'],
  ])('%j is one line naming the mistake, then where the usage is, exit 2', async (args, line) => {
    const run = await runCli(args, {});
    expect(run).toMatchObject({ code: 2, stdout: '', stderr: `${line}\n${HINT}` });
  });
});

describe('files the verifier is given', () => {
  let work: string;
  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'cli-files-'));
    writeFileSync(join(work, 'log.ndjson'), '{"a":1}\n{"b":2}\n');
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('names a --vkey that is neither a file nor a vkey, and a file that is not the JSON it should hold', async () => {
    const log = join(work, 'log.ndjson');
    const missing = await runCli(['verify', '--export', log, '--checkpoint', log, '--vkey', join(work, 'vkey')], {});
    expect(missing).toMatchObject({
      code: 1,
      stderr: `sandbox-ledger: ${join(work, 'vkey')}: no such file, and not a vkey (<name>+<key ID>+<key>) either\n`,
    });
    const witness = await runCli(['verify', '--export', log, '--checkpoint', log, '--vkey', 'a+b+c', '--witness', join(work, 'w')], {});
    expect(witness).toMatchObject({
      code: 1,
      stderr: `sandbox-ledger: --witness ${join(work, 'w')}: no such file, and not a vkey (<name>+<key ID>+<key>) either\n`,
    });
    // A key that is no vkey is named first; with a good one, the history that is not one.
    const badKey = await runCli(['verify', '--export', log, '--checkpoints', log, '--vkey', 'a+b+c'], {});
    expect(badKey).toMatchObject({ code: 1, stdout: expect.stringMatching(/^FAILED: bad verifier key: /) });
    const history = await runCli(['verify', '--export', log, '--checkpoints', log, '--vkey', newSigner().vkey], {});
    expect(history.code).toBe(1);
    expect(history.stderr).toMatch(
      new RegExp(`^sandbox-ledger: ${log}: not a checkpoint history \\(JSON, as GET /v1/ledger/checkpoints lists it\\) \\(.+\\)\\n$`),
    );
    const receipt = await runCli(['verify-receipt', log, '--vkey', 'a+b+c'], {});
    expect(receipt.code).toBe(1);
    expect(receipt.stderr).toMatch(new RegExp(`^sandbox-ledger: ${log}: not a receipt \\(JSON, or tlog-proof text\\) \\(.+\\)\\n$`));
  });

  it('names a file given that is missing or is a directory, whichever option gave it', async () => {
    const signer = newSigner();
    const events = sampleLog();
    const [log, checkpoint] = [join(work, 'files.ndjson'), join(work, 'files-checkpoint')];
    writeFileSync(log, ndjson(events).join('\n') + '\n');
    writeFileSync(checkpoint, signer.checkpoint(events));
    const { vkey } = signer;
    const missing = join(work, 'missing.ndjson');
    const cases: Array<[string[], string]> = [
      [['verify', '--export', missing, '--checkpoint', checkpoint, '--vkey', vkey], `${missing}: no such file`],
      [['verify', '--export', work, '--checkpoint', checkpoint, '--vkey', vkey], `${work}: a directory, not a file`],
      [['verify', '--export', log, '--checkpoint', work, '--vkey', vkey], `${work}: a directory, not a file`],
      [['verify', '--export', log, '--checkpoint', missing, '--vkey', vkey], `${missing}: no such file`],
      [['verify', '--export', log, '--checkpoint', checkpoint, '--vkey', work], `${work}: a directory, not a file`],
      [['verify', '--export', log, '--checkpoint', checkpoint, '--vkey', vkey, '--tsa-ca', work], `${work}: a directory, not a file`],
      // A file that is no PEM of certificates is named, with the option that gave it.
      [
        ['verify', '--export', log, '--checkpoint', checkpoint, '--vkey', vkey, '--tsa-ca', log],
        `--tsa-ca ${log}: no CERTIFICATE in the PEM text`,
      ],
      [['verify-receipt', work, '--vkey', vkey], `${work}: a directory, not a file`],
      [['verify-evidence', missing], `${missing}: no such file`],
    ];
    expect(await runCli(['verify', '--export', log, '--checkpoint', checkpoint, '--vkey', vkey], {})).toMatchObject({ code: 0 });
    const cores = availableParallelism();
    expect(
      await runCli(['verify', '--export', log, '--checkpoint', checkpoint, '--vkey', vkey, '--threads', String(cores + 7)], {}),
    ).toMatchObject({
      code: 0,
      stdout: expect.stringMatching(/^ok: 12 events/),
      stderr: `sandbox-ledger: --threads ${cores + 7} is more than this machine's ${cores} cores: ${cores} at most are used\n`,
    });
    for (const [args, line] of cases) expect(await runCli(args, {})).toEqual({ code: 1, stdout: '', stderr: `sandbox-ledger: ${line}\n` });
    // A file system error from elsewhere is one line naming the path, not Node's code and system call.
    expect(await runCli(['witness', 'vkey', '--key', work], {})).toEqual({
      code: 1,
      stdout: '',
      stderr: `sandbox-ledger: ${work}: a directory, not a file\n`,
    });
    // A witness whose data directory cannot be made stops before it makes a key file.
    const [keyFile, aFile] = [join(work, 'new-witness.key'), join(work, 'a-file')];
    writeFileSync(aFile, '');
    expect(await runCli(['witness', 'serve', '--key', keyFile, '--log', vkey, '--data-dir', aFile], {})).toEqual({
      code: 1,
      stdout: '',
      stderr: `sandbox-ledger: ${aFile}: a file, not a directory\n`,
    });
    expect(existsSync(keyFile)).toBe(false);
    const noTmp = join(work, 'no-such-tmp');
    expect(await runCli(['verify', '--export', log, '--checkpoint', checkpoint, '--vkey', vkey], { TMPDIR: noTmp })).toEqual({
      code: 1,
      stdout: '',
      stderr: `sandbox-ledger: ${noTmp}: no such file or directory (for a temporary directory; TMPDIR sets where)\n`,
    });
  });

  it('refuses a checkpoint history that is neither a list nor an object with a list in items, beside a good checkpoint too', async () => {
    const signer = newSigner();
    const events = sampleLog();
    const [log, checkpoint, vkey] = [join(work, 'good.ndjson'), join(work, 'checkpoint'), join(work, 'vkey')];
    writeFileSync(log, ndjson(events).join('\n') + '\n');
    writeFileSync(checkpoint, signer.checkpoint(events));
    writeFileSync(vkey, signer.vkey);
    const good = await runCli(['verify', '--export', log, '--checkpoint', checkpoint, '--vkey', vkey], {});
    expect(good.stdout).toMatch(/^ok: 12 events in 3 streams; /);
    for (const [i, json] of ['{}', '{"items":5}', '{"items":null}', '5', 'null', '"items"'].entries()) {
      const file = join(work, `history-${i}.json`);
      writeFileSync(file, json);
      const notHistory = await runCli(['verify', '--export', log, '--checkpoint', checkpoint, '--checkpoints', file, '--vkey', vkey], {});
      expect(notHistory).toEqual({
        code: 1,
        stdout: '',
        stderr:
          `sandbox-ledger: ${file}: not a checkpoint history (JSON, as GET /v1/ledger/checkpoints lists it): ` +
          'it is neither a list of checkpoints nor an object with one in "items"\n',
      });
    }
  });
});

describe('npx sandbox-ledger in the clone', () => {
  it("runs the CLI already built: its first run, which installs the clone into npx's cache, builds nothing again", async () => {
    // A cache without npx's installs (_npx), so that this run is a first one; the packages it installs come from the
    // tarballs `npm ci` left in npm's own cache where they are there, rather than from the registry again.
    const cache = mkdtempSync(join(tmpdir(), 'npx-cache-'));
    const tarballs = join(spawnSync('npm', ['config', 'get', 'cache'], { encoding: 'utf8' }).stdout.trim(), '_cacache');
    if (existsSync(tarballs)) symlinkSync(tarballs, join(cache, '_cacache'));
    const built = statSync(join(ROOT, 'dist', 'main.js')).mtimeMs;
    try {
      const run = spawnSync('npx', ['--loglevel', 'verbose', 'sandbox-ledger', '--help'], {
        cwd: ROOT,
        env: { ...process.env, npm_config_cache: cache, npm_config_prefer_offline: 'true', npm_config_update_notifier: 'false' },
        encoding: 'utf8',
      });
      expect(run.status).toBe(0);
      expect(run.stdout).toMatch(/^usage: sandbox-ledger <command>/);
      // The clone was installed (its prepare script ran) and found the build current: dist/ is the one the other suites run.
      expect(run.stderr).toContain('prepare');
      expect(run.stderr).not.toContain('npm run build');
      expect(statSync(join(ROOT, 'dist', 'main.js')).mtimeMs).toBe(built);
    } finally {
      rmSync(cache, { recursive: true, force: true });
    }
  });
});
