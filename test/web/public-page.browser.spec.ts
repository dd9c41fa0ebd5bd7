// The public page in a real browser against the compiled server: a dropped file's SHA-256 computed in the page,
// "not filed", then, once filed through the API, its filing and a receipt verified in the page; a receipt changed in
// transit is refused; the Chinese page says the same in Chinese.
import { createHash, randomBytes } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import {
  dropFile,
  flipSignature,
  launchBrowser,
  openTab,
  receiptVerification,
  rewritePublicReceipts,
  screenshot,
  settledText,
  unreadableFiles,
} from '../support/browser.js';
import { registerPrincipal, revokeByUpheldComplaint } from '../support/cast.js';
import { startConsoleServer, type ConsoleServer } from '../support/console-server.js';
import { iTXt, sha256 } from '../support/files.js';
import { call, callOk } from '../support/http-client.js';
import { scenePng, withPngChunks } from '../support/images.js';
import { filingBody } from '../support/ledger-app.js';
import { zhCN } from '../../web/src/i18n/zh-CN.js';

let server: ConsoleServer;
let browser: Browser;
let work: Buffer;
let workHash: string;
let filed: { filingId: string; filedAt: string; leafIndex: number };

beforeAll(async () => {
  [server, browser] = await Promise.all([startConsoleServer(), launchBrowser()]);
  work = Buffer.concat([Buffer.from('a work of the public page test\n'), randomBytes(200_000)]);
  workHash = createHash('sha256').update(work).digest('hex');
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

const ZONE = '[data-testid=public-file-zone]';

/** Types a malformed hash into the hash field and checks it: the page says what a SHA-256 is. The field, for more. */
async function checkMalformedHash(page: Page) {
  const input = page.getByLabel('Or paste a SHA-256 (64 hex digits)');
  await input.fill('zz');
  await page.getByRole('button', { name: 'Check this hash' }).click();
  expect(await settledText(page.locator('#public-hash-error'), 'A SHA-256 is 64 hexadecimal digits.')).toBe(
    'A SHA-256 is 64 hexadecimal digits.',
  );
  return input;
}
/** `2026-12-02 09:42:49`, as the page shows an instant, in UTC or shifted to Beijing time (UTC+8, no daylight saving). */
const shown = (iso: string, hours = 0) => new Date(Date.parse(iso) + hours * 3_600_000).toISOString().slice(0, 19).replace('T', ' ');

it('hashes a dropped file in the page and says it is not filed', async () => {
  const tab = await openTab(browser, server.url);
  try {
    const { page } = tab;
    const uploads: string[] = [];
    page.on('request', (r) => {
      if (r.method() !== 'GET') uploads.push(`${r.method()} ${r.url()}`);
    });
    await page.goto('/');
    await dropFile(page, ZONE, 'work.bin', work);
    expect(await settledText(page.getByTestId('sha256'), workHash)).toBe(workHash);
    const notFiled = 'Not filed: no filing holds this content, and no filing registered it as a labelled copy.';
    expect(await settledText(page.getByTestId('verdict'), notFiled)).toBe(notFiled);
    // The file never left the machine: the page only asked about its hash.
    expect(uploads).toEqual([]);
    await screenshot(page, 'public-not-filed-en');
    expect(tab.problems.filter((p) => !p.includes('status of 404'))).toEqual([]);
  } finally {
    await tab.close();
  }
});

it('lets the page draw while it hashes a large file: the progress bar moves, and the hash is right', async () => {
  // 64 MiB made in the page (not sent through the protocol): a random 1 MiB block 64 times over.
  const block = randomBytes(1 << 20);
  const large = Buffer.concat(Array.from({ length: 64 }, () => block));
  const largeHash = createHash('sha256').update(large).digest('hex');
  const tab = await openTab(browser, server.url);
  try {
    const { page } = tab;
    await page.goto('/');
    await page.locator('#public-file').waitFor({ state: 'attached' });
    // What each animation frame showed of the progress bar from the file's choice until its hash was on the page.
    const frames = await page.evaluate(async (base64) => {
      const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
      const input = document.querySelector<HTMLInputElement>('#public-file')!;
      const dt = new DataTransfer();
      const parts = Array.from({ length: 64 }, () => bytes);
      dt.items.add(new File(parts, 'large.bin'));
      input.files = dt.files;
      const seen: Array<{ value: number; max: number } | null> = [];
      const hashed = new Promise<void>((resolve) => {
        const frame = () => {
          const bar = document.querySelector('progress');
          seen.push(bar ? { value: bar.value, max: bar.max } : null);
          // Stops at the hash, or after a minute's frames should it never come (the assertions below then say so).
          if (document.querySelector('[data-testid=sha256]') || seen.length > 3600) resolve();
          else requestAnimationFrame(frame);
        };
        requestAnimationFrame(frame);
      });
      input.dispatchEvent(new Event('change', { bubbles: true }));
      await hashed;
      return seen;
    }, block.toString('base64'));
    expect(await settledText(page.getByTestId('sha256'), largeHash)).toBe(largeHash);
    const drawn = frames.filter((f) => f !== null);
    expect(drawn.every((f) => f.max === 64 << 20)).toBe(true);
    // Hashed in one go, the bar goes from 0 straight to full: no frame shows it part way. Given turns, the page draws it
    // every few megabytes, never going back.
    const partWay = drawn.filter((f) => f.value > 0 && f.value < f.max);
    expect(partWay.length).toBeGreaterThanOrEqual(5);
    expect(drawn.map((f) => f.value)).toEqual(drawn.map((f) => f.value).sort((x, y) => x - y));
    expect(tab.problems.filter((p) => !p.includes('status of 404'))).toEqual([]);
  } finally {
    await tab.close();
  }
});

it('keeps a hash typed while a file is hashed: the file is left, and its hash never replaces what is typed', async () => {
  const block = randomBytes(1 << 20);
  const tab = await openTab(browser, server.url);
  try {
    const { page } = tab;
    await page.goto('/');
    await page.locator('#public-file').waitFor({ state: 'attached' });
    await page.evaluate((base64) => {
      (window as unknown as { block: Uint8Array<ArrayBuffer> }).block = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
    }, block.toString('base64'));
    // A 192 MiB file made in the page, chosen as the file input's own.
    const choose = () =>
      page.evaluate(() => {
        const bytes = (window as unknown as { block: Uint8Array<ArrayBuffer> }).block;
        const input = document.querySelector<HTMLInputElement>('#public-file')!;
        const dt = new DataTransfer();
        dt.items.add(
          new File(
            Array.from({ length: 192 }, () => bytes),
            'large.bin',
          ),
        );
        input.files = dt.files;
        input.dispatchEvent(new Event('change', { bubbles: true }));
      });
    const largeHash = createHash('sha256')
      .update(Buffer.concat(Array.from({ length: 192 }, () => block)))
      .digest('hex');
    // How long this page takes to hash it whole, to wait past that below.
    const started = Date.now();
    await choose();
    expect(await settledText(page.getByTestId('sha256'), largeHash, 120_000)).toBe(largeHash);
    const hashedIn = Date.now() - started;

    await choose();
    await page.locator('progress').waitFor({ state: 'visible' });
    const typed = sha256(randomBytes(32));
    const field = page.getByLabel('Or paste a SHA-256 (64 hex digits)');
    await field.fill(typed);
    // The file is left: no progress, no result, no name of it.
    await page.locator('progress').waitFor({ state: 'detached' });
    await expect(page.locator(`${ZONE} .file-name`).count()).resolves.toBe(0);
    // Twice as long as the whole file took: its hash, had it gone on, would have replaced the typed one by now.
    await page.waitForTimeout(2 * hashedIn + 1000);
    await expect(field.inputValue()).resolves.toBe(typed);
    await expect(page.getByTestId('sha256').count()).resolves.toBe(0);
    await page.getByRole('button', { name: 'Check this hash' }).click();
    expect(await settledText(page.getByTestId('sha256'), typed)).toBe(typed);
    expect(await settledText(page.getByTestId('verdict'), /^Not filed/)).toMatch(/^Not filed/);
    expect(tab.problems.filter((p) => !p.includes('status of 404'))).toEqual([]);
  } finally {
    await tab.close();
  }
}, 300_000);

it('shows the filing of the same file once filed, with a receipt verified in the page', async () => {
  const creator = await registerPrincipal(server.url, server.adminKey, 'Lin Wei 林薇', ['creator']);
  const res = await call(server.url, 'POST', '/v1/filings', creator.key, filingBody({ contentHash: workHash, title: 'Harbour at dusk' }));
  expect(res.status).toBe(201);
  filed = res.json;
  const tab = await openTab(browser, server.url);
  try {
    const { page } = tab;
    await page.goto('/');
    await dropFile(page, ZONE, 'work.bin', work);
    expect(await settledText(page.getByTestId('verdict'), /^Filed in the ledger\./)).toMatch(/^Filed in the ledger\./);
    const v = await receiptVerification(page);
    expect(v.ok).toBe('true');
    expect(v.checks.map(([id, outcome]) => [id, outcome])).toEqual([
      ['entry', 'passed'],
      ['signature', 'passed'],
      ['inclusion', 'passed'],
      ['pq', 'passed'],
      ['witnesses', 'skipped'],
      ['tsa', 'skipped'],
    ]);
    expect(v.text).toContain(`at position ${filed.leafIndex - 1}, the entry (ContentReserved)`);
    const filing = (await page.getByTestId('filing').textContent())!;
    expect(filing).toContain(filed.filingId);
    expect(await page.getByTestId('holder').textContent()).toBe('Lin Wei 林薇');
    expect(await page.getByTestId('filed-at').textContent()).toBe(`${shown(filed.filedAt)} UTC · ${shown(filed.filedAt, 8)} Beijing time`);
    expect(await page.getByTestId('right').textContent()).toMatch(/^provisional since /);
    // The ContentReserved entry is written in the filing's own commit.
    expect(await page.getByTestId('recorded-at').textContent()).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC · .* Beijing time$/);
    expect(await page.getByTestId('labels').textContent()).toBe('none declared');
    expect(await page.getByTestId('log-key').textContent()).toBe((await call(server.url, 'GET', '/v1/ledger/key')).text.trim());
    await screenshot(page, 'public-filed-en');
    expect(tab.problems).toEqual([]);
  } finally {
    await tab.close();
  }
});

it("clears a checked hash's result when the next hash typed is malformed", async () => {
  const tab = await openTab(browser, server.url);
  try {
    const { page } = tab;
    await page.goto('/');
    const input = page.getByLabel('Or paste a SHA-256 (64 hex digits)');
    await input.fill(workHash);
    await page.getByRole('button', { name: 'Check this hash' }).click();
    expect(await settledText(page.getByTestId('verdict'), /^Filed in the ledger\./)).toMatch(/^Filed in the ledger\./);
    expect((await receiptVerification(page)).ok).toBe('true');
    await checkMalformedHash(page);
    await expect(input.getAttribute('aria-invalid')).resolves.toBe('true');
    // Nothing of the previous hash's answer is left to read as this one's.
    for (const testId of ['sha256', 'verdict', 'filing', 'verification']) await expect(page.getByTestId(testId).count()).resolves.toBe(0);
    await screenshot(page, 'public-malformed-hash-en');
    expect(tab.problems).toEqual([]);
  } finally {
    await tab.close();
  }
});

it('clears a malformed hash’s error when a verification link names another hash', async () => {
  const tab = await openTab(browser, server.url);
  try {
    const { page } = tab;
    await page.goto('/');
    const input = await checkMalformedHash(page);
    await page.evaluate((hash) => (location.hash = `sha256=${hash}`), workHash);
    expect(await settledText(page.getByTestId('verdict'), /^Filed in the ledger\./)).toMatch(/^Filed in the ledger\./);
    await expect(input.inputValue()).resolves.toBe(workHash);
    await expect(page.locator('#public-hash-error').count()).resolves.toBe(0);
    await expect(input.getAttribute('aria-invalid')).resolves.toBe('false');
    expect(tab.problems).toEqual([]);
  } finally {
    await tab.close();
  }
});

it('replaces a malformed hash and clears its error once a file is chosen: the field holds the file’s hash', async () => {
  const tab = await openTab(browser, server.url);
  try {
    const { page } = tab;
    await page.goto('/');
    const input = await checkMalformedHash(page);
    const file = randomBytes(1000);
    await dropFile(page, ZONE, 'other.bin', file);
    expect(await settledText(page.getByTestId('sha256'), sha256(file))).toBe(sha256(file));
    expect(await settledText(page.getByTestId('verdict'), /^Not filed/)).toMatch(/^Not filed/);
    // The error was about the typed hash, not this file: it would read as this file's.
    await expect(page.locator('#public-hash-error').count()).resolves.toBe(0);
    await expect(input.getAttribute('aria-invalid')).resolves.toBe('false');
    // Nor is the malformed text left in the field beside the result of the file: it holds the hash the result is about.
    await expect(input.inputValue()).resolves.toBe(sha256(file));
    await screenshot(page, 'public-file-after-malformed-hash-en');
    expect(tab.problems.filter((p) => !p.includes('status of 404'))).toEqual([]);
  } finally {
    await tab.close();
  }
});

it('no longer names a chosen file once a typed hash or a verification link is checked instead', async () => {
  const tab = await openTab(browser, server.url);
  try {
    const { page } = tab;
    await page.goto('/');
    const fileName = page.locator(`${ZONE} .file-name`);
    const chooseOther = async () => {
      const file = randomBytes(1000);
      await dropFile(page, ZONE, 'other.bin', file);
      expect(await settledText(page.getByTestId('sha256'), sha256(file))).toBe(sha256(file));
      await expect(fileName.allTextContents()).resolves.toEqual(['other.bin']);
    };
    await chooseOther();
    // The result is about the typed hash, not other.bin: the file's name beside it would say it is.
    const typed = sha256(randomBytes(32));
    await page.getByLabel('Or paste a SHA-256 (64 hex digits)').fill(typed);
    await page.getByRole('button', { name: 'Check this hash' }).click();
    expect(await settledText(page.getByTestId('sha256'), typed)).toBe(typed);
    expect(await settledText(page.getByTestId('verdict'), /^Not filed/)).toMatch(/^Not filed/);
    await expect(fileName.count()).resolves.toBe(0);
    await screenshot(page, 'public-typed-hash-after-file-en');
    // So with a malformed hash typed after a file: nothing is checked, and no file is named.
    await chooseOther();
    await checkMalformedHash(page);
    await expect(fileName.count()).resolves.toBe(0);
    // And with a verification link opened after a file was chosen.
    await chooseOther();
    const linked = sha256(randomBytes(32));
    await page.evaluate((hash) => (location.hash = `sha256=${hash}`), linked);
    expect(await settledText(page.getByTestId('sha256'), linked)).toBe(linked);
    expect(await settledText(page.getByTestId('verdict'), /^Not filed/)).toMatch(/^Not filed/);
    await expect(fileName.count()).resolves.toBe(0);
    expect(tab.problems.filter((p) => !p.includes('status of 404'))).toEqual([]);
  } finally {
    await tab.close();
  }
});

it('names no holder of a right revoked by an upheld complaint, in English and in Chinese', async () => {
  const lin = await registerPrincipal(server.url, server.adminKey, 'Lin Revoked', ['creator']);
  const body = filingBody({ title: 'Revoked harbour' });
  const hash = String(body.contentHash);
  const { filingId } = await callOk(server.url, 'POST', '/v1/filings', lin.key, body);
  await revokeByUpheldComplaint(server.url, server.adminKey, filingId, lin);
  // The lookup still names Lin as the holder, beside the right's status: the page must not present Lin as holding it.
  expect((await call(server.url, 'GET', `/v1/public/content/${hash}`)).json).toMatchObject({
    holder: { name: 'Lin Revoked' },
    right: { status: 'revoked' },
  });
  const tab = await openTab(browser, server.url);
  try {
    const { page } = tab;
    await page.goto('/');
    await page.getByLabel('Or paste a SHA-256 (64 hex digits)').fill(hash);
    await page.getByRole('button', { name: 'Check this hash' }).click();
    expect(await settledText(page.getByTestId('right'), /^revoked since /)).toMatch(/^revoked since /);
    await expect(page.getByTestId('holder').textContent()).resolves.toBe('—');
    expect(await page.getByTestId('filing').textContent()).not.toContain('Lin Revoked');
    expect((await receiptVerification(page)).ok).toBe('true');
    await screenshot(page, 'public-revoked-en');
    await page.getByRole('button', { name: '中文' }).click();
    expect(await settledText(page.getByTestId('right'), /^已撤销/)).toMatch(/^已撤销/);
    await expect(page.getByTestId('holder').textContent()).resolves.toBe('—');
    expect(await page.getByTestId('filing').textContent()).not.toContain('Lin Revoked');
    await screenshot(page, 'public-revoked-zh-CN');
    expect(tab.problems).toEqual([]);
  } finally {
    await tab.close();
  }
});

it('looks up the content a verification link names (the certificate QR code: /#sha256=<hash>)', async () => {
  const tab = await openTab(browser, server.url);
  try {
    const { page } = tab;
    await page.goto(`/#sha256=${workHash.toUpperCase()}`);
    expect(await settledText(page.getByTestId('verdict'), /^Filed in the ledger\./)).toMatch(/^Filed in the ledger\./);
    expect(await page.getByTestId('sha256').textContent()).toBe(workHash);
    expect((await page.getByTestId('filing').textContent())!).toContain(filed.filingId);
    expect((await receiptVerification(page)).ok).toBe('true');
    expect(tab.problems).toEqual([]);
  } finally {
    await tab.close();
  }
});

it.each([
  [
    'a byte of the inclusion proof',
    'inclusion',
    (r: any) => (r.receipt.inclusionProof.hashes[0] = flip(r.receipt.inclusionProof.hashes[0])),
  ],
  [
    'a byte of the entry',
    'inclusion',
    (r: any) =>
      (r.receipt.entry.recordedAt = r.receipt.entry.recordedAt.replace(/\d(?=\.\d+Z$|Z$)/, (d: string) => String((Number(d) + 1) % 10))),
  ],
  ["a byte of the checkpoint's signature", 'signature', (r: any) => (r.receipt.checkpoint = flipSignature(r.receipt.checkpoint))],
  ['the content hash the entry names', 'entry', (r: any) => (r.receipt.entry.data.contentHash = flip(r.receipt.entry.data.contentHash))],
])('says verification failed when %s is changed in transit', async (what, failedCheck, tamper) => {
  const tab = await openTab(browser, server.url);
  try {
    const { page } = tab;
    await rewritePublicReceipts(page, tamper);
    await page.goto('/');
    await dropFile(page, ZONE, 'work.bin', work);
    const v = await receiptVerification(page);
    expect(v.ok).toBe('false');
    expect(v.text).toContain('Verification FAILED');
    expect(v.checks.at(-1)!.slice(0, 2)).toEqual([failedCheck, 'failed']);
    if (failedCheck === 'signature') await screenshot(page, 'public-tampered-en');
  } finally {
    await tab.close();
  }
});

it("says a dropped labelled copy is one, names the filed content, and verifies the copy's own receipt", async () => {
  const creator = await registerPrincipal(server.url, server.adminKey, 'Copy Maker', ['creator']);
  const auth = { authorization: `Bearer ${creator.key}` };
  const original = await scenePng(78, 320, 240);
  const { contentHash: _c, perceptualHash: _p, ...meta } = filingBody({ title: 'Labelled harbour' });
  const form = new FormData();
  form.append('metadata', JSON.stringify(meta));
  form.append('file', new Blob([original]), 'work.png');
  const filedRes = await fetch(`${server.url}/v1/filings`, { method: 'POST', headers: auth, body: form });
  expect(filedRes.status).toBe(201);
  const filingId = ((await filedRes.json()) as { filingId: string }).filingId;
  const declared = await call(server.url, 'POST', `/v1/filings/${filingId}/labels`, creator.key, {
    explicit: { text: 'AI生成', placement: ['bottom-right'], textHeightRatio: 0.06 },
    implicit: { AIGC: { Label: '1', ContentProducer: 'ACME-AI', ProduceID: 'gen-1', ReservedCode1: '', ReservedCode2: '' } },
  });
  expect(declared.status).toBe(201);
  const copy = withPngChunks(original, [iTXt('AIGC', declared.json.aigcJson)]);
  const copyForm = new FormData();
  copyForm.append('file', new Blob([new Uint8Array(copy)]), 'copy.png');
  expect((await fetch(`${server.url}/v1/filings/${filingId}/copies`, { method: 'POST', headers: auth, body: copyForm })).status).toBe(201);

  const tab = await openTab(browser, server.url);
  try {
    const { page } = tab;
    await page.goto('/');
    await dropFile(page, ZONE, 'copy.png', copy);
    const copyVerdict = 'This file is a registered labelled copy of a filed work.';
    expect(await settledText(page.getByTestId('verdict'), copyVerdict)).toBe(copyVerdict);
    expect(await page.getByTestId('sha256').textContent()).toBe(sha256(copy));
    const filing = (await page.getByTestId('filing').textContent())!;
    expect(filing).toContain(filingId);
    expect(filing).toContain(`Filed content (SHA-256)${sha256(original)}`);
    expect(filing).toContain('Copy registered at');
    const v = await receiptVerification(page);
    expect(v.ok).toBe('true');
    expect(v.checks[0].slice(0, 2)).toEqual(['entry', 'passed']);
    expect(v.checks[0][2]).toContain("The logged entry (CopyRegistered) names exactly this file's SHA-256 and this filing.");
    await screenshot(page, 'public-copy-en');
    expect(tab.problems).toEqual([]);
  } finally {
    await tab.close();
  }
});

it('says it all in Chinese on the zh-CN page', async () => {
  const tab = await openTab(browser, server.url, 'zh-CN');
  try {
    const { page } = tab;
    await page.goto('/');
    expect(await settledText(page.locator('h1'), '这个文件是否已存证？')).toBe('这个文件是否已存证？');
    await dropFile(page, ZONE, 'work.bin', work);
    expect(await settledText(page.getByTestId('verdict'), /^已在账本中存证。/)).toMatch(/^已在账本中存证。/);
    const v = await receiptVerification(page);
    expect(v.ok).toBe('true');
    expect(v.text).toContain('回执已在本浏览器中验证通过');
    expect(await page.getByTestId('filed-at').textContent()).toBe(
      `${shown(filed.filedAt)} 协调世界时 · ${shown(filed.filedAt, 8)} 北京时间`,
    );
    expect(await page.getByTestId('right').textContent()).toMatch(/^临时/);
    await screenshot(page, 'public-filed-zh-CN');
    expect(tab.problems).toEqual([]);
  } finally {
    await tab.close();
  }
});

it('says in Chinese, not as a refusal, that a file could not be read, or what failed in the browser', async () => {
  const tab = await openTab(browser, server.url, 'zh-CN');
  try {
    const { page } = tab;
    await unreadableFiles(page);
    await page.goto('/');
    await dropFile(page, ZONE, 'moved.bin', work);
    const alert = page.getByRole('alert');
    expect(await settledText(alert, '无法读取该文件（选择后可能已被移动或修改）：请重新选择。')).toBe(
      '无法读取该文件（选择后可能已被移动或修改）：请重新选择。',
    );
    await screenshot(page, 'public-unreadable-file-zh-CN');
    // An answer the browser cannot read (not JSON): its English error is said to be the browser's, under a Chinese heading.
    await page.route('**/v1/public/content/*', (route) => route.fulfill({ status: 200, contentType: 'application/json', body: '<html>' }));
    await page.getByLabel(zhCN['public.hashLabel']).fill(sha256(work));
    await page.getByRole('button', { name: zhCN['public.hashCheck'] }).click();
    expect(await settledText(alert.locator('strong'), '本浏览器中的操作失败。')).toBe('本浏览器中的操作失败。');
    await expect(alert.locator('p').textContent()).resolves.toMatch(/^浏览器的英文说明：.*JSON/);
    await expect(alert.textContent()).resolves.not.toContain('账本拒绝了请求');
    await screenshot(page, 'public-browser-failure-zh-CN');
    expect(tab.problems).toEqual([]);
  } finally {
    await tab.close();
  }
});

it('words a failed check in Chinese: a checkpoint whose signature was changed in transit', async () => {
  const tab = await openTab(browser, server.url, 'zh-CN');
  try {
    const { page } = tab;
    await rewritePublicReceipts(page, (body) => (body.receipt.checkpoint = flipSignature(body.receipt.checkpoint)));
    await page.goto('/');
    await dropFile(page, ZONE, 'work.bin', work);
    const v = await receiptVerification(page);
    expect(v.ok).toBe('false');
    const [id, outcome, text] = v.checks.at(-1)!;
    expect([id, outcome]).toEqual(['signature', 'failed']);
    expect(text).toMatch(/^失败 检查点签名验证失败：\S+\+[0-9a-f]{8} 的签名验证未通过$/);
    expect(text).not.toMatch(/signature|does not verify/);
    await screenshot(page, 'public-tampered-zh-CN');
    expect(tab.problems).toEqual([]);
  } finally {
    await tab.close();
  }
});

/** The hex string with its first digit changed. */
function flip(hex: string): string {
  return (hex[0] === '0' ? '1' : '0') + hex.slice(1);
}
