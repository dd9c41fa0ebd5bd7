// The public page in a real browser against the compiled server with two witnesses (processes of the compiled CLI,
// quorum 2) and a real RFC 3161 TSA (`openssl ts -reply`): a filed work's receipt is verified in the page, witnesses and
// time-stamp included, each named; a token changed by one byte in transit fails the TSA check and the verdict; the
// certificate page says the time-stamps were verified; outside a secure context the page says they were not checked.
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ed25519 } from '@noble/curves/ed25519.js';
import type { Browser } from 'playwright-core';
import { makeTsaCertificates, startOpensslTsa, type OpensslTsa } from '../../src/bench/openssl-tsa.js';
import { formatVkey } from '../../src/verifier/note.js';
import {
  dropFile,
  flipTokenByte,
  launchBrowser,
  openTab,
  receiptVerification,
  rewritePublicReceipts,
  screenshot,
  settledText,
} from '../support/browser.js';
import { registerPrincipal } from '../support/cast.js';
import { startServerAndBrowser, type ConsoleServer } from '../support/console-server.js';
import { call } from '../support/http-client.js';
import { filingBody, tempDir } from '../support/ledger-app.js';
import { startWitnessProcess, type WitnessProcess } from '../support/witness-process.js';
import { zhCN } from '../../web/src/i18n/zh-CN.js';

const ORIGIN = 'witnessed.console.test/log';
const ZONE = '[data-testid=public-file-zone]';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const work = tempDir('ledger-witnessed-web-');
const seed = ed25519.utils.randomSecretKey();
let tsa: OpensslTsa;
let witnesses: WitnessProcess[] = [];
let server: ConsoleServer;
let browser: Browser;
let close: () => Promise<void>;
let file: Buffer;
let fileHash: string;
let filingId: string;
/** The receipt the page is served, as the API gives it once witnessed and time-stamped. */
let receipt: { checkpoint: string; timestamps: Array<{ tsa: string; time: number; token: string }> };

beforeAll(async () => {
  const logVkey = formatVkey(ORIGIN, ed25519.getPublicKey(seed));
  const started = await Promise.allSettled([
    startOpensslTsa('Console Test TSA'),
    ...['w1', 'w2'].map((name) =>
      startWitnessProcess({
        keyFile: join(work, `${name}.key`),
        dataDir: join(work, `${name}-data`),
        name: `witness.test/${name}`,
        logVkeys: [logVkey],
      }),
    ),
  ]);
  if (started[0].status === 'fulfilled') tsa = started[0].value;
  witnesses = started.slice(1).flatMap((s) => (s.status === 'fulfilled' ? [s.value as WitnessProcess] : []));
  const failed = started.find((s) => s.status === 'rejected');
  if (failed) throw (failed as PromiseRejectedResult).reason;
  ({ server, browser, close } = await startServerAndBrowser(launchBrowser, {
    LEDGER_ORIGIN: ORIGIN,
    LEDGER_SIGNING_KEY: Buffer.from(seed).toString('base64'),
    LEDGER_CHECKPOINT_INTERVAL_MS: '300',
    LEDGER_WITNESSES: witnesses.map((w) => `${w.vkey} ${w.url}`).join(','),
    LEDGER_WITNESS_QUORUM: '2',
    LEDGER_TSA_URLS: tsa.url,
    LEDGER_TSA_CA_FILE: tsa.caFile,
    LEDGER_TSA_INTERVAL_S: '1',
  }));
  file = Buffer.concat([Buffer.from('a witnessed and time-stamped work\n'), randomBytes(100_000)]);
  fileHash = createHash('sha256').update(file).digest('hex');
  const creator = await registerPrincipal(server.url, server.adminKey, 'Zhou Min 周敏', ['creator']);
  const filed = await call(server.url, 'POST', '/v1/filings', creator.key, filingBody({ contentHash: fileHash, title: 'Tide pools' }));
  expect(filed.status).toBe(201);
  filingId = filed.json.filingId;
  // Until a checkpoint covering the filing has both witnesses' cosignatures and a TSA token.
  for (const deadline = Date.now() + 60_000; ; await sleep(200)) {
    const res = await call(server.url, 'GET', `/v1/public/content/${fileHash}/receipt`);
    const r = res.json?.receipt;
    const cosigned = (r?.checkpoint ?? '').split('\n').filter((l: string) => l.startsWith('— witness.test/')).length;
    if (res.status === 200 && cosigned === 2 && r.timestamps?.length > 0) {
      receipt = r;
      break;
    }
    if (Date.now() > deadline) throw new Error(`no witnessed, time-stamped receipt: ${res.status} ${JSON.stringify(r)}`);
  }
}, 180_000);

afterAll(async () => {
  await close?.();
  await Promise.all([...witnesses.map((w) => w.stop()), tsa?.close()]);
  rmSync(work, { recursive: true, force: true });
});

/** `2026-12-02 09:42:49 UTC`. */
const utc = (seconds: number) => `${new Date(seconds * 1000).toISOString().slice(0, 19).replace('T', ' ')} UTC`;

const check = (v: { checks: Array<Array<string | null>> }, id: string) => v.checks.find(([c]) => c === id) ?? [];

it("verifies the receipt in the page: signature, inclusion, both witnesses by name, the TSA's token with its name and time", async () => {
  const tab = await openTab(browser, server.url);
  try {
    const { page } = tab;
    await page.goto('/');
    await dropFile(page, ZONE, 'tide-pools.bin', file);
    expect(await settledText(page.getByTestId('verdict'), /^Filed in the ledger\./)).toMatch(/^Filed in the ledger\./);
    const v = await receiptVerification(page);
    expect(v.checks.map(([id, outcome]) => [id, outcome])).toEqual([
      ['entry', 'passed'],
      ['signature', 'passed'],
      ['inclusion', 'passed'],
      ['pq', 'passed'],
      ['witnesses', 'passed'],
      ['tsa', 'passed'],
    ]);
    expect(v.ok).toBe('true');
    expect(check(v, 'witnesses')[2]).toBe('passed 2 witness cosignature(s) verified (witness.test/w1, witness.test/w2); 2 required.');
    const [{ time }] = receipt.timestamps;
    expect(check(v, 'tsa')[2]).toBe(
      `passed 1 RFC 3161 time-stamp(s) verified: signed by Console Test TSA at ${utc(time)}, over this very checkpoint, ` +
        'with a certificate chain to the TSA CA certificate the ledger publishes.',
    );
    await screenshot(page, 'public-witnessed-tsa-en');
    expect(tab.problems).toEqual([]);
  } finally {
    await tab.close();
  }
});

it('says the TSA check and the verification failed when a byte of the token is changed in transit', async () => {
  const tab = await openTab(browser, server.url);
  try {
    const { page } = tab;
    await rewritePublicReceipts(page, (body) => (body.receipt.timestamps[0].token = flipTokenByte(body.receipt.timestamps[0].token)));
    await page.goto('/');
    await dropFile(page, ZONE, 'tide-pools.bin', file);
    const v = await receiptVerification(page);
    expect(v.ok).toBe('false');
    expect(v.text).toContain('Verification FAILED');
    expect(v.checks.map(([id, outcome]) => [id, outcome])).toEqual([
      ['entry', 'passed'],
      ['signature', 'passed'],
      ['inclusion', 'passed'],
      ['pq', 'passed'],
      ['witnesses', 'passed'],
      ['tsa', 'failed'],
    ]);
    expect(check(v, 'tsa')[2]).toMatch(/^FAILED The RFC 3161 time-stamp does not verify: time-stamp 1: /);
    await screenshot(page, 'public-witnessed-tsa-tampered-en');
  } finally {
    await tab.close();
  }
});

it("the auditor's checkpoint monitor verifies the TSA's tokens and names it, and alarms on a token changed in transit", async () => {
  /** Clicks "Check now" until `done` holds (time-stamps come a moment after their checkpoint), at most 30 s. */
  const pollUntil = async (page: import('playwright-core').Page, done: () => Promise<boolean>) => {
    for (const deadline = Date.now() + 30_000; !(await done()); await sleep(300)) {
      if (Date.now() > deadline) return false;
      await page.getByRole('button', { name: 'Check now' }).click();
    }
    return true;
  };
  const tab = await openTab(browser, server.url);
  try {
    const { page } = tab;
    await page.goto('/auditor');
    // The log keeps growing: each poll lists a new checkpoint before its token exists, and the monitor must come back
    // to the ones it listed once their tokens are there.
    const busy = await registerPrincipal(server.url, server.adminKey, 'Busy Creator', ['creator']);
    const stamped = page.getByTestId('monitor-tsa').filter({ hasText: 'Console Test TSA' });
    expect(
      await pollUntil(page, async () => {
        await call(server.url, 'POST', '/v1/filings', busy.key, filingBody());
        return (await stamped.count()) > 0;
      }),
    ).toBe(true);
    const text = (await stamped.first().textContent()) ?? '';
    expect(text).toMatch(/^Console Test TSA · \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC/);
    expect(text).toContain('Tokens verified in this browser');
    await expect(page.getByTestId('monitor-alarm').count()).resolves.toBe(0);
    await screenshot(page, 'auditor-monitor-tsa-en');
    expect(tab.problems).toEqual([]);
  } finally {
    await tab.close();
  }

  // The history's tokens changed by one byte in flight: the first one the monitor checks raises the alarm.
  const altered = await openTab(browser, server.url);
  try {
    const { page } = altered;
    await page.route('**/v1/ledger/checkpoints?**', async (route) => {
      const response = await route.fetch();
      const body = (await response.json()) as { items: Array<{ timestamps?: Array<{ token: string }> }> };
      for (const item of body.items)
        for (const stamp of item.timestamps ?? []) {
          const token = Buffer.from(stamp.token, 'base64');
          token[token.length - 30] ^= 0x01; // inside the TSA's signature
          stamp.token = token.toString('base64');
        }
      await route.fulfill({ response, body: JSON.stringify(body) });
    });
    await page.goto('/auditor');
    const alarm = page.getByTestId('monitor-alarm');
    expect(await pollUntil(page, async () => (await alarm.count()) > 0)).toBe(true);
    expect(await alarm.locator('p').textContent()).toMatch(/^time-stamp: time-stamp 1: /);
    await screenshot(page, 'auditor-monitor-tsa-alarm-en');
  } finally {
    await altered.close();
  }
});

it('the monitor checks time-stamps against a pinned TSA CA: a stranger CA alarms, none pinned leaves them unchecked', async () => {
  const stranger = join(work, 'stranger-ca');
  mkdirSync(stranger, { recursive: true });
  await makeTsaCertificates(stranger, 'Stranger TSA');
  const strangerPem = readFileSync(join(stranger, 'ca.crt'), 'utf8');
  const busy = await registerPrincipal(server.url, server.adminKey, 'Pinning Creator', ['creator']);
  const tab = await openTab(browser, server.url);
  try {
    const { page } = tab;
    /** Files a work and clicks "Check now" until `done` holds (a token comes a moment after its checkpoint), at most 30 s. */
    const pollUntil = async (done: () => Promise<boolean>) => {
      for (const deadline = Date.now() + 30_000; !(await done()); await sleep(300)) {
        if (Date.now() > deadline) return false;
        await call(server.url, 'POST', '/v1/filings', busy.key, filingBody());
        await page.getByRole('button', { name: 'Check now' }).click();
      }
      return true;
    };
    const pin = async (tsaPem: string) => {
      await page.getByRole('button', { name: 'Change the pinned keys…' }).click();
      await page.getByLabel('TSA CA certificates (PEM, optional; time-stamps are checked against them)').fill(tsaPem);
      await page.getByRole('button', { name: 'Pin these keys' }).click();
    };
    await page.goto('/auditor');
    // The served keys pinned with one click: the TSA CA with them, named, and the tokens verified against it.
    await page.getByRole('button', { name: 'Pin the keys served now' }).click();
    const trustedTsa = page.getByTestId('trusted-tsa');
    expect(await settledText(trustedTsa, 'Console Test TSA Root CA')).toBe('Console Test TSA Root CA');
    const stamped = page.getByTestId('monitor-tsa').filter({ hasText: 'Tokens verified in this browser' });
    expect(await pollUntil(async () => (await stamped.count()) > 0)).toBe(true);
    await expect(page.getByTestId('keys-alarm').count()).resolves.toBe(0);

    // Not PEM: refused in the form, nothing pinned.
    await pin('not a certificate');
    expect(await settledText(page.getByTestId('pin-error'), /^TSA CA/)).toBe('TSA CA certificates: no CERTIFICATE in the PEM text');
    await page.getByRole('button', { name: 'Cancel' }).click();

    // Another CA pinned: the served one differs from it, and the first token checked against it raises the alarm.
    await pin(strangerPem);
    expect(await settledText(trustedTsa, 'Stranger TSA Root CA')).toBe('Stranger TSA Root CA');
    const keysAlarm = page.getByTestId('keys-alarm');
    expect(await settledText(keysAlarm.locator('li'), 'the TSA CA certificates differ')).toBe('the TSA CA certificates differ');
    const alarm = page.getByTestId('monitor-alarm');
    expect(await pollUntil(async () => (await alarm.count()) > 0)).toBe(true);
    expect(await alarm.locator('p').textContent()).toMatch(/^time-stamp: time-stamp 1: /);
    await screenshot(page, 'auditor-monitor-tsa-pinned-stranger-en');

    // No CA pinned: the tokens are listed with their times, said to be unchecked; no alarm.
    await pin('');
    expect(await settledText(trustedTsa, 'not pinned: time-stamps are not checked')).toBe('not pinned: time-stamps are not checked');
    const unchecked = page.getByTestId('monitor-tsa').filter({ hasText: 'the pinned keys include no TSA CA certificate' });
    expect(await pollUntil(async () => (await unchecked.count()) > 0)).toBe(true);
    await expect(alarm.count()).resolves.toBe(0);
    await expect(keysAlarm.count()).resolves.toBe(0);

    // One click adds the CA served now to the pin: the tokens are verified against it again.
    await page.getByRole('button', { name: 'Pin the TSA CA served now too' }).click();
    expect(await settledText(trustedTsa, 'Console Test TSA Root CA')).toBe('Console Test TSA Root CA');
    expect(await pollUntil(async () => (await stamped.count()) > 0)).toBe(true);
    await expect(page.getByRole('button', { name: 'Pin the TSA CA served now too' }).count()).resolves.toBe(0);
    expect(tab.problems).toEqual([]);
  } finally {
    await tab.close();
  }
});

it('says on the certificate that the time-stamps were verified in this browser', async () => {
  const tab = await openTab(browser, server.url);
  try {
    const { page } = tab;
    // The receipt carries the latest checkpoint, which the tests before this one grew: its token comes within the TSA's
    // interval, so the page is loaded again until the checkpoint it shows has one (at most 15 s).
    let verified: string | null = null;
    for (const deadline = Date.now() + 15_000; ; await sleep(500)) {
      await page.goto(`/certificate/${filingId}`);
      verified = await settledText(page.getByTestId('cert-verified'), /^✓/);
      if (verified?.includes('time-stamps verified') || Date.now() > deadline) break;
    }
    expect(verified).toContain('log signature, inclusion proof, witness cosignatures and time-stamps verified in this browser');
    expect(verified).toContain('日志签名、包含证明、见证方联署与时间戳已在本浏览器中验证');
    expect(await page.getByTestId('cert-tsa-unchecked').count()).toBe(0);
    await screenshot(page, 'certificate-witnessed-tsa');
    expect(tab.problems).toEqual([]);
  } finally {
    await tab.close();
  }
});

it('says plainly, in Chinese too, that the tokens were not checked where the browser offers no WebCrypto', async () => {
  const tab = await openTab(browser, server.url, 'zh-CN');
  try {
    const { page } = tab;
    // As on plain HTTP from another machine (not a secure context): crypto.subtle is missing.
    await page.addInitScript(() => Object.defineProperty(globalThis.crypto, 'subtle', { value: undefined }));
    await page.goto(`/#sha256=${fileHash}`);
    const v = await receiptVerification(page);
    expect(v.ok).toBe('true');
    expect(check(v, 'tsa').slice(0, 2)).toEqual(['tsa', 'skipped']);
    expect(check(v, 'tsa')[2]).toContain('本页未验证');
    expect(check(v, 'tsa')[2]).toContain('sandbox-ledger verify-receipt --tsa-ca');
    expect(check(v, 'witnesses')[1]).toBe('passed');
    await screenshot(page, 'public-witnessed-tsa-unavailable-zh-CN');
    expect(tab.problems).toEqual([]);
  } finally {
    await tab.close();
  }
});

it("words a token changed in transit in Chinese: the public page's TSA check and the monitor's alarm", async () => {
  const tab = await openTab(browser, server.url, 'zh-CN');
  try {
    const { page } = tab;
    await rewritePublicReceipts(page, (body) => (body.receipt.timestamps[0].token = flipTokenByte(body.receipt.timestamps[0].token)));
    await page.route('**/v1/ledger/checkpoints?**', async (route) => {
      const response = await route.fetch();
      const body = (await response.json()) as { items: Array<{ timestamps?: Array<{ token: string }> }> };
      for (const item of body.items) for (const stamp of item.timestamps ?? []) stamp.token = flipTokenByte(stamp.token);
      await route.fulfill({ response, body: JSON.stringify(body) });
    });
    await page.goto('/');
    await dropFile(page, ZONE, 'tide-pools.bin', file);
    const v = await receiptVerification(page);
    expect(v.ok).toBe('false');
    const tsaCheck = check(v, 'tsa')[2];
    expect(tsaCheck).toMatch(/^失败 RFC 3161 时间戳验证失败：第 1 个时间戳：令牌的签名或证书链验证未通过/);
    expect(tsaCheck).not.toContain('time-stamp 1');
    await screenshot(page, 'public-witnessed-tsa-tampered-zh-CN');

    await page.goto('/auditor');
    const alarm = page.getByTestId('monitor-alarm');
    for (const deadline = Date.now() + 30_000; (await alarm.count()) === 0 && Date.now() < deadline; await sleep(300))
      await page.getByRole('button', { name: zhCN['auditor.monitor.now'] }).click();
    const said = (await alarm.locator('p').textContent()) ?? '';
    expect(said).toMatch(/^时间戳：第 1 个时间戳：令牌的签名或证书链验证未通过/);
    expect(said).not.toContain('time-stamp');
    await screenshot(page, 'auditor-monitor-tsa-alarm-zh-CN');
    expect(tab.problems).toEqual([]);
  } finally {
    await tab.close();
  }
});
