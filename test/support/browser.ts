// A real browser for the console's tests: Debian's Chromium driven by playwright-core. A missing browser fails the
// suite (it never skips), as a missing PostgreSQL does.
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { ROOT } from '../../src/bench/processes.js';
import { en } from '../../web/src/i18n/en.js';
import { zhCN } from '../../web/src/i18n/zh-CN.js';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
/** Gitignored; CI keeps the pictures as artifacts, a developer opens them to look at the pages. */
export const SCREENSHOTS_DIR = join(ROOT, 'test-artifacts', 'screenshots');

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH))
    throw new Error(`no Chromium at ${CHROMIUM_PATH}: the browser suites need it (apt-get install -y chromium, or set CHROMIUM_PATH)`);
  // launch() gives the browser a fresh, temporary profile of its own, removed on close.
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      '--disable-sync',
    ],
  });
}

export interface ConsoleTab {
  context: BrowserContext;
  page: Page;
  /** Console errors, uncaught exceptions and CSP violations seen so far: a page under test should have none. */
  problems: string[];
  close: () => Promise<void>;
}

/** A new tab (own storage) on the console, in the given language's locale. */
export async function openTab(browser: Browser, baseUrl: string, locale: 'en-US' | 'zh-CN' = 'en-US'): Promise<ConsoleTab> {
  const context = await browser.newContext({ baseURL: baseUrl, locale, viewport: { width: 1200, height: 900 } });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.push(`console: ${msg.text()}`);
  });
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  return { context, page, problems, close: () => context.close() };
}

/** A full-page picture under test-artifacts/screenshots/<name>.png. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOTS_DIR, { recursive: true });
  const path = join(SCREENSHOTS_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** Drops a file on an element, as a person dragging it from the desktop would (a DataTransfer on a drop event). */
export async function dropFile(page: Page, selector: string, name: string, bytes: Buffer): Promise<void> {
  const dataTransfer = await page.evaluateHandle(
    ({ name, base64 }) => {
      const data = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
      const dt = new DataTransfer();
      dt.items.add(new File([data], name));
      return dt;
    },
    { name, base64: bytes.toString('base64') },
  );
  await page.dispatchEvent(selector, 'dragover', { dataTransfer });
  await page.dispatchEvent(selector, 'drop', { dataTransfer });
}

/**
 * Makes every file the page is given unreadable, as Chromium finds a file moved or changed since it was chosen: reading
 * it fails with a NotReadableError.
 */
export async function unreadableFiles(page: Page): Promise<void> {
  await page.addInitScript(() => {
    File.prototype.stream = function () {
      return new ReadableStream<Uint8Array<ArrayBuffer>>({
        pull: (controller) => controller.error(new DOMException('The requested file could not be read.', 'NotReadableError')),
      });
    };
  });
}

/** What `read` gives once `done` holds of it (the page draws in its own time), or the last it gave after `timeout` ms. */
async function settled<T>(read: () => Promise<T>, done: (value: T) => boolean, timeout: number): Promise<T> {
  const deadline = Date.now() + timeout;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((r) => setTimeout(r, 50));
  }
}

const matches = (expected: string | RegExp) => (text: string | null) =>
  text !== null && (typeof expected === 'string' ? text === expected : expected.test(text));

/**
 * The element's text once it matches `expected`, or its last text after `timeout` ms (null: no such element): the page
 * renders asynchronously, so assert on what this returns (`expect(await settledText(h1, 'Reviewer')).toBe('Reviewer')`)
 * to see the real text on a failure.
 */
export function settledText(locator: Locator, expected: string | RegExp, timeout = 15_000): Promise<string | null> {
  return settled(async () => ((await locator.count()) > 0 ? await locator.first().textContent() : null), matches(expected), timeout);
}

/** An input's value once it is `expected` (hashing a file takes a moment), or the last value read. */
export function settledValue(input: Locator, expected: string | RegExp, timeout = 15_000): Promise<string> {
  return settled(() => input.inputValue(), matches(expected), timeout);
}

/** The page's title once it is `expected` (the console sets it after drawing the page), or the last title read. */
export function settledTitle(page: Page, expected: string, timeout = 15_000): Promise<string> {
  return settled(() => page.title(), matches(expected), timeout);
}

/** The public page's receipt verification, once shown: its verdict (`data-ok`), each check as [id, outcome, text], its text. */
export async function receiptVerification(page: Page) {
  const box = page.getByTestId('verification');
  await box.waitFor({ timeout: 30_000 });
  const checks = await box
    .locator('li.check')
    .evaluateAll((items) => items.map((li) => [li.getAttribute('data-check'), li.getAttribute('data-outcome'), li.textContent ?? '']));
  return { ok: await box.getAttribute('data-ok'), checks, text: (await box.textContent()) ?? '' };
}

/** Opens a console page and enters an API key in its key panel (kept in the tab's sessionStorage), in the page's language. */
export async function signIn(page: Page, key: string, path = '/reviewer', lang: 'en' | 'zh-CN' = 'en'): Promise<void> {
  const words = lang === 'en' ? en : zhCN;
  await page.goto(path);
  await page.getByLabel(words['key.label']).fill(key);
  await page.getByRole('button', { name: words['key.use'] }).click();
}

/**
 * Answers the page's requests for public receipts (GET /v1/public/content/:sha256/receipt) with the ledger's answer as
 * `change` rewrites it: a receipt changed in transit.
 */
export async function rewritePublicReceipts(page: Page, change: (body: any) => void): Promise<void> {
  await page.route('**/v1/public/content/*/receipt', async (route) => {
    const response = await route.fetch();
    const body = await response.json();
    change(body);
    await route.fulfill({ response, body: JSON.stringify(body) });
  });
}

/** The note with one byte of its first signature (the log's) changed. */
export function flipSignature(note: string): string {
  const lines = note.split('\n');
  const i = lines.findIndex((l) => l.startsWith('— '));
  const [dash, name, b64] = lines[i].split(' ');
  const sig = Buffer.from(b64, 'base64');
  sig[sig.length - 1] ^= 0x01;
  lines[i] = [dash, name, sig.toString('base64')].join(' ');
  return lines.join('\n');
}

/** An RFC 3161 token (base64) with one byte inside the TSA's signature changed. */
export function flipTokenByte(b64: string): string {
  const token = Buffer.from(b64, 'base64');
  token[token.length - 30] ^= 0x01;
  return token.toString('base64');
}
