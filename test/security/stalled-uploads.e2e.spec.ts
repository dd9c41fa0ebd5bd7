// An upload whose client stops sending holds one of the places among the files inspected at a time only until no byte
// has come for LEDGER_UPLOAD_IDLE_MS: it is then refused 408 request-timeout, and the uploads waiting behind it go on.
import { connect, type Socket } from 'node:net';
import { principal, startLedger, type LedgerApp } from '../support/ledger-app.js';

const IDLE_MS = 400;
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

describe('a stalled upload', () => {
  let ledger: LedgerApp;
  let alice: { key: string };
  let bob: { key: string };
  const sockets: Socket[] = [];

  beforeAll(async () => {
    ledger = await startLedger({ inspectionConcurrency: 1, uploadIdleMs: IDLE_MS });
    alice = await principal(ledger, 'Alice', ['creator']);
    bob = await principal(ledger, 'Bob', ['creator']);
  });
  afterAll(async () => {
    for (const s of sockets) s.destroy();
    await ledger.close();
  });

  /** Sends the start of a 1 MB upload to /v1/inspect and then nothing more; resolves with everything the server answers. */
  function stalledUpload(key: string): Promise<string> {
    const { port } = new URL(ledger.url);
    const socket = connect(Number(port), '127.0.0.1');
    sockets.push(socket);
    const part = Buffer.concat([
      Buffer.from('--XB\r\ncontent-disposition: form-data; name="file"; filename="a.png"\r\ncontent-type: image/png\r\n\r\n'),
      PNG_SIGNATURE,
      Buffer.alloc(100),
    ]);
    socket.write(
      `POST /v1/inspect HTTP/1.1\r\nhost: 127.0.0.1\r\nauthorization: Bearer ${key}\r\n` +
        `content-type: multipart/form-data; boundary=XB\r\ncontent-length: 1000000\r\n\r\n`,
    );
    socket.write(part);
    return new Promise((resolve) => {
      let answer = '';
      socket.on('data', (d: Buffer) => (answer += d.toString('latin1')));
      socket.on('close', () => resolve(answer));
      socket.on('end', () => resolve(answer));
      // The answer is complete once its body is: the server need not close the connection.
      socket.on('data', () => {
        const [head, body] = answer.split('\r\n\r\n');
        const length = /content-length: (\d+)/i.exec(head ?? '');
        if (length && body !== undefined && Buffer.byteLength(body) >= Number(length[1])) resolve(answer);
      });
    });
  }

  it('is refused 408 request-timeout as a problem once no byte has come for the idle limit, and the upload behind it goes on', async () => {
    const before = await ledger.store.count();
    const stalled = stalledUpload(alice.key);
    await new Promise((resolve) => setTimeout(resolve, 150)); // the stalled upload takes the one place first
    // Bob's file waits for that place, which the stalled upload held for ever before the idle limit.
    const bobs = await ledger
      .http()
      .post('/v1/inspect')
      .set('authorization', `Bearer ${bob.key}`)
      .attach('file', Buffer.from('plain text, not an image'), 'note.txt');
    expect(bobs.status).toBe(200);
    expect(bobs.body).toMatchObject({ size: 24 });

    const answer = await stalled;
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
    expect(answer).toMatch(/content-type: application\/problem\+json/i);
    const body = JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4)) as Record<string, unknown>;
    expect(body).toMatchObject({
      type: 'urn:sandbox-ledger:problem:request-timeout',
      status: 408,
      detail: `no bytes of the file arrived for ${IDLE_MS} ms`,
    });
    expect(await ledger.store.count()).toBe(before);
  });

  it('a request that trickles in is answered 408 request-timeout and its connection closed once LEDGER_REQUEST_TIMEOUT_MS has passed', async () => {
    const trickling = await startLedger({ requestTimeoutMs: 1000 });
    try {
      const socket = connect(Number(new URL(trickling.url).port), '127.0.0.1');
      sockets.push(socket);
      socket.write(
        `POST /v1/filings HTTP/1.1\r\nhost: 127.0.0.1\r\nauthorization: Bearer ${'k'.repeat(48)}\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n{`,
      );
      const drip = setInterval(() => socket.writable && socket.write(' '), 200);
      const answer = await new Promise<string>((resolve) => {
        let text = '';
        socket.on('data', (d: Buffer) => (text += d.toString('latin1')));
        socket.on('close', () => resolve(text));
      }).finally(() => clearInterval(drip));
      expect(answer).toMatch(/^HTTP\/1\.1 408 /);
      expect(answer).toMatch(/content-type: application\/problem\+json/i);
      expect(JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4))).toMatchObject({
        type: 'urn:sandbox-ledger:problem:request-timeout',
        status: 408,
      });
    } finally {
      await trickling.close();
    }
  }, 20_000);
});
