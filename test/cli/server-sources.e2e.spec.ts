// The CLI reading from a real server: a refusal shows the server's problem title and detail, a checkpoint history is
// read to its last page, and the root it prints is written as the checkpoint notes write it.
import { PassThrough } from 'node:stream';
import { readHistory } from '../../src/cli/sources.js';
import { verifyCommand } from '../../src/cli/verify.js';
import { filingBody, principal, startLedger, type LedgerApp } from '../support/ledger-app.js';

describe('the CLI against a server', () => {
  let ledger: LedgerApp;
  let auditor: string;
  let creator: string;
  let vkey: string;

  beforeAll(async () => {
    ledger = await startLedger({ checkpointIntervalMs: 0 }); // a checkpoint after every write
    auditor = (await principal(ledger, 'Audrey', ['auditor'])).key;
    creator = (await principal(ledger, 'Alice', ['creator'])).key;
    for (let i = 0; i < 5; i++) {
      const res = await ledger.http().post('/v1/filings').set('authorization', `Bearer ${creator}`).send(filingBody());
      expect(res.status).toBe(201);
      await ledger.http().get('/v1/ledger/checkpoint'); // signs one on demand: a history of several checkpoints
    }
    vkey = (await ledger.http().get('/v1/ledger/key')).text;
  });
  afterAll(() => ledger.close());

  async function verify(exportKey: string | undefined, checkpoints: string) {
    const out = new PassThrough();
    let text = '';
    out.on('data', (d) => (text += d));
    const code = await verifyCommand(
      { export: `${ledger.url}/v1/ledger/export`, checkpoint: [], checkpoints: [checkpoints], vkey, apiKey: exportKey },
      out,
    ).catch((err: Error) => err);
    return { code, text };
  }

  it('follows nextCursor to the last page of the checkpoint history', async () => {
    const all = (await ledger.http().get('/v1/ledger/checkpoints').query({ limit: 1000 })).body as { items: unknown[]; nextCursor: null };
    expect(all.nextCursor).toBeNull();
    expect(all.items.length).toBeGreaterThanOrEqual(5);
    const firstPage = (await ledger.http().get('/v1/ledger/checkpoints').query({ limit: 2 })).body as { nextCursor: string | null };
    expect(firstPage.nextCursor).not.toBeNull(); // so two a page really takes several pages
    expect(await readHistory(`${ledger.url}/v1/ledger/checkpoints?limit=2`)).toEqual(all.items);

    const { code, text } = await verify(auditor, `${ledger.url}/v1/ledger/checkpoints?limit=2`);
    expect(text).toContain(`${all.items.length} checkpoint(s) verified`);
    expect(code).toBe(0);
  });

  it('prints the root as the checkpoint note writes it (base64), and says so', async () => {
    const note = (await ledger.http().get('/v1/ledger/checkpoint')).text;
    const [, size, root] = note.split('\n');
    expect(root).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    const { code, text } = await verify(auditor, `${ledger.url}/v1/ledger/checkpoints`);
    expect(code).toBe(0);
    expect(text).toContain(`ok: ${size} events in `);
    expect(text).toContain(`; root of those ${size} events ${root} (base64, as in checkpoint notes);`);
  });

  it.each([
    [
      'no key',
      undefined,
      /\/v1\/ledger\/export: HTTP 401 Unauthorized: .+ \(no API key was sent: give one with --key or LEDGER_API_KEY\)$/,
    ],
    ['an unknown key', `slk_${'A'.repeat(43)}`, /\/v1\/ledger\/export: HTTP 401 Unauthorized: .+[a-z]/],
    ["a creator's key", 'creator', /\/v1\/ledger\/export: HTTP 403 Forbidden: .*auditor/],
  ])('a refused export (%s) shows the status, title and detail of the problem', async (_, key, message) => {
    const { code } = await verify(key === 'creator' ? creator : key, `${ledger.url}/v1/ledger/checkpoints`);
    expect(code).toBeInstanceOf(Error);
    expect((code as Error).message).toMatch(message);
    if (key) expect((code as Error).message).not.toContain('no API key was sent');
  });

  it('says when nothing answers at the address', async () => {
    // Port 2: nothing on this machine serves it, no suite listens below 1024, and fetch does not refuse it as a "bad port"
    // (as it does port 1); a port released by a probe here could be taken by another worker's server before the request.
    const port = 2;
    await expect(readHistory(`http://127.0.0.1:${port}/v1/ledger/checkpoints`)).rejects.toThrow(
      `http://127.0.0.1:${port}/v1/ledger/checkpoints?limit=1000: no answer (ECONNREFUSED)`,
    );
  });
});
