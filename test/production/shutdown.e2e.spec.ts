// Closing the server (SIGTERM) loses no request: a request it had taken is answered, with an answer that closes its
// connection, before the stores close; a request that arrives once the close began, on a kept-alive connection, is
// refused in the API's problem form (503 shutting-down with Retry-After) and its connection closed. On SQLite, and on
// PostgreSQL with TEST_DATABASE_URL, whose key lookups are batched pool reads that close with their module.
import { connect, type Socket } from 'node:net';
import { rmSync } from 'node:fs';
import { callOk } from '../support/http-client.js';
import { strongKey, tempDir } from '../support/ledger-app.js';
import { dropSchema, freshSchema, skipWithoutDatabase, testDatabaseUrl } from '../support/pg-schema.js';
import { startServerProcess, type ServerProcess } from '../support/server-process.js';
import { sleep } from '../support/stress.js';

interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** One kept-alive connection to the server: requests written as bytes (one may be sent in pieces), answers read one at a time. */
class Connection {
  private received = Buffer.alloc(0);
  private ended = false;
  private arrived: () => void = () => undefined;
  /** Resolves once the server has closed the connection. */
  readonly closed: Promise<void>;

  private constructor(private readonly socket: Socket) {
    socket.on('data', (data: Buffer) => {
      this.received = Buffer.concat([this.received, data]);
      this.arrived();
    });
    this.closed = new Promise((resolve) =>
      socket.on('close', () => {
        this.ended = true;
        this.arrived();
        resolve();
      }),
    );
    socket.on('error', () => undefined); // a reset shows as the close
  }

  static open(url: string): Promise<Connection> {
    const { hostname, port } = new URL(url);
    return new Promise((resolve, reject) => {
      const socket = connect(Number(port), hostname, () => resolve(new Connection(socket)));
      socket.once('error', reject);
    });
  }

  write(bytes: string): void {
    this.socket.write(bytes);
  }

  /** The next answer on the connection (an interim 100 Continue is one), once all of it has arrived. */
  async answer(): Promise<Answer> {
    for (;;) {
      const end = this.received.indexOf('\r\n\r\n');
      if (end >= 0) {
        const [statusLine, ...lines] = this.received.subarray(0, end).toString('latin1').split('\r\n');
        const headers = Object.fromEntries(
          lines.map((line) => [line.slice(0, line.indexOf(':')).trim().toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]),
        );
        const length = Number(headers['content-length'] ?? 0);
        if (this.received.length >= end + 4 + length) {
          const body = this.received.subarray(end + 4, end + 4 + length).toString('utf8');
          this.received = this.received.subarray(end + 4 + length);
          return { status: Number(statusLine.split(' ')[1]), headers, body };
        }
      }
      if (this.ended) throw new Error(`the connection closed before an answer; received ${JSON.stringify(this.received.toString())}`);
      await new Promise<void>((resolve) => (this.arrived = resolve));
    }
  }
}

const request = (method: string, path: string, headers: Record<string, string> = {}) =>
  `${method} ${path} HTTP/1.1\r\nHost: ledger\r\n${Object.entries(headers)
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('')}`;

/** Once the server has logged that it is closing (the close itself begins right after). */
async function closing(server: ServerProcess): Promise<void> {
  while (!server.output().includes('"message":"SIGTERM: closing"')) await sleep(20);
}

/** The exit status, or 'still running' after 30 s: far less than the 72 s a kept-alive connection may idle. */
const exitStatus = (server: ServerProcess) => Promise.race([server.exited, sleep(30_000).then(() => 'still running')]);

/** `storeEnv` gives the variables of a new ledger's store (each test has its own ledger). */
function closingSuite(store: string, storeEnv: () => Record<string, string>) {
  describe(`closing the server (${store})`, () => {
    const dirs: string[] = [];
    const servers: ServerProcess[] = [];
    /** A new ledger, and how to start a server of it. */
    const ledger = () => {
      const dataDir = tempDir('ledger-closing-');
      dirs.push(dataDir);
      const env = { LEDGER_DATA_DIR: dataDir, LEDGER_BOOTSTRAP_ADMIN_KEY: strongKey(), ...storeEnv() };
      return {
        adminKey: env.LEDGER_BOOTSTRAP_ADMIN_KEY,
        start: async () => {
          const server = await startServerProcess(env);
          servers.push(server);
          return server;
        },
      };
    };
    afterAll(() => {
      for (const server of servers) if (server.child.exitCode === null) server.child.kill('SIGKILL');
      for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    });

    it('a request that arrives on a kept-alive connection once the close began is refused 503 shutting-down, as a problem with Retry-After, and its connection closed', async () => {
      const server = await ledger().start();
      const connection = await Connection.open(server.url);
      connection.write(`${request('GET', '/health')}\r\n`);
      expect((await connection.answer()).status).toBe(200);

      // The next request's headers are not all there yet when the close begins: the connection is in use, not idle.
      connection.write(request('GET', '/health'));
      server.child.kill('SIGTERM');
      await closing(server);
      connection.write('\r\n');
      const refused = await connection.answer();
      expect(refused.status).toBe(503);
      expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(refused.headers['retry-after']).toBe('1');
      expect(refused.headers.connection).toBe('close');
      expect(JSON.parse(refused.body)).toEqual({
        type: 'urn:sandbox-ledger:problem:shutting-down',
        title: 'Service Unavailable',
        status: 503,
        detail: expect.stringContaining('shutting down'),
      });
      await connection.closed;
      expect(await exitStatus(server)).toBe(0);
      expect(server.output()).toContain('"message":"closed"');
    }, 300_000);

    it('a request taken before the close began is answered and kept, its connection closed after it, and the server exits without waiting for the connection to idle out', async () => {
      const { adminKey, start } = ledger();
      const server = await start();
      // A key this server has never looked up: the request reads it from the read models once its body has arrived.
      const late = await callOk(server.url, 'POST', '/v1/principals', adminKey, { name: 'Late', roles: ['creator'] });
      const connection = await Connection.open(server.url);
      const headers = { authorization: `Bearer ${late.apiKey.key}`, 'content-type': 'application/json', 'content-length': '2' };
      connection.write(`${request('POST', '/v1/me/keys', { ...headers, expect: '100-continue' })}\r\n{`);
      // The server has read the request's headers and taken it: it asks for the body (which has half arrived).
      expect((await connection.answer()).status).toBe(100);
      server.child.kill('SIGTERM');
      await closing(server);
      await sleep(500); // the rest of the body comes a while after the close began
      connection.write('}');
      const issued = await connection.answer();
      expect([issued.status, issued.body]).toEqual([201, expect.stringContaining('"keyId"')]);
      expect(issued.headers.connection).toBe('close');
      await connection.closed;
      expect(await exitStatus(server)).toBe(0);

      // What was answered is in the ledger: the key issued works once the server is back.
      const again = await start();
      const { key, keyId } = JSON.parse(issued.body) as { key: string; keyId: string };
      const me = await callOk(again.url, 'GET', '/v1/me', key);
      expect(me.keys.map((k: { keyId: string }) => k.keyId)).toContain(keyId);
      again.child.kill('SIGTERM');
      expect(await exitStatus(again)).toBe(0);
    }, 300_000);
  });
}

closingSuite('SQLite', () => ({}));

if (!testDatabaseUrl) skipWithoutDatabase('closing the server (PostgreSQL)');
else {
  const schemas: string[] = [];
  afterAll(() => Promise.all(schemas.map((schema) => dropSchema(schema))));
  closingSuite('PostgreSQL', () => {
    const schema = freshSchema('test_closing');
    schemas.push(schema);
    return { LEDGER_STORE: 'postgres', DATABASE_URL: testDatabaseUrl!, LEDGER_DATABASE_SCHEMA: schema };
  });
}
