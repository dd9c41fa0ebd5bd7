// `sandbox-ledger <command>`: serve, projections rebuild, export, verify, settle (more commands arrive with their issues).
// The commands that need the application (NestJS, the stores) load it when they run: the offline verifier never does.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { exitOnError } from './exit-on-error.js';
import { UsageError } from './usage-error.js';
import { verifyCommand, verifyReceiptCommand } from './verify.js';
import { defaultThreads } from './verify-pool.js';

const app = () => import('./app-commands.js');

const USAGE = `usage: sandbox-ledger <command>
       sandbox-ledger --version   print the version (for an audit report)

commands:
  serve                  run the HTTP server (PORT, LEDGER_DATA_DIR, LEDGER_STORE, ...)
  projections rebuild [--force]
                         clear every read model and replay the whole log (refused while a server holds the
                         data directory, unless --force)
  export [--out FILE]    write the log as NDJSON from the store in LEDGER_DATA_DIR (stdout by default)
  verify --export FILE|URL (--checkpoint FILE|URL ... | --checkpoints FILE|URL | both) --vkey VKEY|FILE|URL
         [--key API_KEY]
                         check every event hash, every stream chain and the Merkle root at every checkpoint;
                         exit 0 only when all hold, else name the first bad leaf (or, for a signed root
                         that does not match, the leaves since the last checkpoint that did)
                         [--threads N]  threads checking the events (default and at most: one per core; 0: none,
                                        the main thread does; an export of one 1 MiB chunk is checked on the main
                                        thread, without their start-up)
                         [--all-signed] fail, too, when events lie past the last checkpoint given (exit 0 says
                         that every event is signed, not only those up to the last checkpoint)
                         [--witness VKEY ... [--witness-quorum K]] [--pq-vkey VKEY] [--tsa-ca PEM]
                         also: every checkpoint cosigned by K witnesses and by the log's ML-DSA-44 key, and
                         the RFC 3161 tokens of the history checked against the TSAs' CA
  verify-receipt FILE --vkey VKEY|FILE|URL [--witness VKEY ... [--witness-quorum K]] [--pq-vkey VKEY] [--tsa-ca PEM]
                 [--file WORK|COPY] [--consistent-with CHECKPOINT (--server URL | --proof FILE)]
                         check a receipt (JSON or tlog-proof text, or a public receipt,
                         GET /v1/public/content/:sha256/receipt) on its own and print what it proves; --file checks
                         the SHA-256 of the work (or of the copy a CopyRegistered entry names), --consistent-with
                         that its checkpoint is a prefix of a newer one
  verify-evidence BUNDLE [--vkey VKEY] [--witness VKEY ... [--witness-quorum K]] [--pq-vkey VKEY] [--tsa-ca PEM]
                 [--file WORK|COPY] [--accept-v1]
                         check an evidence bundle (GET /v1/filings/:id/evidence) offline, with nothing else;
                         --vkey and --pq-vkey pin the log keys the bundle must name, --witness the witnesses that
                         must have cosigned, --tsa-ca the CA its time-stamps must chain to (without them, the
                         bundle's own keys); a v1 bundle, which does not show its history whole, fails unless
                         --accept-v1
  settle [--as-of ISO] [--force]
                         run a settlement against the store in LEDGER_DATA_DIR (no server needed) and record
                         RightsSettled (refused while a server holds the data directory, unless --force)
  witness serve --key FILE --log VKEY [--log ...] [--name NAME] [--port N] [--host ADDR] [--data-dir DIR]
                         run a C2SP witness (POST /add-checkpoint) that cosigns the given logs' checkpoints;
                         the key file is created when missing; its state survives restarts in --data-dir
  witness vkey --key FILE [--name NAME]
                         print the witness's cosigner vkey (for LEDGER_WITNESSES and --witness); the key file
                         must exist
`;

const OPTIONS = {
  export: { type: 'string' },
  checkpoint: { type: 'string', multiple: true },
  checkpoints: { type: 'string', multiple: true },
  vkey: { type: 'string' },
  key: { type: 'string' },
  out: { type: 'string' },
  'as-of': { type: 'string' },
  witness: { type: 'string', multiple: true },
  'witness-quorum': { type: 'string' },
  'tsa-ca': { type: 'string' },
  'pq-vkey': { type: 'string' },
  file: { type: 'string' },
  'consistent-with': { type: 'string' },
  server: { type: 'string' },
  proof: { type: 'string' },
  log: { type: 'string', multiple: true },
  name: { type: 'string' },
  port: { type: 'string' },
  host: { type: 'string' },
  'data-dir': { type: 'string' },
  threads: { type: 'string' },
  force: { type: 'boolean' },
  'accept-v1': { type: 'boolean' },
  'all-signed': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean' },
} as const;

/** The package's version, as package.json gives it. */
const version = (): string =>
  (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/** The words each command is written with, its own arguments included (`verify-receipt FILE`): more is a mistake. */
const WORDS: Record<string, number> = {
  serve: 1,
  projections: 2,
  export: 1,
  verify: 1,
  settle: 1,
  'verify-receipt': 2,
  'verify-evidence': 2,
  witness: 2,
};

/** The commands whose own argument is a file (`verify-receipt FILE`), which may be named with a leading dash after `--`. */
const TAKE_A_FILE: ReadonlySet<string> = new Set(['verify-receipt', 'verify-evidence']);

const TRUST = ['vkey', 'witness', 'witness-quorum', 'pq-vkey', 'tsa-ca'] as const;
/** The options each command reads (with `help`): another given to it would be ignored, so it is a mistake. */
const TAKES: Record<string, readonly (keyof typeof OPTIONS)[]> = {
  serve: [],
  projections: ['force'],
  export: ['out'],
  verify: ['export', 'checkpoint', 'checkpoints', 'key', 'threads', 'all-signed', ...TRUST],
  settle: ['as-of', 'force'],
  'verify-receipt': ['file', 'consistent-with', 'server', 'proof', ...TRUST],
  'verify-evidence': ['file', 'accept-v1', ...TRUST],
  'witness serve': ['key', 'name', 'log', 'port', 'host', 'data-dir'],
  'witness vkey': ['key', 'name'],
};

/** A mistake in the command line: its one line, and where the usage is (it is some thirty lines: not repeated here). */
function usageError(message: string): number {
  process.stderr.write(`${message}\nrun "sandbox-ledger --help" for the commands and their options\n`);
  return 2;
}

export async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, strict: true, options: OPTIONS, tokens: true });
  } catch (err) {
    const { code, message } = err as { code?: string; message: string };
    const option = /^Unknown option '([^']*)'/.exec(message)?.[1];
    // Node's own message leaves its example's quote open (as in '-- "--bogus"), and offers it to every command: only one
    // that takes an argument of its own (a file: verify-receipt FILE) can be given one that starts with a dash.
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && option !== undefined) {
      // The command as a lenient parse finds it (an option's value before it is not taken for it).
      const [command] = parseArgs({ args: argv, allowPositionals: true, strict: false, options: OPTIONS }).positionals;
      return usageError(
        TAKE_A_FILE.has(command ?? '')
          ? `Unknown option '${option}'. An argument that starts with '-' but is no option goes at the end, after '--': -- ${option}`
          : `Unknown option '${option}'`,
      );
    }
    return usageError(message);
  }
  const { positionals, values, tokens } = parsed;
  const [command, sub] = positionals;
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  // An option of one value given twice kept the last one without a word: a script that adds options (from the
  // environment, say) would check another export, or against another key, than the one it names first.
  const seen = new Set<string>();
  for (const token of tokens) {
    if (token.kind !== 'option' || token.value === undefined) continue;
    const option = OPTIONS[token.name as keyof typeof OPTIONS] as { multiple?: boolean };
    if (option.multiple) continue;
    if (seen.has(token.name)) return usageError(`--${token.name} is given twice: it takes one value`);
    seen.add(token.name);
  }
  if (values.version) {
    if (command !== undefined) return usageError(`--version takes no command, not "${positionals.join(' ')}"`);
    process.stdout.write(`sandbox-ledger ${version()}\n`);
    return 0;
  }
  const need = (name: keyof typeof values, value: string | undefined): string => {
    if (!value) throw new UsageError(`${command} needs --${name}`);
    return value;
  };
  const count = (name: string, value: string): number => {
    if (!/^\d+$/.test(value) || !Number.isSafeInteger(Number(value))) throw new UsageError(`--${name} must be a whole number`);
    return Number(value);
  };
  /**
   * More threads than cores check no faster and each holds its own heap (99 on two cores: 1.1 GB): lowered to the cores,
   * with a line saying so (a script written for a larger machine still runs).
   */
  const threads = (value: string): number => {
    const n = count('threads', value);
    const cores = defaultThreads();
    if (n <= cores) return n;
    process.stderr.write(`sandbox-ledger: --threads ${n} is more than this machine's ${cores} cores: ${cores} at most are used\n`);
    return cores;
  };
  const trust = () => ({
    vkey: need('vkey', values.vkey),
    pqVkey: values['pq-vkey'],
    witnesses: values.witness ?? [],
    witnessQuorum: values['witness-quorum'],
    tsaCa: values['tsa-ca'],
  });
  if (command !== undefined && WORDS[command] !== undefined && positionals.length > WORDS[command])
    return usageError(`unexpected argument "${positionals[WORDS[command]]}" after ${positionals.slice(0, WORDS[command]).join(' ')}`);
  const takes = TAKES[command === 'witness' ? `witness ${sub}` : (command ?? '')];
  const foreign = takes && Object.keys(values).find((name) => name !== 'help' && !takes.includes(name as keyof typeof OPTIONS));
  if (foreign) return usageError(`${command === 'witness' ? `witness ${sub}` : command} does not take --${foreign}`);
  try {
    switch (command) {
      case 'serve':
        await (await app()).serve();
        return 0;
      case 'projections':
        if (sub === 'rebuild') return await (await app()).rebuildProjections(values.force);
        break;
      case 'export':
        return await (await import('./export.js')).exportCommand(values.out);
      case 'verify':
        return await verifyCommand(
          {
            export: need('export', values.export),
            checkpoint: values.checkpoint ?? [],
            checkpoints: values.checkpoints ?? [],
            apiKey: values.key ?? process.env.LEDGER_API_KEY,
            allSigned: values['all-signed'] ?? false,
            ...trust(),
          },
          process.stdout,
          { threads: values.threads === undefined ? undefined : threads(values.threads) },
        );
      case 'settle':
        return await (await app()).settle(values['as-of'], values.force);
      case 'verify-receipt':
        if (!sub) throw new UsageError('verify-receipt needs the receipt file');
        return await verifyReceiptCommand({
          receipt: sub,
          ...trust(),
          file: values.file,
          consistentWith: values['consistent-with'],
          server: values.server,
          proof: values.proof,
        });
      case 'verify-evidence':
        if (!sub) throw new UsageError('verify-evidence needs the evidence bundle file');
        return await (
          await import('./verify-evidence.js')
        ).verifyEvidenceCommand({
          bundle: sub,
          vkey: values.vkey,
          pqVkey: values['pq-vkey'],
          witnesses: values.witness ?? [],
          witnessQuorum: values['witness-quorum'],
          tsaCa: values['tsa-ca'],
          file: values.file,
          acceptV1: values['accept-v1'] === true,
        });
      case 'witness': {
        if (sub !== 'serve' && sub !== 'vkey') break; // named below: a missing or unknown subcommand
        const args = {
          keyFile: need('key', values.key),
          name: values.name,
          logs: values.log ?? [],
          port: values.port,
          host: values.host,
          dataDir: values['data-dir'],
        };
        const witness = await import('./witness.js');
        if (sub === 'serve') return await witness.witnessServeCommand(args);
        if (sub === 'vkey') return witness.witnessVkeyCommand(args);
        break;
      }
      case undefined: // the usage, as a mistake (a script whose command went missing must fail); --help asks for it
        process.stderr.write(USAGE);
        return 2;
      case 'help':
        process.stdout.write(USAGE);
        return 0;
    }
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    return usageError(err.message);
  }
  const known = command !== undefined && Object.hasOwn(WORDS, command);
  return usageError(
    known && sub === undefined ? `${command} needs a subcommand` : `unknown command "${positionals.slice(0, known ? 2 : 1).join(' ')}"`,
  );
}

const code = await main(process.argv.slice(2)).catch(exitOnError);
if (code !== 0 || process.argv[2] !== 'serve') process.exitCode = code;
