// The filing certificate in a real browser: anyone with the link sees the filing's hash, time and proof in Chinese and
// English, with a QR code that decodes (from the rendered pixels) to the page that verifies the hash; printed, it is
// one A4 page without the console's navigation.
import jsQRModule from 'jsqr';
import sharp from 'sharp';
import type { Browser, Page } from 'playwright-core';
import { complaintBody, labelsBody, registerPrincipal, revokeByUpheldComplaint, type Who } from '../support/cast.js';
import { call, callOk } from '../support/http-client.js';
import { filingBody } from '../support/ledger-app.js';
import { flipSignature, launchBrowser, openTab, rewritePublicReceipts, screenshot, settledText, settledTitle } from '../support/browser.js';
import { startServerAndBrowser, type ConsoleServer } from '../support/console-server.js';

// jsqr is CommonJS typed as `export default`: imported from ESM, the default is module.exports, whose `default` is the function.
const jsQR = jsQRModule.default;

let server: ConsoleServer;
let browser: Browser;
let alice: Who;
let close: (() => Promise<void>) | undefined;
beforeAll(async () => {
  ({ server, browser, close } = await startServerAndBrowser(launchBrowser));
  alice = await registerPrincipal(server.url, server.adminKey, 'Alice Chen', ['creator']);
});
afterAll(async () => {
  await close?.();
});

async function fileWithLabels(title: string) {
  const body = filingBody({ title });
  const filed = await call(server.url, 'POST', '/v1/filings', alice.key, body);
  expect(filed.status).toBe(201);
  const labels = await call(server.url, 'POST', `/v1/filings/${filed.json.filingId}/labels`, alice.key, labelsBody('gen-cert'));
  expect(labels.status).toBe(201);
  return { filingId: filed.json.filingId as string, contentHash: body.contentHash as string, leafIndex: filed.json.leafIndex as number };
}

/** The QR code as the page drew it, read back from the screenshot's pixels. */
async function decodeQr(page: Page): Promise<string | null> {
  const png = await page.getByTestId('cert-qr').screenshot();
  const { data, info } = await sharp(png).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  return jsQR(new Uint8ClampedArray(data.buffer, data.byteOffset, data.length), info.width, info.height)?.data ?? null;
}

it('shows the filing, its proof and a QR code to the verification page, in Chinese and English, without a key', async () => {
  const { filingId, contentHash, leafIndex } = await fileWithLabels('灯塔 · Lighthouse');
  const tab = await openTab(browser, server.url, 'zh-CN');
  try {
    const { page } = tab;
    await page.goto(`/certificate/${filingId}`);
    expect(await settledText(page.locator('h1'), '存证证书')).toBe('存证证书');
    expect(await settledText(page.getByTestId('cert-hash'), contentHash)).toBe(contentHash);
    await expect(page.getByTestId('cert-filing-id').textContent()).resolves.toBe(filingId);
    await expect(page.getByTestId('cert-title').textContent()).resolves.toBe('灯塔 · Lighthouse');
    expect(await settledTitle(page, '存证证书：灯塔 · Lighthouse · 沙盒存证账本')).toBe('存证证书：灯塔 · Lighthouse · 沙盒存证账本');
    // A visitor without a key is offered another check, not a creator's filings.
    await expect(page.getByRole('link', { name: '查验其他文件' }).getAttribute('href')).resolves.toBe('/');
    await expect(page.getByRole('link', { name: '返回我的存证' }).count()).resolves.toBe(0);
    await expect(page.getByTestId('cert-leaf').textContent()).resolves.toBe(String(leafIndex));
    // A right that stands names its holder, with its status in both languages.
    await expect(page.getByTestId('cert-holder').textContent()).resolves.toBe('Alice Chen');
    await expect(page.getByTestId('cert-right').textContent()).resolves.toBe('临时provisional');
    // The receipt was checked in the page against the ledger's keys; the checkpoint covers the filing. This ledger has no
    // witnesses, and the page claims no cosignature.
    const verified = await settledText(page.getByTestId('cert-verified'), /^✓/);
    expect(verified).toMatch(/^✓ 日志签名与包含证明已在本浏览器中验证/);
    expect(verified).toContain('log signature and inclusion proof verified in this browser');
    expect(verified).not.toMatch(/联署|cosignature/);
    expect(Number(await page.getByTestId('cert-tree-size').textContent())).toBeGreaterThan(leafIndex);
    await expect(page.getByTestId('cert-root').textContent()).resolves.toMatch(/^[0-9a-f]{64}$/);
    // Both languages on the sheet, whatever the switch says.
    const sheet = (await page.locator('.certificate').textContent())!;
    for (const words of ['作品存证证书', 'Certificate of filing', '内容哈希', 'Content hash', '北京时间', 'UTC', '已声明', 'gen-cert'])
      expect(sheet).toContain(words);
    // The label tier with what it means, in both languages.
    expect(sheet).toContain('已声明declared （第 2 级：尚未在文件中找到）');
    expect(sheet).toContain('(tier 2: not yet found in a file)');
    // The IPTC source type in words in both languages, beside its code.
    expect(sheet).toContain('训练算法生成的媒体（生成式 AI）Trained algorithmic media (generative AI) trainedAlgorithmicMedia');
    // The entry the proof is about, named in words beside the filing's own leaf (the reservation is the leaf before it).
    expect(sheet).toContain(
      `the reservation of its content (ContentReserved) at leaf ${leafIndex - 1}, written in the same commit as the filing`,
    );
    expect(sheet).toContain(`其内容的保留记录（ContentReserved），叶序号 ${leafIndex - 1}`);
    // The QR code, decoded from the pixels, is the verification URL printed under it.
    const url = `${server.url}/#sha256=${contentHash}`;
    await expect(page.getByTestId('cert-url').textContent()).resolves.toBe(url);
    expect(await decodeQr(page)).toBe(url);
    await screenshot(page, 'certificate-zh-CN');
    expect(tab.problems).toEqual([]);
  } finally {
    await tab.close();
  }
});

it('prints as one A4 page without the navigation, with the QR code still readable', async () => {
  const { filingId, contentHash } = await fileWithLabels('Print test');
  const tab = await openTab(browser, server.url, 'en-US');
  try {
    const { page } = tab;
    await page.goto(`/certificate/${filingId}`);
    expect(await settledText(page.getByTestId('cert-verified'), /^✓/)).toMatch(/^✓/);
    await expect(page.locator('h1').textContent()).resolves.toBe('Filing certificate');
    await screenshot(page, 'certificate-en');
    // The printable area of A4 with the sheet's 12 mm margins, at 96 CSS pixels per inch: the screenshot shows the paper.
    await page.setViewportSize({ width: Math.round((186 / 25.4) * 96), height: Math.round((273 / 25.4) * 96) });
    await page.emulateMedia({ media: 'print' });
    await expect(page.locator('.site-header').isVisible()).resolves.toBe(false);
    await expect(page.getByRole('button', { name: 'Print or save as PDF' }).isVisible()).resolves.toBe(false);
    await expect(page.getByTestId('cert-hash').isVisible()).resolves.toBe(true);
    expect(await decodeQr(page)).toBe(`${server.url}/#sha256=${contentHash}`);
    await screenshot(page, 'certificate-print');
    const pdf = (await page.pdf({ preferCSSPageSize: true, printBackground: true })).toString('latin1');
    const boxes = [...pdf.matchAll(/\/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]/g)].map((m) => [Number(m[1]), Number(m[2])]);
    // A4 is 595 × 842 points; one page.
    expect(boxes).toHaveLength(1);
    expect(Math.round(boxes[0][0])).toBeGreaterThanOrEqual(595);
    expect(Math.round(boxes[0][0])).toBeLessThanOrEqual(596);
    expect(Math.round(boxes[0][1])).toBeGreaterThanOrEqual(842);
    expect(Math.round(boxes[0][1])).toBeLessThanOrEqual(843);
    expect(tab.problems).toEqual([]);
  } finally {
    await tab.close();
  }
});

it('says a right revoked by an upheld complaint is revoked, and names no holder of it', async () => {
  const { filingId } = await fileWithLabels('Revoked harbour');
  await revokeByUpheldComplaint(server.url, server.adminKey, filingId, alice);
  expect(await callOk(server.url, 'GET', `/v1/rights/${filingId}`, alice.key)).toMatchObject({
    status: 'revoked',
    rule: 'dispute-upheld-revoke',
  });
  // The filing's summary still names Alice: the certificate must not present her as holding the right.
  expect((await call(server.url, 'GET', `/v1/public/filings/${filingId}`)).json.holder).toMatchObject({ name: 'Alice Chen' });
  const tab = await openTab(browser, server.url, 'en-US');
  try {
    const { page } = tab;
    await page.goto(`/certificate/${filingId}`);
    expect(await settledText(page.getByTestId('cert-right'), '已撤销revoked')).toBe('已撤销revoked');
    await expect(page.getByTestId('cert-holder').count()).resolves.toBe(0);
    const sheet = (await page.locator('.certificate').textContent())!;
    expect(sheet).not.toContain('Alice Chen');
    for (const words of ['权利状态', 'Right']) expect(sheet).toContain(words);
    expect(await settledText(page.getByTestId('cert-verified'), /^✓/)).toMatch(/^✓/);
    await screenshot(page, 'certificate-revoked-en');
    expect(tab.problems).toEqual([]);
  } finally {
    await tab.close();
  }
});

it('says a right under an open complaint is disputed, in both languages, as the public check does', async () => {
  const { filingId } = await fileWithLabels('Disputed bridge');
  const carol = await registerPrincipal(server.url, server.adminKey, 'Carol Complainant', ['creator']);
  expect((await call(server.url, 'POST', '/v1/disputes', carol.key, complaintBody(filingId))).status).toBe(201);
  const tab = await openTab(browser, server.url, 'en-US');
  try {
    const { page } = tab;
    await page.goto(`/certificate/${filingId}`);
    expect(await settledText(page.getByTestId('cert-right'), /disputed/)).toBe('临时（存在争议）provisional (disputed)');
    expect(tab.problems).toEqual([]);
  } finally {
    await tab.close();
  }
});

it('says so when there is no such filing', async () => {
  const tab = await openTab(browser, server.url, 'en-US');
  try {
    await tab.page.goto('/certificate/0b6f3c52-1d7e-4a53-9d40-3f1f1b6c2a10');
    const alert = tab.page.locator('.problem[role=alert]');
    expect(await settledText(alert, /refused/)).toMatch(/no filing 0b6f3c52-1d7e-4a53-9d40-3f1f1b6c2a10/);
    await expect(tab.page.locator('.certificate').count()).resolves.toBe(0);
    // The tab says why there is no certificate.
    expect(await settledTitle(tab.page, 'Filing certificate: no such filing · Sandbox Ledger')).toBe(
      'Filing certificate: no such filing · Sandbox Ledger',
    );
  } finally {
    await tab.close();
  }
});

it('says in Chinese that there is no such filing, and that the detail after it is the ledger’s English', async () => {
  const tab = await openTab(browser, server.url, 'zh-CN');
  try {
    await tab.page.goto('/certificate/0b6f3c52-1d7e-4a53-9d40-3f1f1b6c2a10');
    const alert = tab.page.locator('.problem[role=alert]');
    expect(await settledText(alert, /no filing/)).toBe(
      '账本拒绝了请求：没有这个存证账本的英文说明：no filing 0b6f3c52-1d7e-4a53-9d40-3f1f1b6c2a10',
    );
    await screenshot(tab.page, 'certificate-no-such-filing-zh-CN');
  } finally {
    await tab.close();
  }
});

it('says in Chinese that a link whose id is not one is malformed', async () => {
  const tab = await openTab(browser, server.url, 'zh-CN');
  try {
    await tab.page.goto('/certificate/not-an-id');
    const alert = tab.page.locator('.problem[role=alert]');
    expect(await settledText(alert, /UUID/)).toBe('账本拒绝了请求：请求格式有误路径中的 id 必须是 UUID（8-4-4-4-12 位十六进制数字）。');
  } finally {
    await tab.close();
  }
});

it('says why the receipt did not verify in both languages: a checkpoint signature changed in transit', async () => {
  const { filingId } = await fileWithLabels('Tampered proof');
  const tab = await openTab(browser, server.url, 'zh-CN');
  try {
    const { page } = tab;
    await rewritePublicReceipts(page, (body) => (body.receipt.checkpoint = flipSignature(body.receipt.checkpoint)));
    await page.goto(`/certificate/${filingId}`);
    const verified = page.getByTestId('cert-verified');
    expect(await settledText(verified, /^✗/)).toMatch(/^✗/);
    const [zh, en] = await verified.locator('code').allTextContents();
    expect(zh).toMatch(/^\S+\+[0-9a-f]{8} 的签名验证未通过$/);
    expect(en).toMatch(/^signature by \S+\+[0-9a-f]{8} does not verify$/);
    await screenshot(page, 'certificate-failed-zh-CN');
    expect(tab.problems).toEqual([]);
  } finally {
    await tab.close();
  }
});
