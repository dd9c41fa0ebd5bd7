// Numeric settings are read from the environment as non-negative integers; anything else stops the start, naming the
// variable and the value.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ed25519 } from '@noble/curves/ed25519.js';
import { loadConfig } from '../../src/config.js';
import { COSIGNATURE_V1, formatCosignerVkey } from '../../src/verifier/cosignature.js';

describe('numeric settings', () => {
  it('take their default when unset or empty, and their value when it is a non-negative integer', () => {
    expect(loadConfig({}).port).toBe(3000);
    expect(loadConfig({ PORT: '' }).port).toBe(3000);
    expect(loadConfig({ HOST: '' }).host).toBe('0.0.0.0');
    expect(loadConfig({ HOST: '127.0.0.1' }).host).toBe('127.0.0.1');
    expect(loadConfig({ PORT: '0' }).port).toBe(0);
    expect(loadConfig({ LEDGER_BODY_LIMIT: '1024' }).bodyLimit).toBe(1024);
  });

  it.each([
    ['PORT', 'abc'],
    ['PORT', '-1'],
    ['LEDGER_BODY_LIMIT', '1.5'],
    ['LEDGER_READ_WAIT_MS', '9007199254740993'],
  ])('%s=%s stops the start with a message naming both', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(`${name} must be a non-negative integer, not "${value}"`);
  });

  it('PORT above 65535 stops the start, naming PORT (not the option of Node it would reach)', () => {
    expect(loadConfig({ PORT: '65535' }).port).toBe(65535);
    for (const value of ['65536', '99999'])
      expect(() => loadConfig({ PORT: value })).toThrow(new Error(`PORT must be at most 65535, not "${value}"`));
  });
});

describe('DATABASE_URL', () => {
  const refusal = 'DATABASE_URL must be a postgres:// or postgresql:// URL (its value is not shown: it may hold a password)';

  it('is taken when it is a postgres:// or postgresql:// URL', () => {
    for (const url of ['postgres://ledger:pw@db:5432/ledger', 'postgresql://postgres@%2Fvar%2Frun%2Fpostgresql/test'])
      expect(loadConfig({ LEDGER_STORE: 'postgres', DATABASE_URL: url }).databaseUrl).toBe(url);
  });

  it.each([['notaurl'], ['mysql://ledger:s3cret@db/ledger'], ['postgres://ledger:s3cret@[::1/ledger'], ['db:5432/ledger']])(
    '%s stops the start of a store that uses it, naming the variable and never the value',
    (url) => {
      for (const store of ['postgres', 'eventstoredb']) {
        let message = '';
        try {
          loadConfig({ LEDGER_STORE: store, DATABASE_URL: url, EVENTSTORE_URL: 'esdb://127.0.0.1:2113?tls=false' });
        } catch (err) {
          message = (err as Error).message;
        }
        expect(message).toBe(refusal);
      }
    },
  );

  it('is not read by the SQLite store, so not checked there', () => {
    expect(loadConfig({ DATABASE_URL: 'notaurl' }).store).toBe('sqlite');
  });

  it('is required by the stores that use it: its absence stops the start, naming the variable and the store', () => {
    for (const env of [{}, { DATABASE_URL: '' }]) {
      expect(() => loadConfig({ ...env, LEDGER_STORE: 'postgres' })).toThrow(
        new Error(
          'DATABASE_URL is required when LEDGER_STORE=postgres (the events, the read models and the Merkle tree live in PostgreSQL)',
        ),
      );
      expect(() => loadConfig({ ...env, LEDGER_STORE: 'eventstoredb', EVENTSTORE_URL: 'esdb://127.0.0.1:2113?tls=false' })).toThrow(
        new Error('DATABASE_URL is required when LEDGER_STORE=eventstoredb (the read models and the Merkle tree live in PostgreSQL)'),
      );
    }
  });
});

describe('EVENTSTORE_URL', () => {
  const refusal =
    'EVENTSTORE_URL must be an esdb:// or esdb+discover:// connection string naming its hosts, e.g. esdb://127.0.0.1:2113?tls=false (its value is not shown: it may hold a password)';
  const eventstoredb = (url: string | undefined) =>
    loadConfig({ LEDGER_STORE: 'eventstoredb', DATABASE_URL: 'postgres://ledger@db/ledger', EVENTSTORE_URL: url });
  /** Whether EventStoreDB's client reads `url` (it connects only when first used). */
  const clientReads = async (url: string) => {
    const { EventStoreDBClient } = await import('@eventstore/db-client');
    try {
      await EventStoreDBClient.connectionString(url).dispose();
      return true;
    } catch {
      return false;
    }
  };

  it("takes the connection strings EventStoreDB's client reads: one node or several, with credentials and options", async () => {
    for (const url of [
      'esdb://127.0.0.1:2113?tls=false',
      'esdb+discover://node1:2113,node2:2113,node3:2113?tls=true&nodePreference=leader',
      'esdb://admin:changeit@localhost:2113?tls=false',
      'esdb://localhost',
      'esdb://localhost:2113/',
    ]) {
      expect([url, await clientReads(url)]).toEqual([url, true]);
      expect(eventstoredb(url).eventstoreUrl).toBe(url);
    }
  });

  it.each([
    'http://x',
    'http://admin:s3cret@127.0.0.1:2113',
    'ESDB://127.0.0.1:2113',
    'kurrentdb://127.0.0.1:2113',
    'esdb://',
    'esdb:/127.0.0.1:2113',
    'esdb://?tls=false',
    'esdb://127.0.0.1:port',
    'esdb://node1:2113,,node2:2113',
    '127.0.0.1:2113',
  ])('%s, which the client does not read either, stops the start, naming the variable and never the value', async (url) => {
    expect(await clientReads(url)).toBe(false);
    expect(() => eventstoredb(url)).toThrow(new Error(refusal));
  });

  it("takes the client's options with values it reads as given, each without a warning from the client", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ledger-esdb-options-'));
    try {
      const ca = join(dir, 'ca.pem');
      writeFileSync(ca, 'the client reads the file when it is made, and its contents when it connects\n');
      const url =
        `esdb://admin:changeit@localhost:2113?tls=true&tlsCAFile=${encodeURIComponent(ca)}&node_preference=Follower` +
        '&keepAliveInterval=-1&keepAliveTimeout=10000&defaultDeadline=5000&connectionName=ledger-1&throwOnAppendFailure=true' +
        '&maxDiscoverAttempts=3&discoveryInterval=0&gossipTimeout=5&tlsVerifyCert=true';
      const warnings: unknown[] = [];
      const warn = console.warn;
      console.warn = (...args: unknown[]) => void warnings.push(args);
      try {
        expect(await clientReads(url)).toBe(true);
      } finally {
        console.warn = warn;
      }
      expect(warnings).toEqual([]);
      expect(eventstoredb(url).eventstoreUrl).toBe(url);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  // Each of these the client either refuses only when the store is opened (after the read models and the Merkle tree
  // were), or takes with a warning and ignores, or misreads (10s as 10 ms).
  it.each([
    ['?tls=maybe', 'option tls must be true or false, not "maybe"'],
    ['?tls=false&keepAliveInterval=10s', 'option keepAliveInterval must be an integer of at least -1, not "10s"'],
    ['?defaultDeadline=0', 'option defaultDeadline must be an integer of at least 1, not "0"'],
    ['?nodePreference=primary', 'option nodePreference must be leader, follower, read_only_replica or random, not "primary"'],
    [
      '?tls=false&tlsVerify=false',
      'unknown option "tlsVerify" (EventStoreDB\'s client would ignore it); its options are tls, tlsVerifyCert,',
    ],
    ['?password=s3cret', 'unknown option "password"'],
    [
      '?tlsVerifyCert=false',
      'option tlsVerifyCert must be true (the client does not support false: give the CA with tlsCAFile), not "false"',
    ],
    ['?throwOnAppendFailure=false', 'option throwOnAppendFailure must be true (the ledger learns of a conflicting append by its error)'],
    ['?tlsCAFile=/no/such/ca.pem', 'option tlsCAFile must be a file this process can read (ENOENT), not "/no/such/ca.pem"'],
    ['?tlsCAFile=%E0%A4%A', 'option tlsCAFile is not percent-encoded properly'],
    // The client decodes only file names and the connection's name: an escape elsewhere is refused there as here.
    ['?tls=%74rue', 'option tls must be true or false, not "%74rue"'],
    ['?keepAliveInterval=%31%30000', 'option keepAliveInterval must be an integer of at least -1, not "%31%30000"'],
    ['?userCertFile=/etc/hostname', 'options userCertFile and userKeyFile go together'],
    ['?tls=false&TLS=true', 'option tls is given twice'],
    ['?', 'its options must read ?name=value&name=value'],
    ['?tls', 'its options must read ?name=value&name=value'],
    ['?tls=false&', 'its options must read ?name=value&name=value'],
    ['?tls=false?nodePreference=leader', 'its options must read ?name=value&name=value'],
  ])('an option %s stops the start, naming the variable and the option, never the password', (options, message) => {
    let refusal = '';
    try {
      eventstoredb(`esdb://admin:s3cret@127.0.0.1:2113${options}`);
    } catch (err) {
      refusal = (err as Error).message;
    }
    expect(refusal).toContain(`EVENTSTORE_URL: ${message}`);
    expect(refusal).not.toContain('s3cret');
  });

  it('is required by the EventStoreDB store, and not read by the others', () => {
    for (const url of [undefined, ''])
      expect(() => eventstoredb(url)).toThrow(
        new Error('EVENTSTORE_URL is required when LEDGER_STORE=eventstoredb (the events live in EventStoreDB)'),
      );
    expect(loadConfig({ EVENTSTORE_URL: 'http://x' }).store).toBe('sqlite');
    expect(loadConfig({ LEDGER_STORE: 'postgres', DATABASE_URL: 'postgres://ledger@db/ledger', EVENTSTORE_URL: 'http://x' }).store).toBe(
      'postgres',
    );
  });
});

describe('the bootstrap admin key', () => {
  it('is taken when strong, and a weak one stops the start with a message that names the variable, not the key', () => {
    const strong = 'slk_' + 'k'.repeat(40);
    expect(loadConfig({ LEDGER_BOOTSTRAP_ADMIN_KEY: strong }).bootstrapAdminKey).toBe(strong);
    expect(loadConfig({}).bootstrapAdminKey).toBeUndefined();
    for (const weak of ['slk_admin_review_0123456789abcdef', 'slk_' + 'k'.repeat(38) + ' x', 'slk_' + 'k'.repeat(38) + 'é']) {
      let message = '';
      try {
        loadConfig({ LEDGER_BOOTSTRAP_ADMIN_KEY: weak });
      } catch (err) {
        message = (err as Error).message;
      }
      expect(message).toBe('LEDGER_BOOTSTRAP_ADMIN_KEY must be at least 43 printable ASCII characters without spaces (256 bits)');
    }
  });
});

describe("the log's keys", () => {
  it('a key given that is not a base64 seed of 32 bytes stops the start, naming the variable', () => {
    const seed = Buffer.alloc(32, 7).toString('base64');
    expect(loadConfig({ LEDGER_SIGNING_KEY: seed, LEDGER_MLDSA_KEY: seed }).signingKey).toBe(seed);
    const short = Buffer.from('too short').toString('base64');
    expect(() => loadConfig({ LEDGER_SIGNING_KEY: short })).toThrow('LEDGER_SIGNING_KEY must hold a base64 Ed25519 seed of 32 bytes');
    expect(() => loadConfig({ LEDGER_MLDSA_KEY: short })).toThrow('LEDGER_MLDSA_KEY must hold a base64 ML-DSA-44 seed of 32 bytes');
  });
});

describe('LEDGER_TSA_URLS', () => {
  it('refuses a URL that carries a secret (it is published with each time-stamp and labels the metrics), without showing it', () => {
    for (const url of ['http://user:S3cretPw@127.0.0.1:1/tsa', 'https://tsa.example/ts?apikey=S3cretPw', 'https://tsa.example/#S3cretPw']) {
      let message = '';
      try {
        loadConfig({ LEDGER_TSA_URLS: `https://ok.example/tsa,${url}` });
      } catch (err) {
        message = (err as Error).message;
      }
      expect(message).toMatch(/^LEDGER_TSA_URLS: URL 2 of 2 carries a user, password, query or fragment \(not shown\)/);
      expect(message).not.toContain('S3cretPw');
    }
    expect(() => loadConfig({ LEDGER_TSA_URLS: 'ftp://S3cretPw.example/' })).toThrow('LEDGER_TSA_URLS: URL 1 of 1 is not an http(s) URL');
    expect(() => loadConfig({ LEDGER_TSA_URLS: 'http://[S3cretPw' })).toThrow(
      'LEDGER_TSA_URLS: URL 1 of 1 is not a URL (its value is not shown',
    );
  });
});

describe('LEDGER_WITNESSES', () => {
  const vkey = (name: string) => formatCosignerVkey(name, COSIGNATURE_V1, ed25519.getPublicKey(ed25519.utils.randomSecretKey()));
  const w1 = vkey('witness.example/w1');
  const w2 = vkey('witness.example/w2');

  it('takes each witness once, and stops the start on a witness listed twice, naming its position and the one it repeats', () => {
    const config = loadConfig({ LEDGER_WITNESSES: `${w1} http://127.0.0.1:7381,${w2} http://127.0.0.1:7382/` });
    expect(config.witnesses).toEqual([
      { vkey: w1, url: 'http://127.0.0.1:7381' },
      { vkey: w2, url: 'http://127.0.0.1:7382' },
    ]);
    expect(config.witnessQuorum).toBe(2);
    const label = w1.split('+').slice(0, 2).join('+');
    // The same key at another URL, or at the same one: either would count twice towards the quorum.
    for (const again of [`${w1} http://127.0.0.1:7383`, `${w1} http://127.0.0.1:7381`])
      expect(() =>
        loadConfig({ LEDGER_WITNESSES: `${w1} http://127.0.0.1:7381,${w2} http://127.0.0.1:7382,${again}`, LEDGER_WITNESS_QUORUM: '2' }),
      ).toThrow(new Error(`LEDGER_WITNESSES: witness 3 of 3 (${label}) repeats witness 1: list each witness once`));
    // Given whole rather than through the variable, the configuration is checked alike.
    expect(() =>
      loadConfig(
        {},
        {
          witnesses: [
            { vkey: w2, url: 'http://a.example' },
            { vkey: w2, url: 'http://b.example' },
          ],
        },
      ),
    ).toThrow('LEDGER_WITNESSES: witness 2 of 2');
    // Another name for the same key is another cosigner (its key ID differs): taken.
    const seed = ed25519.utils.randomSecretKey();
    const a = formatCosignerVkey('witness.example/a', COSIGNATURE_V1, ed25519.getPublicKey(seed));
    const b = formatCosignerVkey('witness.example/b', COSIGNATURE_V1, ed25519.getPublicKey(seed));
    expect(loadConfig({ LEDGER_WITNESSES: `${a} http://127.0.0.1:1,${b} http://127.0.0.1:2` }).witnesses).toHaveLength(2);
  });

  it('names the URL of a witness entry that is not http or https', () => {
    const w = formatCosignerVkey('witness.example/a', COSIGNATURE_V1, ed25519.getPublicKey(ed25519.utils.randomSecretKey()));
    expect(() => loadConfig({ LEDGER_WITNESSES: `${w} 127.0.0.1:7380` })).toThrow(
      new Error(`LEDGER_WITNESSES entry's URL must start with http:// or https://, not 127.0.0.1:7380: ${w} 127.0.0.1:7380`),
    );
  });

  it('a quorum of 0 with witnesses, and a witness or TSA time limit of 0, stop the start, naming the variable', () => {
    const seed = ed25519.utils.randomSecretKey();
    const w = formatCosignerVkey('witness.example/a', COSIGNATURE_V1, ed25519.getPublicKey(seed));
    expect(() => loadConfig({ LEDGER_WITNESSES: `${w} http://127.0.0.1:1`, LEDGER_WITNESS_QUORUM: '0' })).toThrow(
      new Error('LEDGER_WITNESS_QUORUM must be at least 1 with 1 witness(es) configured, not 0'),
    );
    expect(loadConfig({ LEDGER_WITNESS_QUORUM: '0' }).witnessQuorum).toBe(0); // no witness: nothing to count
    for (const name of ['LEDGER_WITNESS_TIMEOUT_MS', 'LEDGER_TSA_TIMEOUT_MS'])
      expect(() => loadConfig({ [name]: '0' })).toThrow(
        new Error(`${name} must be at least 1 (how long one request may take, in ms), not 0`),
      );
  });
});

describe('LEDGER_TSA_CA_FILE and LEDGER_ORIGIN', () => {
  it('a CA file that cannot be read or holds no certificate, and an origin that cannot name a log, stop the start, naming the variable', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ledger-config-'));
    try {
      const garbage = join(dir, 'garbage.pem');
      writeFileSync(garbage, 'not a certificate\n');
      const pem = join(dir, 'ca.pem');
      writeFileSync(pem, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
      expect(loadConfig({ LEDGER_TSA_CA_FILE: pem }).tsaCaFile).toBe(pem);
      expect(() => loadConfig({ LEDGER_TSA_CA_FILE: join(dir, 'missing.pem') })).toThrow(
        `LEDGER_TSA_CA_FILE ${join(dir, 'missing.pem')} cannot be read (ENOENT)`,
      );
      expect(() => loadConfig({ LEDGER_TSA_CA_FILE: garbage })).toThrow(`LEDGER_TSA_CA_FILE ${garbage} holds no PEM CERTIFICATE`);
      expect(() => loadConfig({ LEDGER_ORIGIN: 'has space' })).toThrow('LEDGER_ORIGIN must be a log name without spaces or "+"');
      expect(() => loadConfig({ LEDGER_ORIGIN: 'a+b' })).toThrow('LEDGER_ORIGIN');
      expect(loadConfig({ LEDGER_ORIGIN: 'ledger.example/log' }).origin).toBe('ledger.example/log');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('LEDGER_TRUSTED_PROXIES', () => {
  it('is none by default, and takes addresses, CIDR ranges and the named ranges, separated by commas or spaces', () => {
    expect(loadConfig({}).trustedProxies).toEqual([]);
    expect(loadConfig({ LEDGER_TRUSTED_PROXIES: '' }).trustedProxies).toEqual([]);
    expect(
      loadConfig({ LEDGER_TRUSTED_PROXIES: '10.0.0.1, 192.168.0.0/16 ::1,fd00::/8 loopback ::ffff:10.0.0.0/104' }).trustedProxies,
    ).toEqual(['10.0.0.1', '192.168.0.0/16', '::1', 'fd00::/8', 'loopback', '::ffff:10.0.0.0/104']);
  });

  it.each([
    'true',
    '*',
    '10.0.0',
    '10.0.0.0/33',
    '::1/129',
    '10.0.0.0/8/1',
    '10.0.0.0/',
    '10.0.0.0/008',
    'proxy.example',
    '10.0.0.0/255.0.0.0',
    'fe80::1%eth0',
    // Every address of a family: any client could name its own.
    '0.0.0.0/0',
    '::/0',
    '::ffff:0:0/96',
    '::ffff:0.0.0.0/90',
  ])('%s stops the start, naming the variable and the entry', (value) => {
    expect(() => loadConfig({ LEDGER_TRUSTED_PROXIES: `127.0.0.1,${value}` })).toThrow(
      `LEDGER_TRUSTED_PROXIES: not an address, a CIDR range short of every address, loopback, linklocal or uniquelocal: ${JSON.stringify(value)}`,
    );
    // Why: every address is refused as such; anything else is told the forms an entry takes.
    const every = ['0.0.0.0/0', '::/0', '::ffff:0:0/96', '::ffff:0.0.0.0/90'].includes(value);
    expect(() => loadConfig({ LEDGER_TRUSTED_PROXIES: value })).toThrow(
      every
        ? '(trusting every sender would let any client name its own address)'
        : '(each is an address, a range as an address and a prefix length (10.0.0.0/8, not a netmask) or a range name)',
    );
  });
});
