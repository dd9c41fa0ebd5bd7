// A right transferred by a final dispute decision, on the creator page in Debian's Chromium against the compiled server:
// the new holder finds the filing under "Filings transferred to you" and declares its labels and registers a labelled
// copy from there; the former creator's card says whose the right now is and offers no label forms. Each write is read
// back through the API; English and Chinese, desktop and a phone's width.
import type { Browser, Page } from 'playwright-core';
import { dropFile, launchBrowser, openTab, screenshot, settledText, signIn } from '../support/browser.js';
import { complaintBody, registerPrincipal, type Who } from '../support/cast.js';
import { startServerAndBrowser, type ConsoleServer } from '../support/console-server.js';
import { iTXt, sha256 } from '../support/files.js';
import { callOk } from '../support/http-client.js';
import { scenePng, withPngChunks } from '../support/images.js';
import { filingBody } from '../support/ledger-app.js';
import type { EventEnvelope } from '../../src/verifier/envelope.js';

let server: ConsoleServer;
let browser: Browser;
let close: (() => Promise<void>) | undefined;
let alice: Who, bob: Who, rita: Who, victor: Who;
/** Alice's work, transferred to Bob; and one of hers that stays hers. */
let transferred: string;
let kept: string;
let work: Buffer;

const ok = (method: string, path: string, key: string, body?: unknown) => callOk(server.url, method, path, key, body);
const cardOf = (page: Page, filingId: string) => page.locator(`[data-testid=filing-card][data-filing-id="${filingId}"]`);

beforeAll(async () => {
  ({ server, browser, close } = await startServerAndBrowser(launchBrowser));
  [alice, bob, rita, victor] = await Promise.all([
    registerPrincipal(server.url, server.adminKey, 'Alice Painter', ['creator']),
    registerPrincipal(server.url, server.adminKey, 'Bob Complainant', ['creator']),
    registerPrincipal(server.url, server.adminKey, 'Rita Reviewer', ['reviewer']),
    registerPrincipal(server.url, server.adminKey, 'Victor Appeals', ['reviewer']),
  ]);
  // Filed with its file, so that the ledger has the perceptual hash a labelled copy is compared with.
  work = await scenePng(57, 320, 240);
  const { contentHash: _c, perceptualHash: _p, ...meta } = filingBody({ title: 'Harbour at dawn' });
  const form = new FormData();
  form.append('metadata', JSON.stringify(meta));
  form.append('file', new Blob([new Uint8Array(work)]), 'harbour.png');
  const filed = await fetch(`${server.url}/v1/filings`, { method: 'POST', headers: { authorization: `Bearer ${alice.key}` }, body: form });
  expect(filed.status).toBe(201);
  transferred = ((await filed.json()) as { filingId: string }).filingId;
  kept = (await ok('POST', '/v1/filings', alice.key, filingBody({ title: 'Lighthouse, still hers' }))).filingId;

  // Complaint → assigned → answered → upheld with `transfer` → appealed → affirmed: final, the right is Bob's.
  const disputeId = (await ok('POST', '/v1/disputes', bob.key, { ...complaintBody(transferred), type: 'authorship' })).disputeId;
  await ok('POST', `/v1/disputes/${disputeId}/assign`, rita.key, { reviewerId: rita.id });
  await ok('POST', `/v1/disputes/${disputeId}/response`, alice.key, { statement: 'It is mine.' });
  await ok('POST', `/v1/disputes/${disputeId}/decision`, rita.key, {
    outcome: 'upheld',
    remedy: 'transfer',
    reasoning: "Bob's drafts predate it.",
  });
  await ok('POST', `/v1/disputes/${disputeId}/appeal`, alice.key, { grounds: 'The drafts are not mine to judge.' });
  await ok('POST', `/v1/disputes/${disputeId}/appeal-decision`, victor.key, { ruling: 'affirm', reasoning: 'Sound.' });
  const register = await ok('GET', `/v1/rights?holder=${bob.id}&status=transferred`, bob.key);
  expect(register.items.map((r: { filingId: string }) => r.filingId)).toEqual([transferred]);
});
afterAll(async () => {
  await close?.();
});

it('the holder finds the transferred filing on the creator page, declares its labels and registers a labelled copy', async () => {
  const tab = await openTab(browser, server.url);
  try {
    const { page } = tab;
    await signIn(page, bob.key, '/creator');
    const held = page.getByTestId('held-filings');
    expect(await settledText(held.locator('h2'), 'Filings transferred to you')).toBe('Filings transferred to you');
    const card = held.locator(`[data-testid=filing-card][data-filing-id="${transferred}"]`);
    expect(await settledText(card.getByTestId('filing-title'), 'Harbour at dawn')).toBe('Harbour at dawn');
    await expect(card.getByTestId('filing-held').textContent()).resolves.toBe(
      'Filed by Alice Painter; transferred to you by a final dispute decision.',
    );
    expect(await settledText(card.getByTestId('filing-right'), 'transferred')).toBe('transferred');
    // A final right has no quiet period left to wait for.
    await expect(card.locator('dt', { hasText: 'Quiet period until' }).count()).resolves.toBe(0);
    // Bob filed nothing himself; Alice's other filing is not his.
    expect(await settledText(page.locator('#my-filings-heading + p'), 'No filings yet.')).toBe('No filings yet.');
    await expect(cardOf(page, kept).count()).resolves.toBe(0);

    await card.getByRole('button', { name: 'Declare labels' }).click();
    await card.getByLabel('ContentProducer').fill('Harbour-Studio');
    await card.getByLabel('ProduceID').fill('gen-0007');
    await card.getByRole('button', { name: 'Declare labels' }).last().click();
    expect(await settledText(card.getByRole('status'), /Labels declared \(version 1/)).toMatch(/Labels declared \(version 1, leaf \d+\)/);
    const aigcJson = await card.getByLabel('Implicit label to embed in the file').inputValue();
    // The card is read again: the filing's labels are now declared, and the right says when.
    expect(await settledText(card.locator('dd').nth(4), /^declared/)).toMatch(/^declared/);
    expect(await settledText(card.locator('dt').filter({ hasText: /^Labels (declared|due by)$/ }), 'Labels declared')).toBe(
      'Labels declared',
    );
    await screenshot(page, 'held-filing-en');

    // The labelled copy registers through the same card.
    const copy = withPngChunks(work, [iTXt('AIGC', aigcJson)]);
    await card.getByRole('button', { name: 'Register a labelled copy' }).click();
    await dropFile(page, `[data-testid="copy-${transferred}-zone"]`, 'harbour-labelled.png', copy);
    await card.getByRole('button', { name: 'Register the copy' }).click();
    expect(await settledText(card.getByRole('status').last(), /Copy registered/)).toContain(sha256(copy));
    expect(tab.problems).toEqual([]);

    // What the ledger recorded: the declaration and the copy, both Bob's.
    const history = (await ok('GET', `/v1/filings/${transferred}/history`, bob.key)).events as EventEnvelope[];
    const declared = history.filter((e) => e.type === 'LabelsDeclared');
    expect(declared.map((e) => e.meta.actor)).toEqual([bob.id]);
    expect(declared[0].data).toMatchObject({
      version: 1,
      modality: 'image',
      explicit: { text: 'AI生成', placement: ['bottom-right'], textHeightRatio: 0.05 },
      implicit: { AIGC: { Label: '1', ContentProducer: 'Harbour-Studio', ProduceID: 'gen-0007', PropagateID: transferred } },
    });
    expect(
      history.filter((e) => e.type === 'CopyRegistered').map((e) => [e.meta.actor, (e.data.copy as { sha256: string }).sha256]),
    ).toEqual([[bob.id, sha256(copy)]]);
  } finally {
    await tab.close();
  }
});

it('the former creator is told whose the right is and offered no label forms; her other filing keeps them', async () => {
  const tab = await openTab(browser, server.url);
  try {
    const { page } = tab;
    await signIn(page, alice.key, '/creator');
    const card = cardOf(page, transferred);
    expect(await settledText(card.getByTestId('filing-transferred'), /Bob Complainant/)).toBe(
      'A final dispute decision transferred this right to Bob Complainant: its labels and labelled copies are theirs to declare and register.',
    );
    await expect(card.getByTestId('filing-right').textContent()).resolves.toBe('transferred');
    // The labels Bob declared show on her card too.
    await expect(card.locator('dd').nth(4).textContent()).resolves.toMatch(/^declared/);
    await expect(card.getByRole('button', { name: 'Declare labels' }).count()).resolves.toBe(0);
    await expect(card.getByRole('button', { name: 'Register a labelled copy' }).count()).resolves.toBe(0);
    await expect(card.locator('form').count()).resolves.toBe(0);
    // The receipt and the certificate are still hers to fetch.
    await expect(card.getByRole('button', { name: 'Download receipt' }).count()).resolves.toBe(1);
    const other = cardOf(page, kept);
    await other.getByRole('button', { name: 'Declare labels' }).waitFor();
    await expect(other.getByTestId('filing-transferred').count()).resolves.toBe(0);
    // Nothing was transferred to her.
    await expect(page.getByTestId('held-filings').count()).resolves.toBe(0);
    await screenshot(page, 'held-filing-former-creator-en');
    expect(tab.problems).toEqual([]);
  } finally {
    await tab.close();
  }
});

it('says the same in Chinese, to the holder and to the former creator', async () => {
  const tab = await openTab(browser, server.url, 'zh-CN');
  try {
    const { page } = tab;
    await signIn(page, bob.key, '/creator', 'zh-CN');
    const held = page.getByTestId('held-filings');
    expect(await settledText(held.locator('h2'), '转让给您的存证')).toBe('转让给您的存证');
    const card = held.locator(`[data-testid=filing-card][data-filing-id="${transferred}"]`);
    expect(await settledText(card.getByTestId('filing-held'), /Alice Painter/)).toBe('由 Alice Painter 存证；经争议终局裁决转让给您。');
    expect(await settledText(card.getByTestId('filing-right'), '已转让')).toBe('已转让');
    await card.getByRole('button', { name: '声明标识' }).click();
    await expect(card.locator('.creator-subform legend').first().textContent()).resolves.toBe('AI 生成标识（图片）');
    await screenshot(page, 'held-filing-zh-CN');

    await signIn(page, alice.key, '/creator', 'zh-CN');
    const former = cardOf(page, transferred);
    expect(await settledText(former.getByTestId('filing-transferred'), /Bob Complainant/)).toBe(
      '争议终局裁决已将此权利转让给 Bob Complainant：标识与带标识副本由其声明和登记。',
    );
    await expect(former.getByRole('button', { name: '声明标识' }).count()).resolves.toBe(0);
    await expect(former.getByRole('button', { name: '登记带标识副本' }).count()).resolves.toBe(0);
    await screenshot(page, 'held-filing-former-creator-zh-CN');
    expect(tab.problems).toEqual([]);
  } finally {
    await tab.close();
  }
});

it('fits a phone’s screen: neither card scrolls the page sideways at 390 pixels, in either language', async () => {
  const tab = await openTab(browser, server.url);
  try {
    const { page } = tab;
    await page.setViewportSize({ width: 390, height: 844 });
    const fits = async (what: string) => {
      const [scroll, client] = await page.evaluate(() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]);
      expect({ what, scroll }).toEqual({ what, scroll: client });
    };
    await signIn(page, bob.key, '/creator');
    const card = page.getByTestId('held-filings').locator(`[data-testid=filing-card][data-filing-id="${transferred}"]`);
    expect(await settledText(card.getByTestId('filing-right'), 'transferred')).toBe('transferred');
    await card.getByRole('button', { name: 'Declare labels' }).click();
    await fits('the holder’s card with the labels form open');
    await screenshot(page, 'held-filing-phone-en');
    await page.getByRole('button', { name: '中文' }).click();
    expect(await settledText(page.getByTestId('held-filings').locator('h2'), '转让给您的存证')).toBe('转让给您的存证');
    await fits('the holder’s card, in Chinese');
    await screenshot(page, 'held-filing-phone-zh-CN');

    await signIn(page, alice.key, '/creator', 'zh-CN');
    const former = cardOf(page, transferred);
    expect(await settledText(former.getByTestId('filing-transferred'), /Bob Complainant/)).toMatch(/^争议终局裁决/);
    await fits('the former creator’s card, in Chinese');
    await screenshot(page, 'held-filing-former-creator-phone-zh-CN');
    await page.getByRole('button', { name: 'English' }).click();
    expect(await settledText(former.getByTestId('filing-transferred'), /^A final dispute decision/)).toMatch(/Bob Complainant/);
    await fits('the former creator’s card');
    await screenshot(page, 'held-filing-former-creator-phone-en');
    expect(tab.problems).toEqual([]);
  } finally {
    await tab.close();
  }
});
