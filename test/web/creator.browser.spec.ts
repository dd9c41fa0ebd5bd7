// The creator page in a real browser against the compiled server: a creator files a work through the form (hashed in
// the page, the prompt hashed in the page, the file uploaded for inspection), sees it in their list, declares labels,
// registers the labelled copy, downloads the receipt; refusals show as the ledger worded them.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { registerPrincipal, type Who } from '../support/cast.js';
import { iTXt, sha256 } from '../support/files.js';
import { call } from '../support/http-client.js';
import { scenePng, withPngChunks } from '../support/images.js';
import { dropFile, launchBrowser, openTab, screenshot, settledText, unreadableFiles } from '../support/browser.js';
import { startServerAndBrowser, type ConsoleServer } from '../support/console-server.js';
import { runCli } from '../support/server-process.js';
import { filingBody } from '../support/ledger-app.js';
import { en } from '../../web/src/i18n/en.js';
import { zhCN } from '../../web/src/i18n/zh-CN.js';

let server: ConsoleServer;
let browser: Browser;
let alice: Who;
let close: (() => Promise<void>) | undefined;
/** The files the CLI is given. */
const cliFiles = mkdtempSync(join(tmpdir(), 'creator-work-'));
beforeAll(async () => {
  ({ server, browser, close } = await startServerAndBrowser(launchBrowser));
  alice = await registerPrincipal(server.url, server.adminKey, 'Alice Chen', ['creator']);
});
afterAll(async () => {
  await close?.();
  rmSync(cliFiles, { recursive: true, force: true });
});

async function signIn(page: Page, key: string) {
  await page.goto('/creator');
  await page.getByLabel('API key (kept in this tab only)').fill(key);
  await page.getByLabel('API key (kept in this tab only)').press('Enter');
  expect(await settledText(page.getByTestId('creator-me'), /Alice Chen/)).toContain(alice.id);
}

/** Chooses a file with the filing form's file input, and waits until the form shows its hash. */
async function chooseHashed(page: Page, name: string, mimeType: string, buffer: Buffer) {
  await page.getByLabel('Choose a file').setInputFiles({ name, mimeType, buffer });
  expect(await settledText(page.getByTestId('creator-file-hash'), sha256(buffer))).toBe(sha256(buffer));
}

/**
 * Sends the form's filing and holds the ledger's answer back: resolves once the filing is on its way, with the call
 * that lets the answer through.
 */
async function fileHeld(page: Page): Promise<() => void> {
  let answer!: () => void;
  const held = new Promise<void>((resolve) => (answer = resolve));
  let sent!: () => void;
  const sending = new Promise<void>((resolve) => (sent = resolve));
  await page.route('**/v1/filings', async (route) => {
    sent();
    await held;
    await route.continue();
  });
  await page.getByRole('button', { name: 'File the work' }).click();
  await sending;
  return answer;
}

it('files a work through the form, shows it in the list, declares labels, registers the labelled copy and downloads the receipt and the evidence bundle', async () => {
  const tab = await openTab(browser, server.url);
  try {
    const { page } = tab;
    await signIn(page, alice.key);
    const work = await scenePng(41, 320, 240);
    const prompt = 'a lighthouse at dusk, oil on canvas, 水墨';
    await dropFile(page, '[data-testid=creator-file-zone]', 'lighthouse.png', work);
    expect(await settledText(page.getByTestId('creator-file-hash'), sha256(work))).toBe(sha256(work));
    // The dropped File has no type here: the creator types it, and the title was taken from the file name.
    await expect(page.getByLabel('Title', { exact: true }).inputValue()).resolves.toBe('lighthouse');
    await page.getByLabel('Title', { exact: true }).fill('Lighthouse at dusk');
    await page.getByLabel('Content type (MIME)').fill('image/png');
    await page.getByLabel('Upload the file for inspection').check();
    await page.getByLabel('Digital source type (IPTC)').selectOption('compositeWithTrainedAlgorithmicMedia');
    await page.getByLabel('Tool name').fill('Stable Diffusion');
    await page.getByLabel('Tool version (optional)').fill('3.5');
    await page.getByLabel('Prompt text').fill(prompt);
    expect(await settledText(page.getByTestId('creator-prompt-hash'), sha256(Buffer.from(prompt)))).toBe(sha256(Buffer.from(prompt)));
    await page.getByLabel('Seed (optional)').fill('18446744073709551615');
    await page.getByLabel('Iterations (optional)').fill('12');
    await page.getByLabel('Your human contribution').fill('Wrote the prompt, chose one of 48 candidates, repainted the sky.');
    // Submitted from the keyboard.
    await page.getByRole('button', { name: 'File the work' }).focus();
    await page.keyboard.press('Enter');
    expect(await settledText(page.getByTestId('creator-filed'), /^Filed: /)).toMatch(/^Filed: [0-9a-f-]{36} \(leaf \d+\)\.$/);
    const filingId = /Filed: ([0-9a-f-]{36})/.exec((await page.getByTestId('creator-filed').textContent())!)![1];

    // The list shows the filing with the hash and title the form sent, and its right.
    const card = page.locator(`[data-testid=filing-card][data-filing-id="${filingId}"]`);
    expect(await settledText(card.getByTestId('filing-title'), 'Lighthouse at dusk')).toBe('Lighthouse at dusk');
    await expect(card.getByTestId('filing-hash').textContent()).resolves.toBe(sha256(work));
    expect(await settledText(card.getByTestId('filing-right'), /^provisional/)).toBe('provisional');
    await expect(card.locator('dt', { hasText: 'Quiet period until' }).count()).resolves.toBe(1);
    await expect(card.getByTestId('filing-quiet-until').textContent()).resolves.toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}/);

    // What the ledger recorded: the prompt's hash (not its text), the typed record, and the uploaded file inspected.
    const filed = await call(server.url, 'GET', `/v1/filings/${filingId}`, alice.key);
    expect(filed.status).toBe(200);
    expect(filed.json).toMatchObject({
      contentHash: sha256(work),
      contentType: 'image/png',
      title: 'Lighthouse at dusk',
      generation: {
        digitalSourceType: 'http://cv.iptc.org/newscodes/digitalsourcetype/compositeWithTrainedAlgorithmicMedia',
        tool: { name: 'Stable Diffusion', version: '3.5' },
        promptHash: sha256(Buffer.from(prompt)),
        seed: '18446744073709551615',
        iterations: 12,
      },
      file: { sniffedType: 'image/png', size: work.length },
      perceptualHash: { source: 'computed' },
    });
    expect(filed.text).not.toContain('lighthouse at dusk, oil');

    expect(await settledText(card.locator('dt').filter({ hasText: /^Labels (declared|due by)$/ }), 'Labels due by')).toBe('Labels due by');
    // Labels declared through the form; the answer's implicit label is what the copy embeds.
    await card.getByRole('button', { name: 'Declare labels' }).click();
    // A name with a space is no code the label can carry: the browser holds the form back, saying why, before the ledger
    // is asked (nothing is declared).
    const producer = card.locator(`#lb-${filingId}-producer`);
    await expect(producer.getAttribute('aria-describedby')).resolves.toBe(`lb-${filingId}-aigc-chars`);
    await expect(card.getByLabel('Service provider’s code (ContentProducer)').count()).resolves.toBe(1);
    await producer.fill('Alice Chen');
    await card.getByLabel('ProduceID').fill('gen-0042');
    await card.getByRole('button', { name: 'Declare labels' }).last().click();
    await expect(producer.evaluate((i) => (i as HTMLInputElement).validationMessage)).resolves.toBe(en['creator.labels.aigcChars']);
    // Said again in the page's language when it changes.
    await page.getByRole('button', { name: '中文' }).click();
    await expect(producer.evaluate((i) => (i as HTMLInputElement).validationMessage)).resolves.toBe(zhCN['creator.labels.aigcChars']);
    await page.getByRole('button', { name: 'English' }).click();
    expect((await call(server.url, 'GET', `/v1/filings/${filingId}`, alice.key)).json.labels.state).toBe('none');
    await screenshot(page, 'creator-labels-held-en');
    await card.getByLabel('ContentProducer').fill('ACME-AI');
    await card.getByLabel('ProduceID').fill('gen-0042');
    await card.getByRole('button', { name: 'Declare labels' }).last().click();
    expect(await settledText(card.getByRole('status'), /Labels declared \(version 1/)).toMatch(/Labels declared \(version 1, leaf \d+\)/);
    const aigcJson = await card.getByLabel('Implicit label to embed in the file').inputValue();
    expect(JSON.parse(aigcJson)).toMatchObject({ Label: '1', ContentProducer: 'ACME-AI', ProduceID: 'gen-0042', PropagateID: filingId });
    const afterLabels = page.locator(`[data-testid=filing-card][data-filing-id="${filingId}"]`);
    expect(await settledText(afterLabels.locator('dd').nth(4), /^declared/)).toBe('declared (tier 2: not yet found in a file)');
    // The right's labels line says when they were declared, no longer the deadline they met.
    const labelsTerm = afterLabels.locator('dt').filter({ hasText: /^Labels (declared|due by)$/ });
    expect(await settledText(labelsTerm, 'Labels declared')).toBe('Labels declared');

    // A copy without the label is refused, worded in the page's language, and nothing is registered.
    await afterLabels.getByRole('button', { name: 'Register a labelled copy' }).click();
    await page.getByRole('button', { name: '中文' }).click();
    const unlabelled = withPngChunks(work, [iTXt('Comment', 'no label here')]);
    await dropFile(page, `[data-testid="copy-${filingId}-zone"]`, 'lighthouse-unlabelled.png', unlabelled);
    await afterLabels.getByRole('button', { name: '登记副本' }).click();
    expect(await settledText(afterLabels.locator('.problem[role=alert]'), /AIGC/)).toBe(
      '账本拒绝了请求：副本没有标识文件中没有指向本存证且格式正确的 AIGC 标识：请原样嵌入账本发放的标识。',
    );
    expect((await call(server.url, 'GET', `/v1/public/content/${sha256(unlabelled)}`)).status).toBe(404);
    await page.getByRole('button', { name: 'English' }).click();

    // The labelled copy registers through the form.
    const copy = withPngChunks(work, [iTXt('AIGC', aigcJson)]);
    await dropFile(page, `[data-testid="copy-${filingId}-zone"]`, 'lighthouse-labelled.png', copy);
    await afterLabels.getByRole('button', { name: 'Register the copy' }).click();
    const registered = await settledText(afterLabels.getByRole('status').last(), /Copy registered/);
    expect(registered).toMatch(
      /^Copy registered at leaf \d+: its perceptual hash is 0 bits from the filed work’s \(at most \d+ allowed\)\. Its SHA-256: /,
    );
    expect(registered).toContain(sha256(copy));
    const lookup = await call(server.url, 'GET', `/v1/public/content/${sha256(copy)}`);
    expect(lookup.json).toMatchObject({ match: 'copy', filingId });

    // The receipt downloads with the tab's key and proves this filing.
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      afterLabels.getByRole('button', { name: 'Download receipt' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe(`receipt-${filingId}.json`);
    const receipt = JSON.parse(readFileSync((await download.path())!, 'utf8'));
    expect(receipt.entry).toMatchObject({ type: 'WorkFiled', data: { filingId, contentHash: sha256(work) } });

    // So does the evidence bundle, which the CLI checks offline against the very file that was filed.
    const [bundle] = await Promise.all([
      page.waitForEvent('download'),
      afterLabels.getByRole('button', { name: 'Download evidence bundle' }).click(),
    ]);
    expect(bundle.suggestedFilename()).toBe(`evidence-${filingId}.json`);
    const workFile = join(cliFiles, 'work.png');
    writeFileSync(workFile, work);
    const checked = await runCli(['verify-evidence', (await bundle.path())!, '--file', workFile], {});
    expect({ code: checked.code, stderr: checked.stderr }).toEqual({ code: 0, stderr: '' });
    expect(checked.stdout).toContain(filingId);
    await screenshot(page, 'creator-filed-en');

    // The certificate opens from the list.
    await afterLabels.getByRole('link', { name: 'Certificate' }).click();
    expect(await settledText(page.getByTestId('cert-hash'), sha256(work))).toBe(sha256(work));
    // The one refusal is the unlabelled copy's.
    expect(tab.problems).toEqual(['console: Failed to load resource: the server responded with a status of 422 (Unprocessable Content)']);
  } finally {
    await tab.close();
  }
});

it("shows the creator's filings and forms in Chinese: status, right, labels, source types and label placements", async () => {
  const work = Buffer.from('一首短诗\n');
  const filed = await call(
    server.url,
    'POST',
    '/v1/filings',
    alice.key,
    filingBody({ contentHash: sha256(work), contentType: 'image/png', title: '短诗' }),
  );
  expect(filed.status).toBe(201);
  // Filed with its file, a text: no image, so no perceptual hash the ledger computed either.
  const { contentHash: _c, perceptualHash: _p, ...meta } = filingBody({ contentType: 'text/plain', title: '长诗' });
  const form = new FormData();
  form.append('metadata', JSON.stringify(meta));
  form.append('file', new Blob([Buffer.from('一首连同文件存证的长诗\n')]), 'poem.txt');
  const uploaded = await fetch(`${server.url}/v1/filings`, {
    method: 'POST',
    headers: { authorization: `Bearer ${alice.key}` },
    body: form,
  });
  expect(uploaded.status).toBe(201);
  const textFiling = ((await uploaded.json()) as { filingId: string }).filingId;
  const tab = await openTab(browser, server.url, 'zh-CN');
  try {
    const { page } = tab;
    await page.goto('/creator');
    await page.getByLabel('API 密钥（仅保存在本标签页）').fill(alice.key);
    await page.getByLabel('API 密钥（仅保存在本标签页）').press('Enter');
    const card = page.locator(`[data-testid=filing-card][data-filing-id="${filed.json.filingId}"]`);
    expect(await settledText(card.getByTestId('filing-right'), '临时')).toBe('临时');
    await expect(card.getByTestId('filing-status').textContent()).resolves.toBe('有效');
    await expect(card.locator('dd').nth(4).textContent()).resolves.toBe('未声明');
    await expect(page.locator('#cf-source option[value=trainedAlgorithmicMedia]').textContent()).resolves.toBe(
      '训练算法生成的媒体（生成式 AI） (trainedAlgorithmicMedia)',
    );
    await card.getByRole('button', { name: '声明标识' }).click();
    await expect(card.locator('.creator-subform legend').first().textContent()).resolves.toBe('AI 生成标识（图片）');
    await expect(card.getByLabel('右下').isChecked()).resolves.toBe(true);
    await screenshot(page, 'creator-zh-CN');
    // Filed by its hash alone: no copy can be compared with it, and the page says so rather than offer the form.
    await card.getByRole('button', { name: zhCN['creator.list.registerCopy'] }).click();
    expect(await settledText(card.getByTestId('copy-needs-file'), /感知哈希/)).toBe(
      zhCN['creator.copy.needsFile'].replace('{upload}', zhCN['creator.file.upload']),
    );
    await expect(card.locator(`[data-testid="copy-${filed.json.filingId}-zone"]`).count()).resolves.toBe(0);
    await screenshot(page, 'creator-copy-needs-file-zh-CN');
    const text = page.locator(`[data-testid=filing-card][data-filing-id="${textFiling}"]`);
    await text.getByRole('button', { name: zhCN['creator.list.registerCopy'] }).click();
    expect(await settledText(text.getByTestId('copy-needs-file'), /感知哈希/)).toBe(zhCN['creator.copy.needsImage']);
    expect(tab.problems).toEqual([]);
  } finally {
    await tab.close();
  }
});

it('keeps the hash of the file chosen last, though a larger one chosen before it is hashed after it', async () => {
  const large = join(cliFiles, 'large-draft.bin');
  writeFileSync(large, Buffer.alloc(24 << 20, 7));
  const tab = await openTab(browser, server.url, 'en-US');
  try {
    const { page } = tab;
    await signIn(page, alice.key);
    const small = Buffer.from('the small final draft\n');
    await page.getByLabel('Choose a file').setInputFiles(large);
    await chooseHashed(page, 'final.txt', 'text/plain', small);
    // The large file's hashing, still under way, ends without a word: the form stays about the file chosen last.
    const largeHash = sha256(readFileSync(large));
    const shown: string[] = [];
    for (let i = 0; i < 50; i++) {
      shown.push((await page.getByTestId('creator-file-hash').textContent()) ?? '');
      await page.waitForTimeout(100);
    }
    expect(shown.filter((h) => h !== sha256(small))).toEqual([]);
    expect(shown).not.toContain(largeHash);
    await expect(page.getByLabel('Title', { exact: true }).inputValue()).resolves.toBe('final');
    expect(tab.problems).toEqual([]);
  } finally {
    await tab.close();
  }
});

it('proposes the title from each file chosen until one is typed, and starts the next filing from an empty form', async () => {
  const tab = await openTab(browser, server.url, 'en-US');
  try {
    const { page } = tab;
    await signIn(page, alice.key);
    const title = page.getByLabel('Title', { exact: true });
    const choose = (name: string, text: string) => chooseHashed(page, name, 'text/plain', Buffer.from(text));
    await choose('first-draft.txt', 'a first draft\n');
    await expect(title.inputValue()).resolves.toBe('first-draft');
    // Another file chosen: the title proposed is its own, not the first file's.
    await choose('second-draft.txt', 'a second draft\n');
    await expect(title.inputValue()).resolves.toBe('second-draft');
    // A title the creator typed stays when yet another file is chosen.
    await title.fill('Songs of the harbour');
    await choose('final.txt', 'the final text\n');
    await expect(title.inputValue()).resolves.toBe('Songs of the harbour');

    await page.getByLabel('Tool name').fill('GPT');
    await page.getByLabel('Prompt text').fill('songs of a harbour town');
    await page.getByLabel('Seed (optional)').fill('7');
    await page.getByLabel('Your human contribution').fill('Wrote every line again.');
    await page.getByRole('button', { name: 'File the work' }).click();
    expect(await settledText(page.getByTestId('creator-filed'), /^Filed: /)).toMatch(/^Filed: /);
    // The next filing is another work: nothing of this one is left in the form, nor its file's name and hash.
    const form = page.locator('form.creator-form');
    for (const label of ['Title', 'Content type (MIME)', 'Tool name', 'Prompt text', 'Seed (optional)', 'Your human contribution'])
      await expect(form.getByLabel(label, { exact: true }).inputValue()).resolves.toBe('');
    await expect(form.locator('.file-name').count()).resolves.toBe(0);
    await expect(page.getByTestId('creator-file-hash').count()).resolves.toBe(0);
    await expect(page.getByRole('button', { name: 'File the work' }).isDisabled()).resolves.toBe(true);
    await screenshot(page, 'creator-after-filing-en');
    // The title typed for that work is not kept either: the next file proposes its own.
    await choose('another-work.txt', 'another work\n');
    await expect(title.inputValue()).resolves.toBe('another-work');
    expect(tab.problems).toEqual([]);
  } finally {
    await tab.close();
  }
});

it('takes the content type from each file chosen until one is typed: none from a file that gives none', async () => {
  const tab = await openTab(browser, server.url, 'en-US');
  try {
    const { page } = tab;
    await signIn(page, alice.key);
    const contentType = page.getByLabel('Content type (MIME)');
    const png = Buffer.from('a picture, as far as its type says\n');
    await chooseHashed(page, 'harbour.png', 'image/png', png);
    await expect(contentType.inputValue()).resolves.toBe('image/png');
    // A file the browser gives no type (File.type is empty): the field is left for the creator to fill, not kept as
    // the first file's, which would file this one as a PNG.
    const untyped = Buffer.from('notes without a type\n');
    await dropFile(page, '[data-testid=creator-file-zone]', 'harbour-notes', untyped);
    expect(await settledText(page.getByTestId('creator-file-hash'), sha256(untyped))).toBe(sha256(untyped));
    await expect(contentType.inputValue()).resolves.toBe('');
    // A type the creator typed stays when another file is chosen, as a typed title does.
    await contentType.fill('text/markdown');
    const other = Buffer.from('another picture\n');
    await chooseHashed(page, 'other.png', 'image/png', other);
    await expect(contentType.inputValue()).resolves.toBe('text/markdown');
    expect(tab.problems).toEqual([]);
  } finally {
    await tab.close();
  }
});

it('keeps a file chosen while the filing was being sent, for the next filing', async () => {
  const tab = await openTab(browser, server.url, 'en-US');
  try {
    const { page } = tab;
    await signIn(page, alice.key);
    const first = Buffer.from('the work being filed\n');
    await chooseHashed(page, 'first.txt', 'text/plain', first);
    await page.getByLabel('Title', { exact: true }).fill('The first work');
    await page.getByLabel('Content type (MIME)').fill('text/markdown');
    await page.getByLabel('Tool name').fill('GPT');
    await page.getByLabel('Prompt text').fill('a first work');
    await page.getByLabel('Your human contribution').fill('Wrote it again.');
    // The ledger's answer held back until the next file is chosen and hashed.
    const answer = await fileHeld(page);
    const next = Buffer.from('the next work, chosen while the first was sent\n');
    await chooseHashed(page, 'next-work.png', 'image/png', next);
    answer();
    expect(await settledText(page.getByTestId('creator-filed'), /^Filed: /)).toMatch(/^Filed: /);
    // The first work's record is gone; the file chosen since, its hash and what it proposes are the next filing's.
    const form = page.locator('form.creator-form');
    await expect(form.locator('.file-name').allTextContents()).resolves.toEqual(['next-work.png']);
    await expect(page.getByTestId('creator-file-hash').textContent()).resolves.toBe(sha256(next));
    await expect(page.getByLabel('Title', { exact: true }).inputValue()).resolves.toBe('next-work');
    await expect(page.getByLabel('Content type (MIME)').inputValue()).resolves.toBe('image/png');
    for (const label of ['Tool name', 'Prompt text', 'Your human contribution'])
      await expect(form.getByLabel(label, { exact: true }).inputValue()).resolves.toBe('');
    await expect(page.getByRole('button', { name: 'File the work' }).isDisabled()).resolves.toBe(false);
    expect(tab.problems).toEqual([]);
  } finally {
    await tab.close();
  }
});

it('keeps what was typed while the filing was being sent, for the next filing, and empties the rest', async () => {
  const tab = await openTab(browser, server.url, 'en-US');
  try {
    const { page } = tab;
    await signIn(page, alice.key);
    const work = Buffer.from('a work whose next one is typed while it is sent\n');
    await chooseHashed(page, 'typed-while-sent.txt', 'text/plain', work);
    const form = page.locator('form.creator-form');
    const field = (label: string) => form.getByLabel(label, { exact: true });
    await field('Tool name').fill('GPT');
    await field('Prompt text').fill('the first prompt');
    await field('Your human contribution').fill('Chose the words.');
    const answer = await fileHeld(page);
    // The next work's tool and title, typed while the first is on its way.
    await field('Tool name').fill('Midjourney');
    await field('Title').fill('The next work');
    answer();
    expect(await settledText(page.getByTestId('creator-filed'), /^Filed: /)).toMatch(/^Filed: /);
    await expect(field('Tool name').inputValue()).resolves.toBe('Midjourney');
    await expect(field('Title').inputValue()).resolves.toBe('The next work');
    for (const label of ['Prompt text', 'Your human contribution']) await expect(field(label).inputValue()).resolves.toBe('');
    await expect(form.locator('.file-name').count()).resolves.toBe(0);
    // A file chosen now does not replace the title typed for it.
    await chooseHashed(page, 'next.txt', 'text/plain', Buffer.from('the next work\n'));
    await expect(field('Title').inputValue()).resolves.toBe('The next work');
    expect(tab.problems).toEqual([]);
  } finally {
    await tab.close();
  }
});

it('says in Chinese that a chosen file could not be read, and leaves it hashing no longer', async () => {
  const tab = await openTab(browser, server.url, 'en-US');
  try {
    const { page } = tab;
    await unreadableFiles(page);
    await signIn(page, alice.key);
    await page.getByRole('button', { name: '中文' }).click();
    await page.getByLabel(zhCN['file.choose']).setInputFiles({ name: 'moved.txt', mimeType: 'text/plain', buffer: Buffer.from('gone\n') });
    const alert = page.locator('.creator-form .problem[role=alert]');
    expect(await settledText(alert, '无法读取该文件（选择后可能已被移动或修改）：请重新选择。')).toBe(
      '无法读取该文件（选择后可能已被移动或修改）：请重新选择。',
    );
    await expect(page.locator('.creator-form [role=status]').count()).resolves.toBe(0);
    await screenshot(page, 'creator-unreadable-file-zh-CN');
    expect(tab.problems).toEqual([]);
  } finally {
    await tab.close();
  }
});

it('says a file removed after it was chosen could not be read when it is uploaded, not that the ledger could not be reached', async () => {
  const gone = join(cliFiles, 'removed-before-upload.png');
  const bytes = await scenePng(57, 64, 48);
  writeFileSync(gone, bytes);
  const tab = await openTab(browser, server.url, 'en-US');
  try {
    const { page } = tab;
    await signIn(page, alice.key);
    await page.getByLabel('Choose a file').setInputFiles(gone);
    expect(await settledText(page.getByTestId('creator-file-hash'), sha256(bytes))).toBe(sha256(bytes));
    await page.getByLabel('Upload the file for inspection').check();
    await page.getByLabel('Tool name').fill('GPT');
    await page.getByLabel('Prompt text').fill('a harbour at night');
    await page.getByLabel('Your human contribution').fill('Chose the colours.');
    const alert = page.locator('.creator-form .problem[role=alert]');
    // The network failing with the file still readable is the ledger out of reach.
    await page.route('**/v1/filings', (route) => route.abort('connectionrefused'));
    await page.getByRole('button', { name: 'File the work' }).click();
    expect(await settledText(alert, en['problem.network'])).toBe(en['problem.network']);
    await page.unroute('**/v1/filings');
    // The file removed since it was chosen: the upload fails in Chromium as the network would, but it is the file.
    rmSync(gone);
    await page.getByRole('button', { name: 'File the work' }).click();
    expect(await settledText(alert, en['problem.unreadableFile'])).toBe(en['problem.unreadableFile']);
    await screenshot(page, 'creator-upload-unreadable-en');
    await page.getByRole('button', { name: '中文' }).click();
    expect(await settledText(alert, zhCN['problem.unreadableFile'])).toBe(zhCN['problem.unreadableFile']);
    const filings = await call(server.url, 'GET', `/v1/filings?creator=${alice.id}&limit=100`, alice.key);
    expect(filings.json.items.map((f: { contentHash: string }) => f.contentHash)).not.toContain(sha256(bytes));
    // What Chromium logs of the two failed requests (its own network error codes), and nothing else.
    expect(tab.problems).toEqual([
      expect.stringMatching(/^console: Failed to load resource: net::ERR_/),
      expect.stringMatching(/^console: Failed to load resource: net::ERR_/),
    ]);
  } finally {
    await tab.close();
  }
});

it('shows a refusal as the ledger worded it and files nothing', async () => {
  const tab = await openTab(browser, server.url, 'zh-CN');
  try {
    const { page } = tab;
    await page.goto('/creator');
    await page.getByRole('button', { name: 'English' }).click();
    await signIn(page, alice.key);
    const before = await call(server.url, 'GET', `/v1/filings?creator=${alice.id}`, alice.key);
    const bytes = Buffer.from('a short poem\n');
    await chooseHashed(page, 'poem.txt', 'text/plain', bytes);
    await expect(page.getByLabel('Content type (MIME)').inputValue()).resolves.toBe('text/plain');
    await page.getByLabel('Content type (MIME)').fill('Text/Plain');
    await page.getByLabel('Tool name').fill('GPT');
    await page.getByLabel('Give its SHA-256').check();
    await page.getByLabel('Prompt SHA-256 (64 hex characters)').fill('ab'.repeat(32));
    await page.getByLabel('Your human contribution').fill('Edited every line.');
    await page.getByRole('button', { name: 'File the work' }).click();
    const alert = page.locator('.creator-form .problem[role=alert]');
    expect(await settledText(alert, /refused/)).toMatch(/^The ledger refused: .*contentType must be a lowercase MIME type/);
    const after = await call(server.url, 'GET', `/v1/filings?creator=${alice.id}`, alice.key);
    expect(after.json.items.length).toBe(before.json.items.length);
    await screenshot(page, 'creator-refused-en');
    expect(tab.problems.filter((p) => !p.includes('400'))).toEqual([]);
  } finally {
    await tab.close();
  }
});

it.each([
  ['an auditor', 'Audrey Auditor', ['auditor'], 'en-US'],
  ['a reviewer', 'Rita Reviewer', ['reviewer'], 'zh-CN'],
] as const)('offers no filing form to %s, whose key has no creator role', async (_who, name, roles, locale) => {
  const other = await registerPrincipal(server.url, server.adminKey, name, [...roles]);
  const tab = await openTab(browser, server.url, locale);
  try {
    const { page } = tab;
    await page.goto('/creator');
    const words = locale === 'zh-CN' ? zhCN : en;
    await page.getByLabel(words['key.label']).fill(other.key);
    await page.getByLabel(words['key.label']).press('Enter');
    expect(await settledText(page.getByTestId('creator-me'), new RegExp(name))).toContain(words['creator.notCreator']);
    // The form the ledger would refuse is not there to fill in: no heading, no file to choose, no button.
    await expect(page.locator('form.creator-form').count()).resolves.toBe(0);
    await expect(page.getByRole('heading', { name: words['creator.file.heading'] }).count()).resolves.toBe(0);
    await expect(page.locator('#creator-file').count()).resolves.toBe(0);
    await screenshot(page, `creator-not-creator-${locale}`);
    expect(tab.problems).toEqual([]);
  } finally {
    await tab.close();
  }
});

it('says the key is refused once a call is refused it: a key revoked while the page was open', async () => {
  const carol = await registerPrincipal(server.url, server.adminKey, 'Carol Chen', ['creator']);
  const spare = await call(server.url, 'POST', '/v1/me/keys', carol.key, {});
  expect(spare.status).toBe(201);
  const tab = await openTab(browser, server.url, 'en-US');
  try {
    const { page } = tab;
    await page.goto('/creator');
    await page.getByLabel('API key (kept in this tab only)').fill(spare.json.key);
    await page.getByLabel('API key (kept in this tab only)').press('Enter');
    expect(await settledText(page.getByTestId('creator-me'), /Carol Chen/)).toContain(carol.id);
    expect(await settledText(page.getByTestId('key-status'), 'A key is in use in this tab.')).toBe('A key is in use in this tab.');
    expect((await call(server.url, 'DELETE', `/v1/me/keys/${spare.json.keyId}`, carol.key)).status).toBe(200);
    // The next call the page makes with it (filing a work) is refused, and the panel says so.
    const bytes = Buffer.from('a poem written after the key was revoked\n');
    await chooseHashed(page, 'poem.txt', 'text/plain', bytes);
    await page.getByLabel('Tool name').fill('GPT');
    await page.getByLabel('Give its SHA-256').check();
    await page.getByLabel('Prompt SHA-256 (64 hex characters)').fill('ab'.repeat(32));
    await page.getByLabel('Your human contribution').fill('Wrote every line.');
    await page.getByRole('button', { name: 'File the work' }).click();
    expect(await settledText(page.locator('.creator-form .problem[role=alert]'), /refused/)).toMatch(/not know this API key/);
    expect(await settledText(page.getByTestId('key-status'), /refused/)).toMatch(/refused/);
    expect(tab.problems.filter((p) => !p.includes('401'))).toEqual([]);
  } finally {
    await tab.close();
  }
});

it('says why a right is suspended, and what lifts the suspension', async () => {
  const bob = await registerPrincipal(server.url, server.adminKey, 'Bob Complainant', ['creator']);
  const rita = await registerPrincipal(server.url, server.adminKey, 'Rita Reviewer', ['reviewer']);
  const ok = async (method: string, path: string, key: string, body?: unknown) => {
    const res = await call(server.url, method, path, key, body);
    expect({ path, status: res.status }).toEqual({ path, status: method === 'POST' && res.status === 201 ? 201 : 200 });
    return res.json;
  };
  const filed = await ok('POST', '/v1/filings', alice.key, filingBody({ title: 'Suspended by a complaint' }));
  const disputeId = (await ok('POST', '/v1/disputes', bob.key, { type: 'infringement', filingId: filed.filingId, claim: 'No labels.' }))
    .disputeId;
  await ok('POST', `/v1/disputes/${disputeId}/assign`, server.adminKey, { reviewerId: rita.id });
  await ok('POST', `/v1/disputes/${disputeId}/response`, alice.key, { statement: 'I will label it.' });
  await ok('POST', `/v1/disputes/${disputeId}/decision`, rita.key, { outcome: 'upheld', remedy: 'suspend', reasoning: 'Unlabelled.' });
  // Appealed and affirmed: final, so the remedy applies now.
  const victor = await registerPrincipal(server.url, server.adminKey, 'Victor Reviewer', ['reviewer']);
  await ok('POST', `/v1/disputes/${disputeId}/appeal`, alice.key, { grounds: 'I was about to label it.' });
  await ok('POST', `/v1/disputes/${disputeId}/appeal-decision`, victor.key, { ruling: 'affirm', reasoning: 'Sound.' });
  expect(await ok('GET', `/v1/rights/${filed.filingId}`, alice.key)).toMatchObject({ status: 'suspended', rule: 'dispute-upheld-suspend' });
  const tab = await openTab(browser, server.url, 'en-US');
  try {
    const { page } = tab;
    await signIn(page, alice.key);
    const card = page.locator(`[data-testid=filing-card][data-filing-id="${filed.filingId}"]`);
    expect(await settledText(card.getByTestId('filing-right'), /^suspended/)).toBe(
      'suspended (a complaint was upheld with a suspension; declaring the labels again lifts it)',
    );
    await page.getByRole('button', { name: '中文' }).click();
    expect(await settledText(card.getByTestId('filing-right'), /^已暂停/)).toBe('已暂停（投诉成立，处以暂停；重新声明标识即可解除）');
  } finally {
    await tab.close();
  }
});
