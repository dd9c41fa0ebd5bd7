// A real RFC 3161 Time-Stamp Authority for tests and the bench: a throwaway CA and TSA certificate made by `openssl`,
// and a loopback HTTP endpoint that answers each query with `openssl ts -reply`.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface OpensslTsa {
  url: string;
  /** The CA certificate (PEM) the TSA's certificate chains to. */
  caFile: string;
  caPem: string;
  /** Queries answered so far. */
  readonly answered: number;
  /** Numbers (1, 2, …) of the queries `hang` holds unanswered whose client is still waiting (its connection open). */
  readonly held: readonly number[];
  /** `fail`: answer 503; `hang`: never answer; `ok`: answer with `openssl ts -reply`. */
  mode: 'ok' | 'fail' | 'hang';
  close(): Promise<void>;
}

const openssl = (args: string[], cwd: string) => run('openssl', args, { cwd });

/** Creates the CA, the TSA key and certificate (extendedKeyUsage critical timeStamping) in a fresh directory. */
export async function makeTsaCertificates(dir: string, name = 'Test TSA'): Promise<void> {
  writeFileSync(
    join(dir, 'tsa.ext'),
    'basicConstraints = CA:FALSE\nkeyUsage = critical, digitalSignature\nextendedKeyUsage = critical, timeStamping\n',
  );
  writeFileSync(
    join(dir, 'tsa.cnf'),
    [
      '[ tsa ]',
      'default_tsa = tsa_config',
      '[ tsa_config ]',
      `dir = ${dir}`,
      'serial = $dir/serial',
      'crypto_device = builtin',
      'signer_cert = $dir/tsa.crt',
      'certs = $dir/ca.crt',
      'signer_key = $dir/tsa.key',
      'signer_digest = sha256',
      'default_policy = 1.3.6.1.4.1.99999.1',
      'digests = sha256, sha384, sha512',
      'accuracy = secs:1',
      'ordering = no',
      'tsa_name = yes',
      'ess_cert_id_chain = no',
      'ess_cert_id_alg = sha256',
      '',
    ].join('\n'),
  );
  writeFileSync(join(dir, 'serial'), '01\n');
  await openssl(
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      'ca.key',
      '-out',
      'ca.crt',
      '-days',
      '30',
      '-subj',
      `/CN=${name} Root CA`,
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    ],
    dir,
  );
  await openssl(
    [
      'req',
      '-new',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      'tsa.key',
      '-out',
      'tsa.csr',
      '-subj',
      `/CN=${name}`,
    ],
    dir,
  );
  await issueTsaCertificate(dir, 'tsa.crt');
}

/**
 * Issues a certificate for the TSA's key (`tsa.csr` in `dir`, made by makeTsaCertificates) from its CA, with the TSA's
 * extensions and the CA's next serial number, into `out`: another one is another certificate for the same key.
 */
export async function issueTsaCertificate(dir: string, out: string): Promise<void> {
  await openssl(
    [
      'x509',
      '-req',
      '-in',
      'tsa.csr',
      '-CA',
      'ca.crt',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-out',
      out,
      '-days',
      '30',
      '-extfile',
      'tsa.ext',
    ],
    dir,
  );
}

/** Starts the TSA on a loopback port; `close` stops it and removes its files. */
export async function startOpensslTsa(name = 'Test TSA'): Promise<OpensslTsa> {
  const dir = mkdtempSync(join(tmpdir(), 'ledger-tsa-'));
  await makeTsaCertificates(dir, name);
  let answered = 0;
  let seq = 0;
  const hanging = new Map<number, () => void>();
  let received = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const number = ++received;
      if (tsa.mode === 'hang') {
        hanging.set(number, () => res.destroy());
        res.on('close', () => hanging.delete(number));
        return;
      }
      if (tsa.mode === 'fail' || req.method !== 'POST') {
        res.writeHead(503).end();
        return;
      }
      const id = ++seq;
      const query = join(dir, `q${id}.tsq`);
      const reply = join(dir, `r${id}.tsr`);
      writeFileSync(query, Buffer.concat(chunks));
      openssl(['ts', '-reply', '-config', 'tsa.cnf', '-section', 'tsa_config', '-queryfile', query, '-out', reply], dir)
        .then(
          () => {
            answered++;
            res.writeHead(200, { 'content-type': 'application/timestamp-reply' }).end(readFileSync(reply));
          },
          () => res.writeHead(400).end(),
        )
        .finally(() => {
          rmSync(query, { force: true });
          rmSync(reply, { force: true });
        });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  const tsa: OpensslTsa = {
    url: `http://127.0.0.1:${port}/`,
    caFile: join(dir, 'ca.crt'),
    caPem: readFileSync(join(dir, 'ca.crt'), 'utf8'),
    get answered() {
      return answered;
    },
    get held() {
      return [...hanging.keys()];
    },
    mode: 'ok',
    close: async () => {
      for (const drop of [...hanging.values()]) drop();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return tsa;
}
