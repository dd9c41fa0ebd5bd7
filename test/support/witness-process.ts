// A witness as a separate process of the compiled CLI (`sandbox-ledger witness serve`), for end-to-end tests, and a relay
// in front of one that changes its answers.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:http';
import { connect, createServer as createTcpServer, type AddressInfo, type Socket } from 'node:net';
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

/** A witness's answer to POST /add-checkpoint as relayed: its status, Content-Type and body. */
export interface RelayedAnswer {
  status: number;
  type: string | null;
  body: string;
}

/**
 * A relay in front of a witness, as anyone between the log and a witness reached over plain HTTP could be: every
 * request goes to the witness, and its answer is passed back, or what `rewrite` (when set) makes of it and of the
 * request's body.
 */
export interface WitnessRelay {
  url: string;
  rewrite: ((answer: RelayedAnswer, requestBody: string) => RelayedAnswer) | null;
  close: () => Promise<void>;
}

export async function startWitnessRelay(witnessUrl: string): Promise<WitnessRelay> {
  const relay: WitnessRelay = { url: '', rewrite: null, close: async () => undefined };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (d: Buffer) => chunks.push(d));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString();
      void (async () => {
        try {
          const answered = await fetch(witnessUrl + (req.url ?? '/'), {
            method: req.method,
            body: req.method === 'POST' ? body : undefined,
          });
          let answer: RelayedAnswer = { status: answered.status, type: answered.headers.get('content-type'), body: await answered.text() };
          if (relay.rewrite) answer = relay.rewrite(answer, body);
          res.writeHead(answer.status, answer.type ? { 'content-type': answer.type } : {});
          res.end(answer.body);
        } catch (err) {
          res.writeHead(502).end(String(err));
        }
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  relay.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  relay.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return relay;
}

/**
 * An address that outlives the witness processes behind it: a log configured with it reaches whichever witness process
 * it forwards to now, so a witness restarted on a fresh port is found where the log looks, and no other process on the
 * machine can take the address meanwhile (as one may take a stopped witness's own port). Forwarding to none, it closes
 * each connection as it comes, as a stopped witness's port refuses it.
 */
export interface WitnessAddress {
  url: string;
  /** The witness URL (`http://host:port`) connections go to from now on; null: none. */
  forwardTo: (witnessUrl: string | null) => void;
  close: () => Promise<void>;
}

export async function startWitnessAddress(witnessUrl: string): Promise<WitnessAddress> {
  let target: URL | null = new URL(witnessUrl);
  const open = new Set<Socket>();
  const server = createTcpServer((client) => {
    if (!target) return client.destroy();
    const upstream = connect(Number(target.port), target.hostname);
    for (const socket of [client, upstream]) {
      open.add(socket);
      socket.on('close', () => open.delete(socket));
    }
    client.pipe(upstream).on('error', () => client.destroy());
    upstream.pipe(client).on('error', () => upstream.destroy());
    // Either side gone (the witness stopped): the other goes too, as a connection to the witness itself would.
    client.on('error', () => upstream.destroy()).on('close', () => upstream.destroy());
    upstream.on('error', () => client.destroy()).on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    forwardTo: (url) => {
      target = url === null ? null : new URL(url);
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of open) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
