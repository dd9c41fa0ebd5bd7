// `sandbox-ledger settle` against a stopped server's data dir, and `verify` auditing what it recorded (compiled CLI).
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { computeEventHash, type EventEnvelope } from '../../src/verifier/envelope.js';
import { filingBody, principal, startLedger, tempDir } from '../support/ledger-app.js';
import { runCli } from '../support/server-process.js';

describe('sandbox-ledger settle and verify', () => {
  const dataDir = tempDir('ledger-settle-');
  const work = tempDir('ledger-settle-work-');
  const vkey = join(work, 'vkey');
  const checkpoint = join(work, 'checkpoint');
  let withdrawn: string;

  beforeAll(async () => {
    const ledger = await startLedger({ dataDir, checkpointIntervalMs: 0, settlementIntervalMs: 0 });
    const alice = await principal(ledger, 'Alice', ['creator']);
    const as = (path: string, body: object) => ledger.http().post(path).set('authorization', `Bearer ${alice.key}`).send(body);
    await as('/v1/filings', filingBody());
    withdrawn = (await as('/v1/filings', filingBody())).body.filingId;
    expect((await as(`/v1/filings/${withdrawn}/withdraw`, {})).status).toBe(200);
    writeFileSync(vkey, (await ledger.http().get('/v1/ledger/key')).text);
    writeFileSync(checkpoint, (await ledger.http().get('/v1/ledger/checkpoint')).text);
    await ledger.close();
  });
  afterAll(() => {
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
  });

  it('settles without a server, refuses an earlier instant, and verify audits the record; a forged one fails at its leaf', async () => {
    const env = { LEDGER_DATA_DIR: dataDir, LOG_LEVEL: 'warn' };
    const settled = await runCli(['settle'], env);
    expect(settled.stderr).toBe('');
    expect(settled.code).toBe(0);
    expect(settled.stdout).toMatch(/^settled as of \S+ over \d+ events under policy v1: 1 right\(s\) changed; RightsSettled at leaf (\d+)/);
    expect(settled.stdout).toContain(`${withdrawn} provisional -> withdrawn (filing-withdrawn)`);
    const leaf = Number(/at leaf (\d+)/.exec(settled.stdout)![1]);

    const early = await runCli(['settle', '--as-of', '2020-01-01T00:00:00Z'], env);
    expect({ code: early.code, stderr: early.stderr }).toEqual({
      code: 1,
      stderr: expect.stringMatching(/^settle refused \(settlement-out-of-order\)/),
    });
    expect((await runCli(['settle', '--as-of', 'soon'], env)).code).toBe(2);

    const exported = join(work, 'log.ndjson');
    expect((await runCli(['export', '--out', exported], env)).code).toBe(0);
    const verify = (file: string) => runCli(['verify', '--export', file, '--checkpoint', checkpoint, '--vkey', vkey], {});
    const ok = await verify(exported);
    expect(ok.stdout).toMatch(/^ok: \d+ events .*; 1 settlement\(s\) match the sandbox rules/);
    expect(ok.code).toBe(0);

    const events: EventEnvelope[] = readFileSync(exported, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l));
    const record = events[leaf];
    expect(record.type).toBe('RightsSettled');
    (record.data.changes as Array<Record<string, string>>)[0].to = 'confirmed';
    record.hash = computeEventHash(record);
    const forged = join(work, 'forged.ndjson');
    writeFileSync(forged, events.map((e) => JSON.stringify(e)).join('\n') + '\n');
    const failed = await verify(forged);
    expect(failed.stdout).toMatch(
      new RegExp(
        `^FAILED at leaf ${leaf}: settlement as of \\S+: right ${withdrawn} is recorded as provisional → confirmed .*the rules give provisional → withdrawn`,
      ),
    );
    expect(failed.code).toBe(1);
  });
});
