// Runtime configuration, read once from the environment.
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { resolve } from 'node:path';
import { decodeSeed, isStrongKey } from './common/key-texts.js';
import { COSIGNATURE_V1, parseCosignerVkey, repeatedCosigner } from './verifier/cosignature.js';
import { isValidKeyName } from './verifier/note.js';

export type StoreKind = 'sqlite' | 'postgres' | 'eventstoredb';

export interface AppConfig {
  port: number;
  host: string;
  dataDir: string;
  store: StoreKind;
  databaseUrl?: string;
  eventstoreUrl?: string;
  /** Schema for the PostgreSQL events, read models and Merkle tree (default `ledger`; tests use a fresh one per run). */
  databaseSchema?: string;
  /** EventStoreDB: a prefix on every stream this ledger writes, so several ledgers (or test runs) can share a node. */
  eventstorePrefix?: string;
  /** Shared stores: how often a follower tries to become the log sequencer (and the leader checks its lock). */
  sequencerRetryMs: number;
  /** Shared stores: how long a follower waits for the sequencer's tree or checkpoint before answering 503. */
  sequencerWaitMs: number;
  origin: string;
  platformCode: string;
  signingKey?: string;
  bootstrapAdminKey?: string;
  /** JSON body limit in bytes. */
  bodyLimit: number;
  /** Largest file accepted by any upload (a filing's file, a copy, evidence, an inspection, a label check), in bytes; never stored. */
  uploadLimit: number;
  /** Evidence files one complaint may upload. */
  evidenceFileLimit: number;
  /** Largest image (width × height) decoded for its perceptual hash; larger ones are refused before decoding. */
  imagePixelLimit: number;
  /** Uploaded files inspected at a time; an image is held whole while it is inspected, so this bounds that memory. */
  inspectionConcurrency: number;
  /** Longest wait for the next bytes of an uploaded file being inspected (ms): a stalled upload gives its place up (408). */
  uploadIdleMs: number;
  /** Longest time to receive a whole request, headers and body (ms; 0: no limit): past it, 408 and the connection closes. */
  requestTimeoutMs: number;
  /** Requests per minute per client address on public endpoints. */
  publicRateLimit: number;
  /**
   * Reverse proxies whose X-Forwarded-For names the client (addresses, CIDR ranges, or loopback, linklocal, uniquelocal);
   * none: the client is the connection's peer, and X-Forwarded-For is ignored.
   */
  trustedProxies: string[];
  /** SQLite synchronous mode for the event store: FULL makes every 2xx durable. */
  sqliteSynchronous: 'FULL' | 'NORMAL';
  logLevel: 'debug' | 'info' | 'warn' | 'error' | 'silent';
  /** How often a checkpoint is signed while the log grows (0: only on demand). */
  checkpointIntervalMs: number;
  /** How often a settlement run records what changed in the rights register (0: only on demand). */
  settlementIntervalMs: number;
  /** The log's ML-DSA-44 cosigning seed (base64, 32 bytes); generated into the data dir when absent. */
  mlDsaKey?: string;
  /** RFC 3161 Time-Stamp Authorities asked for a token over checkpoints (none: no time-stamps). */
  tsaUrls: string[];
  /** PEM file with the CA certificate(s) the TSAs' certificates chain to. */
  tsaCaFile?: string;
  /** At most one token per TSA in this many seconds. */
  tsaIntervalS: number;
  /** How long one TSA request may take. */
  tsaTimeoutMs: number;
  /** Witnesses (C2SP tlog-witness) asked to cosign each checkpoint. */
  witnesses: WitnessConfig[];
  /** How many witness cosignatures make a checkpoint cosigned (default: every witness). */
  witnessQuorum: number;
  /** How long GET /checkpoint and a receipt wait for a fresh checkpoint to meet the quorum before settling for an older one. */
  witnessWaitMs: number;
  /** How long one witness request may take. */
  witnessTimeoutMs: number;
  /**
   * What a request waits for the read models to cover before it reads them: `log`, every event committed when it arrived
   * (a read sees every write acknowledged before it); `own`, only the principal's own last write (and any Min-Position).
   */
  readAfter: 'log' | 'own';
  /** How long a request waits for the read models to reach its position before answering 503 with Retry-After. */
  readWaitMs: number;
  /** Whether the web console (web/dist) is served at `/`; off, the server is the API alone. */
  console: boolean;
}

/** A witness: its cosigner vkey (type 0x04 Ed25519) and the submission prefix of its HTTP interface. */
export interface WitnessConfig {
  vkey: string;
  url: string;
}

/** `<vkey> <url>` entries separated by commas or newlines. */
export function parseWitnesses(value: string | undefined): WitnessConfig[] {
  const entries = (value ?? '')
    .split(/[,\n]/)
    .map((e) => e.trim())
    .filter(Boolean);
  return entries.map((entry) => {
    const [vkey, url, ...rest] = entry.split(/\s+/);
    if (!url || rest.length > 0) throw new Error(`LEDGER_WITNESSES entry must be "<vkey> <url>": ${entry}`);
    if (!/^https?:\/\//.test(url))
      throw new Error(`LEDGER_WITNESSES entry's URL must start with http:// or https://, not ${url}: ${entry}`);
    try {
      if (parseCosignerVkey(vkey).type !== COSIGNATURE_V1) throw new Error('not an Ed25519 cosigner (type 0x04) key');
    } catch (err) {
      throw new Error(`LEDGER_WITNESSES: bad witness vkey ${vkey}: ${(err as Error).message}`, { cause: err });
    }
    return { vkey, url: url.replace(/\/+$/, '') };
  });
}

/**
 * Each witness once: a witness is its cosigner's name and key ID, and one listed twice would be counted twice towards
 * the quorum (and the keys served would list it twice, which every verifier refuses). Checked on the configuration
 * itself, whether it came from LEDGER_WITNESSES or was given whole.
 */
function checkWitnessesOnce(witnesses: readonly WitnessConfig[]): void {
  const twice = repeatedCosigner(witnesses.map((w) => parseCosignerVkey(w.vkey)));
  if (twice)
    throw new Error(
      `LEDGER_WITNESSES: witness ${twice.index + 1} of ${witnesses.length} (${twice.label}) repeats witness ${twice.first + 1}: list each witness once`,
    );
}

/** The variable `name` of `env` as a non-negative integer, `fallback` when unset; anything else stops the start, named. */
const int = (env: NodeJS.ProcessEnv, name: string, fallback: number): number => {
  const value = env[name];
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`${name} must be a non-negative integer, not ${JSON.stringify(value)}`);
  return n;
};

/** Names proxy-addr (Fastify's trustProxy) gives to ranges of addresses. */
const PROXY_RANGES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/**
 * LEDGER_TRUSTED_PROXIES: addresses, CIDR ranges (a prefix length, not a netmask) or range names, separated by commas or
 * white space. A range holding every address of a family (0.0.0.0/0, ::/0, or ::ffff:0:0/96 and wider, which hold
 * every IPv4 address as IPv6 sees it) would let any client name its own address, and is refused.
 */
function parseTrustedProxies(value: string | undefined): string[] {
  const entries = (value ?? '').split(/[\s,]+/).filter(Boolean);
  for (const entry of entries) {
    if (PROXY_RANGES.has(entry)) continue;
    const [address, prefix, ...rest] = entry.split('/');
    const family = address.includes('%') ? 0 : isIP(address); // a zone (fe80::1%eth0) is no address Fastify reads
    const bits = family === 4 ? 32 : 128;
    const length = prefix === undefined ? bits : /^(0|[1-9]\d{0,2})$/.test(prefix) ? Number(prefix) : NaN;
    const everyAddress = length === 0 || (family === 6 && /^::ffff:/i.test(address) && length <= 96);
    if (family !== 0 && rest.length === 0 && length <= bits && !everyAddress) continue;
    // A range of every address is refused for a reason of its own; any other entry is malformed.
    const why = everyAddress
      ? 'trusting every sender would let any client name its own address'
      : 'each is an address, a range as an address and a prefix length (10.0.0.0/8, not a netmask) or a range name';
    throw new Error(
      `LEDGER_TRUSTED_PROXIES: not an address, a CIDR range short of every address, loopback, linklocal or uniquelocal: ${JSON.stringify(entry)} (${why})`,
    );
  }
  return entries;
}

const isPostgresUrl = (url: string) => /^postgres(?:ql)?:\/\//i.test(url) && URL.canParse(url);

/**
 * A connection string as EventStoreDB's client reads it: esdb:// (the nodes listed) or esdb+discover:// (a cluster found
 * through them), credentials if any, then one or more host[:port] separated by commas, then its options. Not a URL to
 * the WHATWG parser: a list of hosts has no single port. Returns the hosts' part and the options' text (after `?`).
 */
function eventStoreUrlParts(url: string): { options: string | undefined } | null {
  const parts = /^esdb(?:\+discover)?:\/\/(?:[^:]+:[^@]+@)?([^/?]*)\/*(?:\?(.*))?$/.exec(url.trim());
  if (parts === null || !parts[1].split(',').every((host) => /^[^\s$+!?*'(),;[\]{}|"%~#<>=&:@]+(?::\d+)?$/.test(host))) return null;
  return { options: parts[2] };
}

/** What an option's value must be, when it is not: undefined when it is. */
type OptionCheck = (value: string) => string | undefined;
const trueOrFalse: OptionCheck = (v) => (v === 'true' || v === 'false' ? undefined : 'true or false');
const integerFrom =
  (least: number): OptionCheck =>
  (v) =>
    /^-?\d+$/.test(v) && Number.isSafeInteger(Number(v)) && Number(v) >= least ? undefined : `an integer of at least ${least}`;
const readableFile: OptionCheck = (v) => {
  try {
    readFileSync(v);
    return undefined;
  } catch (err) {
    return `a file this process can read (${(err as NodeJS.ErrnoException).code ?? String(err)})`;
  }
};

/**
 * The options of EventStoreDB's client (6.x), by their names as it matches them (case, `_` and `-` aside). It ignores
 * an unknown one with a warning and reads `5s` as 5, and it checks the rest only when the store is opened, after the
 * read models and the Merkle tree were: each is checked here instead, before anything is opened or made.
 */
const EVENTSTORE_OPTION_CHECKS: [string, OptionCheck][] = [
  ['tls', trueOrFalse],
  // The client ignores tlsVerifyCert=false (with a warning) and verifies the certificate all the same.
  ['tlsVerifyCert', (v) => (v === 'true' ? undefined : 'true (the client does not support false: give the CA with tlsCAFile)')],
  ['tlsCAFile', readableFile],
  ['userCertFile', readableFile],
  ['userKeyFile', readableFile],
  ['connectionName', () => undefined],
  [
    'nodePreference',
    (v) =>
      ['leader', 'follower', 'readonlyreplica', 'random'].includes(flatOption(v))
        ? undefined
        : 'leader, follower, read_only_replica or random',
  ],
  ['maxDiscoverAttempts', integerFrom(1)],
  ['discoveryInterval', integerFrom(0)],
  ['gossipTimeout', integerFrom(1)],
  ['defaultDeadline', integerFrom(1)],
  ['keepAliveInterval', integerFrom(-1)], // -1: no keep-alive
  ['keepAliveTimeout', integerFrom(-1)],
  // false makes a refused append return instead of throw, and the adapter would take a conflicting append as written.
  ['throwOnAppendFailure', (v) => (v === 'true' ? undefined : 'true (the ledger learns of a conflicting append by its error)')],
];
const EVENTSTORE_OPTIONS: ReadonlyMap<string, { name: string; check: OptionCheck }> = new Map(
  EVENTSTORE_OPTION_CHECKS.map(([name, check]) => [flatOption(name), { name, check }]),
);

const DECODED_OPTIONS: ReadonlySet<string> = new Set(['tlsCAFile', 'userCertFile', 'userKeyFile', 'connectionName']);

function flatOption(name: string): string {
  return name.trim().toLowerCase().replace(/[_-]/g, '');
}

/**
 * Why EVENTSTORE_URL cannot be used, or undefined when it can. Its options are named, and their values shown: the only
 * secret a connection string holds is its password, before the hosts. An unknown option's value is not shown.
 */
export function eventStoreUrlProblem(url: string): string | undefined {
  const parts = eventStoreUrlParts(url);
  if (parts === null)
    return 'EVENTSTORE_URL must be an esdb:// or esdb+discover:// connection string naming its hosts, e.g. esdb://127.0.0.1:2113?tls=false (its value is not shown: it may hold a password)';
  if (parts.options === undefined) return undefined;
  const seen = new Map<string, string>();
  for (const pair of parts.options.replace(/\/+$/, '').split('&')) {
    const option = /^([^=?]+)=([^?]+)$/.exec(pair);
    if (option === null || option[2].trim() === '')
      return 'EVENTSTORE_URL: its options must read ?name=value&name=value, e.g. ?tls=false&nodePreference=leader';
    const known = EVENTSTORE_OPTIONS.get(flatOption(option[1]));
    if (known === undefined)
      return `EVENTSTORE_URL: unknown option ${JSON.stringify(option[1].trim())} (EventStoreDB's client would ignore it); its options are ${[...EVENTSTORE_OPTIONS.values()].map((o) => o.name).join(', ')}`;
    if (seen.has(known.name)) return `EVENTSTORE_URL: option ${known.name} is given twice`;
    // The client percent-decodes the values of these options only: a %-escape in any other is read as it stands.
    let value = option[2].trim();
    if (DECODED_OPTIONS.has(known.name)) {
      try {
        value = decodeURIComponent(value);
      } catch {
        return `EVENTSTORE_URL: option ${known.name} is not percent-encoded properly`;
      }
    }
    const mustBe = known.check(value);
    if (mustBe !== undefined) return `EVENTSTORE_URL: option ${known.name} must be ${mustBe}, not ${JSON.stringify(value)}`;
    seen.set(known.name, value);
  }
  if (seen.has('userCertFile') !== seen.has('userKeyFile'))
    return 'EVENTSTORE_URL: options userCertFile and userKeyFile go together (a client certificate and its key)';
  return undefined;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: Partial<AppConfig> = {}): AppConfig {
  const store = (env.LEDGER_STORE ?? 'sqlite') as StoreKind;
  if (!['sqlite', 'postgres', 'eventstoredb'].includes(store))
    throw new Error(`LEDGER_STORE must be sqlite, postgres or eventstoredb, not ${store}`);
  const sync = (env.LEDGER_SQLITE_SYNCHRONOUS ?? 'FULL').toUpperCase();
  const platformCode = env.LEDGER_PLATFORM_CODE ?? 'SANDBOXLEDGER';
  // It goes into the AIGC implicit label as ContentPropagator: printable ASCII without space, " and \ (GB 45438-2025).
  if (!/^[\x21\x23-\x5b\x5d-\x7e]{1,256}$/.test(platformCode))
    throw new Error('LEDGER_PLATFORM_CODE must be 1 to 256 printable ASCII characters without space, " and \\');
  if (sync !== 'FULL' && sync !== 'NORMAL') throw new Error('LEDGER_SQLITE_SYNCHRONOUS must be FULL or NORMAL');
  const tsaUrls = (env.LEDGER_TSA_URLS ?? '').split(/[\s,]+/).filter(Boolean);
  // A TSA's URL is published: each time-stamp names its source, and the metrics label their requests with it. A URL that
  // carries a secret (user and password, a query string) is refused, and named by its place in the list, not its value.
  tsaUrls.forEach((url, i) => {
    const place = `LEDGER_TSA_URLS: URL ${i + 1} of ${tsaUrls.length}`;
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new Error(`${place} is not a URL (its value is not shown: it may hold a secret)`);
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error(`${place} is not an http(s) URL`);
    if (parsed.username || parsed.password || parsed.search || parsed.hash)
      throw new Error(
        `${place} carries a user, password, query or fragment (not shown): a TSA's URL is published with each time-stamp, so it must hold no secret`,
      );
  });
  const witnesses = parseWitnesses(env.LEDGER_WITNESSES);
  const readAfter = env.LEDGER_READ_AFTER ?? 'log';
  if (readAfter !== 'log' && readAfter !== 'own') throw new Error('LEDGER_READ_AFTER must be log or own');
  const consoleSetting = env.LEDGER_CONSOLE || 'on';
  if (consoleSetting !== 'on' && consoleSetting !== 'off') throw new Error('LEDGER_CONSOLE must be on or off');
  const config: AppConfig = {
    port: int(env, 'PORT', 3000),
    host: env.HOST || '0.0.0.0', // empty, as PORT, is unset
    dataDir: resolve(env.LEDGER_DATA_DIR ?? './data'),
    store,
    databaseUrl: env.DATABASE_URL || undefined,
    eventstoreUrl: env.EVENTSTORE_URL || undefined,
    databaseSchema: env.LEDGER_DATABASE_SCHEMA || 'ledger',
    eventstorePrefix: env.EVENTSTORE_STREAM_PREFIX || undefined,
    sequencerRetryMs: int(env, 'LEDGER_SEQUENCER_RETRY_MS', 1000),
    sequencerWaitMs: int(env, 'LEDGER_SEQUENCER_WAIT_MS', 3000),
    origin: env.LEDGER_ORIGIN ?? 'sandbox-ledger.local/log',
    platformCode,
    signingKey: env.LEDGER_SIGNING_KEY || undefined,
    bootstrapAdminKey: env.LEDGER_BOOTSTRAP_ADMIN_KEY || undefined,
    bodyLimit: int(env, 'LEDGER_BODY_LIMIT', 64 * 1024),
    uploadLimit: int(env, 'LEDGER_UPLOAD_LIMIT', 50 * 1024 * 1024),
    evidenceFileLimit: int(env, 'LEDGER_EVIDENCE_FILE_LIMIT', 10),
    imagePixelLimit: int(env, 'LEDGER_IMAGE_PIXEL_LIMIT', 64_000_000),
    inspectionConcurrency: Math.max(1, int(env, 'LEDGER_INSPECTION_CONCURRENCY', 4)),
    uploadIdleMs: Math.max(1, int(env, 'LEDGER_UPLOAD_IDLE_MS', 15_000)),
    requestTimeoutMs: int(env, 'LEDGER_REQUEST_TIMEOUT_MS', 120_000),
    publicRateLimit: int(env, 'LEDGER_PUBLIC_RATE_LIMIT', 120),
    trustedProxies: parseTrustedProxies(env.LEDGER_TRUSTED_PROXIES),
    sqliteSynchronous: sync,
    logLevel: (env.LOG_LEVEL as AppConfig['logLevel']) ?? 'info',
    checkpointIntervalMs: int(env, 'LEDGER_CHECKPOINT_INTERVAL_MS', 1000),
    settlementIntervalMs: int(env, 'LEDGER_SETTLEMENT_INTERVAL_MS', 3_600_000),
    mlDsaKey: env.LEDGER_MLDSA_KEY || undefined,
    tsaUrls,
    tsaCaFile: env.LEDGER_TSA_CA_FILE || undefined,
    tsaIntervalS: int(env, 'LEDGER_TSA_INTERVAL_S', 60),
    tsaTimeoutMs: int(env, 'LEDGER_TSA_TIMEOUT_MS', 10_000),
    witnesses,
    witnessQuorum: int(env, 'LEDGER_WITNESS_QUORUM', -1),
    witnessWaitMs: int(env, 'LEDGER_WITNESS_WAIT_MS', 2000),
    witnessTimeoutMs: int(env, 'LEDGER_WITNESS_TIMEOUT_MS', 5000),
    readAfter,
    readWaitMs: int(env, 'LEDGER_READ_WAIT_MS', 5000),
    console: consoleSetting === 'on',
    ...overrides,
  };
  if (config.witnessQuorum < 0) config.witnessQuorum = config.witnesses.length; // every witness, unless said otherwise
  // Node's listen would name its own option, not the variable.
  if (config.port > 65535) throw new Error(`PORT must be at most 65535, not ${JSON.stringify(env.PORT ?? String(config.port))}`);
  // The shared stores' URLs are checked here, before anything is opened or made: a store whose URL is missing or
  // unreadable fails to open only after the stores opened before it made their files or schema, and EventStoreDB's
  // client names no variable. Neither URL is repeated in a message: either may hold a password.
  if (config.store !== 'sqlite') {
    const held = config.store === 'postgres' ? 'the events, the read models' : 'the read models';
    if (config.databaseUrl === undefined)
      throw new Error(`DATABASE_URL is required when LEDGER_STORE=${config.store} (${held} and the Merkle tree live in PostgreSQL)`);
    // The driver reads anything else as a path relative to a host named "base".
    if (!isPostgresUrl(config.databaseUrl))
      throw new Error('DATABASE_URL must be a postgres:// or postgresql:// URL (its value is not shown: it may hold a password)');
  }
  if (config.store === 'eventstoredb') {
    if (config.eventstoreUrl === undefined)
      throw new Error('EVENTSTORE_URL is required when LEDGER_STORE=eventstoredb (the events live in EventStoreDB)');
    const problem = eventStoreUrlProblem(config.eventstoreUrl);
    if (problem !== undefined) throw new Error(problem);
  }
  // The keys are checked here, before anything is opened or made; a key itself is never repeated in a message.
  if (config.signingKey !== undefined) decodeSeed(config.signingKey, 'LEDGER_SIGNING_KEY');
  if (config.mlDsaKey !== undefined) decodeSeed(config.mlDsaKey, 'LEDGER_MLDSA_KEY', 'ML-DSA-44');
  if (config.bootstrapAdminKey !== undefined && !isStrongKey(config.bootstrapAdminKey))
    throw new Error('LEDGER_BOOTSTRAP_ADMIN_KEY must be at least 43 printable ASCII characters without spaces (256 bits)');
  if (config.tsaUrls.length > 0 && !config.tsaCaFile)
    throw new Error('LEDGER_TSA_URLS needs LEDGER_TSA_CA_FILE (the CA certificates of the TSAs)');
  if (config.tsaCaFile !== undefined) checkPemFile(config.tsaCaFile, 'LEDGER_TSA_CA_FILE');
  if (!isValidKeyName(config.origin))
    throw new Error(
      `LEDGER_ORIGIN must be a log name without spaces or "+" (it names the log in every checkpoint), not ${JSON.stringify(config.origin)}`,
    );
  checkWitnessesOnce(config.witnesses);
  if (config.witnessQuorum > config.witnesses.length)
    throw new Error(`LEDGER_WITNESS_QUORUM ${config.witnessQuorum} exceeds the ${config.witnesses.length} witness(es) configured`);
  // A quorum of 0 would serve checkpoints no witness cosigned as cosigned, and publish a quorum verifiers refuse.
  if (config.witnessQuorum === 0 && config.witnesses.length > 0)
    throw new Error(`LEDGER_WITNESS_QUORUM must be at least 1 with ${config.witnesses.length} witness(es) configured, not 0`);
  // A time limit of 0 ms would abort every request at once: unlike LEDGER_REQUEST_TIMEOUT_MS's, these have no "off".
  for (const [name, ms] of [
    ['LEDGER_TSA_TIMEOUT_MS', config.tsaTimeoutMs],
    ['LEDGER_WITNESS_TIMEOUT_MS', config.witnessTimeoutMs],
  ] as const)
    if (ms === 0) throw new Error(`${name} must be at least 1 (how long one request may take, in ms), not 0`);
  return config;
}

/** A file of PEM certificates, read before anything is opened or made: one that cannot be read, or holds none, names its variable. */
function checkPemFile(file: string, variable: string): void {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(`${variable} ${file} cannot be read (${(err as NodeJS.ErrnoException).code ?? String(err)})`, { cause: err });
  }
  if (!text.includes('-----BEGIN CERTIFICATE-----')) throw new Error(`${variable} ${file} holds no PEM CERTIFICATE`);
}

export const APP_CONFIG = Symbol('APP_CONFIG');
