// The console in a real browser (Debian's Chromium) against the compiled server: every route renders, the language
// switch works and is remembered, the page hashes a dropped file itself, and no page breaks its CSP.
import { createHash, randomBytes } from 'node:crypto';
import type { Browser } from 'playwright-core';
import { dropFile, launchBrowser, openTab, screenshot, settledText, settledTitle } from '../support/browser.js';
import { startConsoleServer, type ConsoleServer } from '../support/console-server.js';

let server: ConsoleServer;
let browser: Browser;
beforeAll(async () => {
  [server, browser] = await Promise.all([startConsoleServer(), launchBrowser()]);
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

const PAGES: Array<[string, string, string]> = [
  ['public', '/', 'Is this file filed?'],
  ['creator', '/creator', 'Creator'],
  ['reviewer', '/reviewer', 'Disputes'],
  ['auditor', '/auditor', 'Auditor'],
  ['certificate', '/certificate/0b6f3c52-1d7e-4a53-9d40-3f1f1b6c2a10', 'Filing certificate'],
];

it.each(PAGES)('the %s page (%s) loads by its URL with its heading and the shared navigation', async (name, path, heading) => {
  const tab = await openTab(browser, server.url);
  try {
    await tab.page.goto(path);
    expect(await settledText(tab.page.locator('h1'), heading)).toBe(heading);
    await expect(tab.page.getByRole('navigation').getByRole('link').count()).resolves.toBe(5);
    await screenshot(tab.page, `layout-${name}-en`);
    // The certificate of a filing that does not exist is the ledger's 404, which the browser logs.
    expect(tab.problems.filter((p) => name !== 'certificate' || !p.includes('404'))).toEqual([]);
  } finally {
    await tab.close();
  }
});

it('navigates between pages in the page and by keyboard, and keeps the API key in the tab only', async () => {
  const tab = await openTab(browser, server.url);
  try {
    const { page } = tab;
    await page.goto('/');
    const before = await page.evaluate(() => performance.getEntriesByType('navigation').length);
    await page.getByRole('link', { name: 'Disputes' }).focus();
    await page.keyboard.press('Enter');
    expect(await settledText(page.locator('h1'), 'Disputes')).toBe('Disputes');
    expect(new URL(page.url()).pathname).toBe('/reviewer');
    await expect(page.getByRole('link', { name: 'Disputes' }).getAttribute('aria-current')).resolves.toBe('page');
    // The focus moved to the new page's heading: the next Tab goes on into the page, not back along the navigation.
    await expect(page.evaluate(() => document.activeElement?.tagName + ' ' + document.activeElement?.textContent)).resolves.toBe(
      'H1 Disputes',
    );
    // Same document: the route changed without a reload.
    await expect(page.evaluate(() => performance.getEntriesByType('navigation').length)).resolves.toBe(before);
    // Each page names the tab (and the history entry) after itself.
    expect(await settledTitle(page, 'Disputes · Sandbox Ledger')).toBe('Disputes · Sandbox Ledger');
    await page.goBack();
    expect(await settledText(page.locator('h1'), 'Is this file filed?')).toBe('Is this file filed?');
    expect(await settledTitle(page, 'Is this file filed? · Sandbox Ledger')).toBe('Is this file filed? · Sandbox Ledger');
    for (const [path, title] of [
      ['/creator', 'Creator'],
      ['/auditor', 'Auditor'],
    ]) {
      await page.goto(path);
      expect(await settledText(page.locator('h1'), title)).toBe(title);
      expect(await settledTitle(page, `${title} · Sandbox Ledger`)).toBe(`${title} · Sandbox Ledger`);
    }
    // The API key form is labelled and kept in this tab's sessionStorage only.
    await page.goto('/creator');
    await page.getByLabel('API key (kept in this tab only)').fill('slk_example');
    await page.getByRole('button', { name: 'Use key' }).click();
    await expect(page.evaluate(() => [sessionStorage.getItem('sandbox-ledger.apiKey'), localStorage.length])).resolves.toEqual([
      'slk_example',
      0,
    ]);
    // The creator page asks the ledger whose key it is: an unknown key is its 401, shown as the ledger worded it.
    expect(await settledText(page.locator('.problem[role=alert]'), /^The ledger refused/)).toMatch(/^The ledger refused/);
    expect(tab.problems.filter((p) => !p.includes('status of 401'))).toEqual([]);
  } finally {
    await tab.close();
  }
});

it("shows its own not-found page, with a 404, for a path that is neither the console's nor the API's", async () => {
  const tab = await openTab(browser, server.url);
  try {
    const { page } = tab;
    for (const path of ['/nope', '/Creator', '/creator/extra']) {
      const res = await page.goto(path);
      expect([path, res?.status()]).toEqual([path, 404]);
      expect(await settledText(page.locator('h1'), 'Page not found')).toBe('Page not found');
      expect(await settledTitle(page, 'Page not found · Sandbox Ledger')).toBe('Page not found · Sandbox Ledger');
    }
    await screenshot(page, 'not-found-en');
    // A page's address with a slash after it is that page.
    await page.goto('/creator/?x=1');
    expect(new URL(page.url()).pathname + new URL(page.url()).search).toBe('/creator?x=1');
    expect(await settledText(page.locator('h1'), 'Creator')).toBe('Creator');
    await page.goto('/nope');
    await page.getByRole('link', { name: 'Back to the start page' }).click();
    expect(await settledText(page.locator('h1'), 'Is this file filed?')).toBe('Is this file filed?');
    // An API path stays the API's: its 404 problem, even for a browser.
    const api = await page.goto('/v1/nothing-here');
    expect(api?.status()).toBe(404);
    expect(api?.headers()['content-type']).toMatch(/^application\/problem\+json/);
    expect(tab.problems.filter((p) => !p.includes('status of 404'))).toEqual([]);
  } finally {
    await tab.close();
  }
});

it('switches to Chinese with the visible switch, keeps the choice across a reload, and follows a zh browser by default', async () => {
  const tab = await openTab(browser, server.url);
  try {
    const { page } = tab;
    await page.goto('/');
    await page.getByRole('button', { name: '中文' }).click();
    expect(await settledText(page.locator('h1'), '这个文件是否已存证？')).toBe('这个文件是否已存证？');
    await expect(page.locator('html').getAttribute('lang')).resolves.toBe('zh-CN');
    await page.reload();
    expect(await settledText(page.locator('h1'), '这个文件是否已存证？')).toBe('这个文件是否已存证？');
    await expect(page.getByRole('link', { name: '争议', exact: true }).count()).resolves.toBe(1);
    await screenshot(page, 'layout-public-zh-CN');
  } finally {
    await tab.close();
  }
  const zh = await openTab(browser, server.url, 'zh-CN');
  try {
    await zh.page.goto('/auditor');
    expect(await settledText(zh.page.locator('h1'), '审计员')).toBe('审计员');
    expect(await settledTitle(zh.page, '审计员 · 沙盒存证账本')).toBe('审计员 · 沙盒存证账本');
  } finally {
    await zh.close();
  }
});

it('computes the SHA-256 of a dropped file and of a chosen file in the page', async () => {
  const tab = await openTab(browser, server.url);
  try {
    const { page } = tab;
    await page.goto('/');
    const dropped = randomBytes(300_000);
    await dropFile(page, '[data-testid=public-file-zone]', 'work.bin', dropped);
    const droppedHash = createHash('sha256').update(dropped).digest('hex');
    expect(await settledText(page.getByTestId('sha256'), droppedHash)).toBe(droppedHash);
    const chosen = Buffer.from('a chosen file\n');
    await page.getByLabel('Choose a file').setInputFiles({ name: 'chosen.txt', mimeType: 'text/plain', buffer: chosen });
    const chosenHash = createHash('sha256').update(chosen).digest('hex');
    expect(await settledText(page.getByTestId('sha256'), chosenHash)).toBe(chosenHash);
    // The page looked both hashes up: the ledger's 404 ("not filed") is the only complaint the browser logs.
    expect(tab.problems.filter((p) => !p.includes('status of 404'))).toEqual([]);
  } finally {
    await tab.close();
  }
});

it('shows Swagger UI at /docs over plain HTTP within its CSP', async () => {
  const tab = await openTab(browser, server.url);
  try {
    await tab.page.goto('/docs');
    await tab.page.locator('.swagger-ui .info .title').waitFor();
    await expect(tab.page.locator('.swagger-ui .info .title').textContent()).resolves.toContain('Sandbox Ledger');
    await screenshot(tab.page, 'docs');
    expect(tab.problems).toEqual([]);
  } finally {
    await tab.close();
  }
});
