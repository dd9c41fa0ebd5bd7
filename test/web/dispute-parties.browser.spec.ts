// The parties to a dispute in Debian's Chromium against the compiled server: the respondent finds the complaint from the
// creator's page, answers it with evidence hashed in the page; the complainant appeals the decision; a complaint is
// withdrawn. Each form is offered only to the party the rules let act, and each write is read back through the API.
import { randomBytes } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, openTab, screenshot, settledText, settledTitle, settledValue, signIn } from '../support/browser.js';
import { complaintBody, registerPrincipal, sha256Hex, type Who } from '../support/cast.js';
import { startConsoleServer, type ConsoleServer } from '../support/console-server.js';
import { callOk } from '../support/http-client.js';
import { filingBody } from '../support/ledger-app.js';
import { en } from '../../web/src/i18n/en.js';
import { zhCN } from '../../web/src/i18n/zh-CN.js';

let server: ConsoleServer;
let browser: Browser;
let alice: Who, bob: Who, rita: Who;
let disputeId: string;
/** The title of the filing the dispute is about. */
let filedTitle: string;

const ok = (method: string, path: string, key: string, body?: unknown) => callOk(server.url, method, path, key, body);

beforeAll(async () => {
  [server, browser] = await Promise.all([startConsoleServer(), launchBrowser()]);
  [alice, bob, rita] = await Promise.all([
    registerPrincipal(server.url, server.adminKey, 'Alice Painter', ['creator']),
    registerPrincipal(server.url, server.adminKey, 'Bob Complainant', ['creator']),
    registerPrincipal(server.url, server.adminKey, 'Rita Reviewer', ['reviewer']),
  ]);
  const body = filingBody();
  filedTitle = String(body.title);
  const filing = await ok('POST', '/v1/filings', alice.key, body);
  disputeId = (await ok('POST', '/v1/disputes', bob.key, complaintBody(filing.filingId))).disputeId;
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

async function openDispute(page: Page, id: string, lang: 'en' | 'zh-CN' = 'en') {
  const label = (lang === 'en' ? en : zhCN)['reviewer.openLabel'].replace('{id}', id);
  await page.getByRole('button', { name: label }).click();
  await page.getByTestId('dispute').waitFor();
}

it('the respondent follows the creator page to the complaint and answers it, with evidence hashed in the page', async () => {
  const evidence = randomBytes(2048);
  const tab = await openTab(browser, server.url);
  try {
    const { page } = tab;
    await signIn(page, alice.key, '/creator');
    // The disputed filing's card leads to the complaint too.
    await page.getByRole('link', { name: 'see the complaint' }).first().waitFor();
    await page.getByRole('link', { name: 'answer, appeal or withdraw them on the Disputes page' }).click();
    expect(await settledText(page.locator('h1'), 'Disputes')).toBe('Disputes');
    // The list gives the deadline that matters now: the respondent's time to answer.
    const row = page.locator(`[data-dispute="${disputeId}"]`);
    expect(await settledText(row.locator('td').first(), /^Answer due/)).toMatch(/^Answer due/);
    await openDispute(page, disputeId);
    // The filing complained about is named by its title, read from its certificate.
    expect(await settledText(page.getByTestId('filing-title'), filedTitle)).toBe(filedTitle);
    // Opened: scrolled to and focused, its heading read out.
    await expect(page.evaluate(() => document.activeElement?.id)).resolves.toBe('dispute-heading');
    // A party sees its own forms, not a reviewer's; the respondent may not withdraw the complaint.
    await page.getByTestId('respond-form').waitFor();
    await expect(page.getByRole('button', { name: 'Assign' }).count()).resolves.toBe(0);
    await expect(page.getByRole('button', { name: 'Record the decision' }).count()).resolves.toBe(0);
    await expect(page.getByTestId('withdraw-form').count()).resolves.toBe(0);
    await expect(page.getByTestId('appeal-form').count()).resolves.toBe(0);

    // A blank statement is the ledger's to refuse: its problem is shown and nothing is recorded.
    await page.getByLabel('Your statement').fill('   ');
    await page.getByRole('button', { name: 'Send the answer' }).click();
    expect(await settledText(page.getByRole('alert'), /statement must not be blank/)).toMatch(/statement must not be blank/);

    await page.getByRole('button', { name: 'Add evidence' }).click();
    await page.getByLabel('File of evidence 1').setInputFiles({ name: 'sketch-2025.png', mimeType: 'image/png', buffer: evidence });
    const hash = page.getByLabel('SHA-256 of evidence 1');
    expect(await settledValue(hash, /^[0-9a-f]{64}$/)).toBe(sha256Hex(evidence));
    await expect(page.getByLabel('Description of evidence 1').inputValue()).resolves.toBe('sketch-2025.png');
    await page.getByLabel('Description of evidence 1').fill('My sketch of the work, dated before the complainant’s filing');
    await page.getByLabel('Your statement').fill('It is my own work; the sketch predates the complaint.');
    await screenshot(page, 'dispute-respond-en');
    await page.getByRole('button', { name: 'Send the answer' }).click();
    expect(await settledText(page.getByTestId('saved'), 'Answer recorded.')).toBe('Answer recorded.');
    // Answered once: the form is gone.
    await page.getByTestId('respond-form').waitFor({ state: 'detached', timeout: 5_000 });
    expect(tab.problems.filter((p) => !/status of 400/.test(p))).toEqual([]);
  } finally {
    await tab.close();
  }
  const recorded = await ok('GET', `/v1/disputes/${disputeId}`, alice.key);
  expect(recorded.response).toMatchObject({
    statement: 'It is my own work; the sketch predates the complaint.',
    evidence: [{ sha256: sha256Hex(evidence), description: 'My sketch of the work, dated before the complainant’s filing' }],
  });
  expect(recorded.timeline.map((e: { type: string }) => e.type)).toEqual(['ComplaintFiled', 'ResponseSubmitted']);
});

it('the complainant appeals the rejection, not again; the respondent, who won, is offered no appeal (in Chinese)', async () => {
  await ok('POST', `/v1/disputes/${disputeId}/assign`, rita.key, {});
  await ok('POST', `/v1/disputes/${disputeId}/decision`, rita.key, { outcome: 'rejected', reasoning: 'The works differ.' });
  const tab = await openTab(browser, server.url, 'zh-CN');
  try {
    const { page } = tab;
    await signIn(page, bob.key, '/reviewer', 'zh-CN');
    await openDispute(page, disputeId, 'zh-CN');
    await page.getByTestId('appeal-form').waitFor();
    // Set in Chinese punctuation: the decision's reviewer and time after a full-width comma, the sentence on the key's
    // role after the full stop with no space.
    await expect(page.getByTestId('decision').textContent()).resolves.toMatch(/^投诉驳回 — Rita Reviewer，2\d{3}-/);
    await expect(page.getByTestId('reviewer-me').textContent()).resolves.toMatch(/）。此密钥没有审核员角色：/);
    // Still not final: the complainant may also withdraw; the answer is the respondent's alone.
    await expect(page.getByTestId('withdraw-form').count()).resolves.toBe(1);
    await expect(page.getByTestId('respond-form').count()).resolves.toBe(0);
    // A refusal is headed in the page's language; a validation failure names its fields in it, then the ledger's detail
    // follows as it wrote it (in English: the ledger gives no code for the rule a field broke).
    await page.getByLabel('申诉理由').fill('   ');
    await page.getByRole('button', { name: '提交申诉' }).click();
    const alert = page.getByRole('alert');
    expect(await settledText(alert.locator('strong'), /^账本拒绝了请求/)).toBe('账本拒绝了请求：请求未通过校验');
    await expect(alert.locator('p').textContent()).resolves.toMatch(
      /^未通过校验的字段：grounds。账本的英文说明：grounds must not be blank/,
    );
    await screenshot(page, 'dispute-appeal-refused-zh-CN');
    await page.getByLabel('申诉理由').fill('The reviewer did not compare the two pictures side by side.');
    await screenshot(page, 'dispute-appeal-zh-CN');
    await page.getByRole('button', { name: '提交申诉' }).click();
    expect(await settledText(page.getByTestId('saved'), '申诉已提交。')).toBe('申诉已提交。');
    await page.getByTestId('appeal-form').waitFor({ state: 'detached', timeout: 5_000 });
    expect(tab.problems.filter((p) => !/status of 400/.test(p))).toEqual([]);
  } finally {
    await tab.close();
  }
  const recorded = await ok('GET', `/v1/disputes/${disputeId}`, bob.key);
  expect(recorded.status).toBe('appealed');
  expect(recorded.appeals).toEqual([
    expect.objectContaining({
      appellant: bob.id,
      party: 'complainant',
      grounds: 'The reviewer did not compare the two pictures side by side.',
    }),
  ]);

  const other = await openTab(browser, server.url);
  try {
    await signIn(other.page, alice.key);
    await openDispute(other.page, disputeId);
    expect(await settledText(other.page.getByTestId('dispute-status'), /^appealed/)).toMatch(/^appealed/);
    await expect(other.page.getByTestId('appeal-form').count()).resolves.toBe(0);
    await expect(other.page.getByTestId('withdraw-form').count()).resolves.toBe(0);
  } finally {
    await other.close();
  }
});

it('a refusal that names a time says it in the page’s language, in UTC and in Beijing time (in Chinese)', async () => {
  const filing = await ok('POST', '/v1/filings', alice.key, filingBody());
  const id = (await ok('POST', '/v1/disputes', bob.key, complaintBody(filing.filingId))).disputeId;
  const tab = await openTab(browser, server.url, 'zh-CN');
  try {
    const { page } = tab;
    await signIn(page, alice.key, '/reviewer', 'zh-CN');
    await openDispute(page, id, 'zh-CN');
    await page.getByTestId('respond-form').waitFor();
    // Answered from another tab while this one writes its answer.
    await ok('POST', `/v1/disputes/${id}/response`, alice.key, { statement: 'Mine, drawn in 2024.' });
    const { respondedAt } = (await ok('GET', `/v1/disputes/${id}`, alice.key)).response;
    await page.getByLabel('答复陈述').fill('Mine.');
    await page.getByRole('button', { name: '提交答复' }).click();
    const refusal = page.getByTestId('state-refusal');
    expect(await settledText(refusal.locator('strong'), /^账本拒绝了请求/)).toBe('账本拒绝了请求：该投诉已答复');
    const utc = new Date(respondedAt).toISOString().slice(0, 19).replace('T', ' ');
    const beijing = new Date(Date.parse(respondedAt) + 8 * 3_600_000).toISOString().slice(0, 19).replace('T', ' ');
    await expect(refusal.locator('p').textContent()).resolves.toBe(`被投诉人已于北京时间 ${beijing}（协调世界时 ${utc}）答复。`);
    expect(tab.problems.filter((p) => !/status of 409/.test(p))).toEqual([]);
  } finally {
    await tab.close();
  }
});

it('a dispute decided without an answer, open to appeal, says the respondent did not answer (in English and Chinese)', async () => {
  const filing = await ok('POST', '/v1/filings', alice.key, filingBody());
  const id = (await ok('POST', '/v1/disputes', bob.key, complaintBody(filing.filingId))).disputeId;
  await ok('POST', `/v1/disputes/${id}/assign`, rita.key, {});
  const { deadlines } = await ok('GET', `/v1/disputes/${id}`, bob.key);
  // A day past the time to answer, by the ledger's clock (the Date header its answers carry, which the page's deadlines
  // follow), the dispute is decided unanswered, as the ledger then lets a reviewer decide it; its appeal window is open.
  const later = Date.parse(deadlines.responseDueAt) + 86_400_000;
  const decision = {
    outcome: 'rejected',
    remedy: null,
    reasoning: 'No answer came; the works differ.',
    decidedBy: rita.id,
    decidedAt: new Date(later - 3_600_000).toISOString(),
  };
  const tab = await openTab(browser, server.url);
  try {
    const { page } = tab;
    await page.route('**/v1/**', async (route) => {
      const res = await route.fetch();
      const headers: Record<string, string> = { ...res.headers(), date: new Date(later).toUTCString() };
      delete headers['content-length'];
      if (new URL(route.request().url()).pathname !== `/v1/disputes/${id}`) return route.fulfill({ response: res, headers });
      const appealUntil = new Date(later + 7 * 86_400_000).toISOString();
      const json = {
        ...(await res.json()),
        status: 'decided',
        awaiting: 'appeal-window',
        outcome: 'rejected',
        decision,
        deadlines: { ...deadlines, appealUntil },
      };
      await route.fulfill({ response: res, headers, json });
    });
    await signIn(page, bob.key);
    await openDispute(page, id);
    await page.getByTestId('appeal-form').waitFor();
    const view = page.getByTestId('dispute');
    await expect(view.textContent()).resolves.toContain(en['reviewer.response.missed']);
    await expect(view.textContent()).resolves.not.toContain(en['reviewer.response.none']);
    await screenshot(page, 'dispute-decided-unanswered-en');
    await page.getByRole('button', { name: '中文' }).click();
    expect(await settledText(page.locator('h1'), zhCN['reviewer.title'])).toBe(zhCN['reviewer.title']);
    await expect(view.textContent()).resolves.toContain(zhCN['reviewer.response.missed']);
    await expect(view.textContent()).resolves.not.toContain(zhCN['reviewer.response.none']);
    await screenshot(page, 'dispute-decided-unanswered-zh-CN');
    expect(tab.problems).toEqual([]);
  } finally {
    await tab.close();
  }
});

it('the complainant withdraws a complaint, once it is confirmed; the dispute reads withdrawn', async () => {
  const filing = await ok('POST', '/v1/filings', alice.key, filingBody());
  const opened = (await ok('POST', '/v1/disputes', bob.key, complaintBody(filing.filingId))).disputeId;
  const tab = await openTab(browser, server.url);
  try {
    const { page } = tab;
    await signIn(page, bob.key);
    await openDispute(page, opened);
    const submit = page.getByRole('button', { name: 'Withdraw the complaint' });
    await expect(submit.isDisabled()).resolves.toBe(true);
    await page.getByLabel('Reason (optional)').fill('We settled it between us.');
    await page.getByLabel('I want to withdraw this complaint').check();
    await submit.click();
    expect(await settledText(page.getByTestId('saved'), 'Complaint withdrawn.')).toBe('Complaint withdrawn.');
    expect(await settledText(page.getByTestId('dispute-status'), /^withdrawn/)).toMatch(/^withdrawn/);
    // Nothing is left to do on a withdrawn complaint; it says by whom and why, and has no deadlines left.
    await expect(page.getByTestId('withdraw-form').count()).resolves.toBe(0);
    await expect(page.getByTestId('appeal-form').count()).resolves.toBe(0);
    await expect(page.getByTestId('withdrawal').textContent()).resolves.toMatch(/Bob Complainant.*We settled it between us\./);
    await expect(page.getByTestId('deadlines').count()).resolves.toBe(0);
    await expect(page.getByTestId('dispute').textContent()).resolves.not.toContain('No answer yet.');
    // It has left the open disputes, and is found among the closed ones.
    await page.locator(`[data-testid="queue"] [data-dispute="${opened}"]`).waitFor({ state: 'detached', timeout: 5_000 });
    await page.getByRole('button', { name: 'Show closed disputes (returned, withdrawn, final)' }).click();
    const closed = page.locator(`[data-testid="closed"] [data-dispute="${opened}"]`);
    expect(await settledText(closed.locator('td').nth(2), 'withdrawn')).toBe('withdrawn');
    await screenshot(page, 'dispute-withdrawn-en');
    expect(tab.problems).toEqual([]);
  } finally {
    await tab.close();
  }
  const recorded = await ok('GET', `/v1/disputes/${opened}`, bob.key);
  expect(recorded.status).toBe('withdrawn');
  expect(recorded.timeline.map((e: { type: string }) => e.type)).toEqual(['ComplaintFiled', 'ComplaintWithdrawn']);
  const history = await ok('GET', `/v1/disputes/${opened}/history`, bob.key);
  expect(history.events.at(-1).data).toMatchObject({ complainant: bob.id, reason: 'We settled it between us.' });
});

it('a creator files a complaint from a filing’s certificate, with an evidence file the ledger inspects', async () => {
  const filing = await ok('POST', '/v1/filings', alice.key, filingBody());
  const evidence = Buffer.from('Sketch notes, 2025-03-01: the fox, the river, the bridge at dusk.\n');
  const second = Buffer.from('Sketch notes, page 2: the bridge from below.\n');
  const tab = await openTab(browser, server.url);
  try {
    const { page } = tab;
    await signIn(page, bob.key);
    await page.goto(`/certificate/${filing.filingId}`);
    await page.getByRole('link', { name: 'Complain about this filing' }).click();
    // Opened to complain: the form is open, the filing filled in.
    await expect(page.getByLabel('Filing complained about (its id)').inputValue()).resolves.toBe(filing.filingId);
    await page.getByLabel('Type', { exact: true }).selectOption('infringement');
    await page.getByLabel('Claim').fill('The filed picture copies my sketch.');
    await page.getByRole('button', { name: 'Add evidence' }).click();
    await page
      .getByLabel('File of evidence 1')
      .setInputFiles({ name: 'sketch-notes.txt', mimeType: 'application/octet-stream', buffer: evidence });
    await expect(page.getByLabel('Description of evidence 1').inputValue()).resolves.toBe('sketch-notes.txt');
    // Another file of the same name (from another folder) is sent under a name of its own.
    await page.getByRole('button', { name: 'Add evidence' }).click();
    await page
      .getByLabel('File of evidence 2')
      .setInputFiles({ name: 'sketch-notes.txt', mimeType: 'application/octet-stream', buffer: second });
    await page.getByLabel('Description of evidence 2').fill('The second page of the notes');
    await screenshot(page, 'dispute-complain-en');
    await page.getByRole('button', { name: 'File the complaint' }).click();
    expect(await settledText(page.getByTestId('complaint-filed'), 'Complaint filed.')).toBe('Complaint filed.');
    // The address names the new dispute, no longer the filing to complain about (a reload would fill the form again).
    const address = new URL(page.url()).searchParams;
    expect([address.has('filing'), address.get('dispute')]).toEqual([false, expect.stringMatching(/^[0-9a-f-]{36}$/)]);
    // The new dispute opens below, its evidence as the ledger inspected it.
    // The complainant is told which party is they.
    expect(await settledText(page.getByTestId('complainant'), 'Bob Complainant (you)')).toBe('Bob Complainant (you)');
    await expect(page.getByTestId('respondent').textContent()).resolves.toBe('Alice Painter');
    expect(await settledText(page.getByTestId('dispute-status'), /^opened/)).toMatch(/^opened/);
    await expect(page.getByTestId('dispute').textContent()).resolves.toContain(`sketch-notes.txt`);
    expect(tab.problems).toEqual([]);
  } finally {
    await tab.close();
  }
  const page = await ok('GET', `/v1/disputes?filingId=${filing.filingId}`, bob.key);
  expect(page.items).toHaveLength(1);
  const d = await ok('GET', `/v1/disputes/${page.items[0].disputeId}`, bob.key);
  expect(d).toMatchObject({
    type: 'infringement',
    filingId: filing.filingId,
    claim: 'The filed picture copies my sketch.',
    status: 'opened',
  });
  expect(d.evidence).toEqual([
    expect.objectContaining({
      sha256: sha256Hex(evidence),
      description: 'sketch-notes.txt',
      declaredAiGenerated: false,
      inspection: expect.objectContaining({ filename: 'sketch-notes.txt', size: evidence.length }),
    }),
    expect.objectContaining({
      sha256: sha256Hex(second),
      description: 'The second page of the notes',
      inspection: expect.objectContaining({ filename: 'sketch-notes (2).txt', size: second.length }),
    }),
  ]);
});

it('evidence declared AI-generated in the form returns the complaint at once', async () => {
  const filing = await ok('POST', '/v1/filings', alice.key, filingBody());
  const tab = await openTab(browser, server.url);
  try {
    const { page } = tab;
    await signIn(page, bob.key);
    await page.locator('summary', { hasText: 'File a complaint' }).click();
    await page.getByLabel('Filing complained about (its id)').fill(filing.filingId);
    await page.getByLabel('Claim').fill('My picture was first.');
    await page.getByRole('button', { name: 'Add evidence' }).click();
    await page
      .getByLabel('File of evidence 1')
      .setInputFiles({ name: 'render.bin', mimeType: 'application/octet-stream', buffer: randomBytes(512) });
    await page.getByLabel('Evidence 1 is AI-generated').check();
    await page.getByRole('button', { name: 'File the complaint' }).click();
    expect(await settledText(page.getByTestId('complaint-filed'), /returned at once/)).toBe(
      'The complaint was filed and returned at once: see why below.',
    );
    expect(await settledText(page.getByTestId('dispute-status'), /^returned/)).toMatch(/^returned/);
    await expect(page.getByTestId('returned').textContent()).resolves.toMatch(
      /its evidence cannot prove a right to a human-made work: it is AI-generated.*declared AI-generated/,
    );
    await expect(page.getByTestId('deadlines').count()).resolves.toBe(0);
    // The return is the ledger's, by its rule, not the complainant's.
    const returnRow = page.getByTestId('timeline').locator('tbody tr').nth(1);
    await expect(returnRow.textContent()).resolves.toContain('the ledger, by its rules');
    // Closed at once, it awaits no answer, and the view says of none that it is still to come.
    const view = page.getByTestId('dispute');
    await expect(view.textContent()).resolves.not.toContain("Respondent's answer");
    await expect(view.textContent()).resolves.not.toContain('No answer yet.');
    await screenshot(page, 'dispute-returned-en');
    await page.getByRole('button', { name: '中文' }).click();
    expect(await settledText(page.getByTestId('dispute-status'), /^已退回/)).toMatch(/^已退回/);
    await expect(view.textContent()).resolves.not.toContain(zhCN['reviewer.response']);
    await expect(view.textContent()).resolves.not.toContain(zhCN['reviewer.response.none']);
    await screenshot(page, 'dispute-returned-zh-CN');
    expect(tab.problems).toEqual([]);
  } finally {
    await tab.close();
  }
  const listed = await ok('GET', `/v1/disputes?filingId=${filing.filingId}`, bob.key);
  expect(listed.items).toEqual([expect.objectContaining({ status: 'returned' })]);
  const d = await ok('GET', `/v1/disputes/${listed.items[0].disputeId}`, bob.key);
  expect(d.evidence).toEqual([expect.objectContaining({ description: 'render.bin', declaredAiGenerated: true })]);
});

it('a certificate offers a complaint only where the ledger would take it: not about a withdrawn filing or one’s own; to a visitor without a key as well', async () => {
  const live = await ok('POST', '/v1/filings', alice.key, filingBody());
  const withdrawnBody = filingBody();
  const withdrawn = await ok('POST', '/v1/filings', alice.key, withdrawnBody);
  await ok('POST', `/v1/filings/${withdrawn.filingId}/withdraw`, alice.key, {});
  const complain = (page: Page) => page.getByRole('link', { name: 'Complain about this filing' });
  const tab = await openTab(browser, server.url);
  try {
    const { page } = tab;
    // A visitor without a key is shown the way to complain: the Disputes page, which asks for a creator's key.
    await page.goto(`/certificate/${live.filingId}`);
    await expect(complain(page).getAttribute('href')).resolves.toBe(`/reviewer?filing=${live.filingId}`);
    await page.goto(`/certificate/${withdrawn.filingId}`);
    await page.locator('.cert-withdrawn').waitFor();
    await expect(complain(page).count()).resolves.toBe(0);
    await signIn(page, bob.key);
    await page.goto(`/certificate/${live.filingId}`);
    await complain(page).waitFor();
    // A creator key's way back is to its filings.
    await expect(page.getByRole('link', { name: 'Back to my filings' }).count()).resolves.toBe(1);
    await expect(page.getByRole('link', { name: 'Check another file' }).count()).resolves.toBe(0);
    await page.goto(`/certificate/${withdrawn.filingId}`);
    await page.locator('.cert-withdrawn').waitFor();
    const withdrawnTitle = `Filing certificate (withdrawn): ${String(withdrawnBody.title)} · Sandbox Ledger`;
    expect(await settledTitle(page, withdrawnTitle)).toBe(withdrawnTitle);
    await page.waitForLoadState('networkidle'); // who the key is, read
    await expect(complain(page).count()).resolves.toBe(0);
    // Alice's own filing: she cannot complain about it.
    await signIn(page, alice.key);
    await page.goto(`/certificate/${live.filingId}`);
    await page.getByRole('button', { name: 'Print' }).waitFor();
    await page.waitForLoadState('networkidle');
    await expect(complain(page).count()).resolves.toBe(0);
  } finally {
    await tab.close();
  }
});

it('a refusal for a change made elsewhere meanwhile stays on the page, which shows the dispute as it now is', async () => {
  const filing = await ok('POST', '/v1/filings', alice.key, filingBody());
  const id = (await ok('POST', '/v1/disputes', bob.key, complaintBody(filing.filingId))).disputeId;
  await ok('POST', `/v1/disputes/${id}/response`, alice.key, { statement: 'Mine.' });
  await ok('POST', `/v1/disputes/${id}/assign`, rita.key, {});
  await ok('POST', `/v1/disputes/${id}/decision`, rita.key, { outcome: 'rejected', reasoning: 'No copy.' });
  const tab = await openTab(browser, server.url);
  try {
    const { page } = tab;
    await signIn(page, bob.key);
    await openDispute(page, id);
    await page.getByTestId('appeal-form').waitFor();
    // Withdrawn from another tab while this one writes its appeal.
    await ok('POST', `/v1/disputes/${id}/withdraw`, bob.key, {});
    await page.getByLabel('Grounds').fill('Look again.');
    await page.getByRole('button', { name: 'File the appeal' }).click();
    const refusal = page.getByTestId('state-refusal');
    expect(await settledText(refusal, /withdrawn/)).toMatch(/^The ledger refused: the complaint was withdrawn/);
    expect(await settledText(page.getByTestId('dispute-status'), /^withdrawn/)).toMatch(/^withdrawn/);
    await expect(page.getByTestId('appeal-form').count()).resolves.toBe(0);
    expect(tab.problems.filter((p) => !/status of 409/.test(p))).toEqual([]);
  } finally {
    await tab.close();
  }
  const recorded = await ok('GET', `/v1/disputes/${id}`, bob.key);
  expect(recorded.appeals).toEqual([]);
});

it('deadlines are the ledger’s: a browser whose clock runs ten days fast still offers the answer that is due in seven', async () => {
  const filing = await ok('POST', '/v1/filings', alice.key, filingBody());
  const id = (await ok('POST', '/v1/disputes', bob.key, complaintBody(filing.filingId))).disputeId;
  const tab = await openTab(browser, server.url);
  try {
    const { page } = tab;
    await page.clock.setFixedTime(new Date(Date.now() + 10 * 86_400_000));
    await signIn(page, alice.key);
    const row = page.locator(`[data-testid="queue"] [data-dispute="${id}"]`);
    expect(await settledText(row.locator('td').first(), /^Answer due/)).toMatch(/^Answer due/);
    await openDispute(page, id);
    await page.getByTestId('respond-form').waitFor();
    expect(tab.problems).toEqual([]);
  } finally {
    await tab.close();
  }
});

it('the open dispute is kept in the address: back from its filing’s certificate, or after a reload, it is open again', async () => {
  const tab = await openTab(browser, server.url);
  try {
    const { page } = tab;
    await signIn(page, bob.key);
    await openDispute(page, disputeId);
    expect(new URL(page.url()).searchParams.get('dispute')).toBe(disputeId);
    await page.getByTestId('dispute-filing').getByRole('link', { name: 'certificate' }).click();
    expect(await settledText(page.locator('h1'), 'Filing certificate')).toBe('Filing certificate');
    expect(await settledTitle(page, `Filing certificate: ${filedTitle} · Sandbox Ledger`)).toBe(
      `Filing certificate: ${filedTitle} · Sandbox Ledger`,
    );
    await page.goBack();
    await page.getByTestId('dispute').waitFor();
    await expect(page.locator('#dispute-heading').textContent()).resolves.toBe('Dispute: Infringement');
    await expect(page.getByTestId('dispute').textContent()).resolves.toContain(disputeId);
    await page.reload();
    await page.getByTestId('dispute').waitFor();
    await expect(page.getByTestId('dispute').textContent()).resolves.toContain(disputeId);
    // Forgetting the key closes it, and the address no longer names it.
    await page.getByRole('button', { name: 'Forget key' }).click();
    await expect(page.getByTestId('dispute').count()).resolves.toBe(0);
    expect(new URL(page.url()).searchParams.has('dispute')).toBe(false);
    expect(tab.problems).toEqual([]);
  } finally {
    await tab.close();
  }
});

it('a link to a dispute opened without a key opens that dispute once the key is given; a refused key is said to be refused', async () => {
  const tab = await openTab(browser, server.url);
  try {
    const { page } = tab;
    await page.goto(`/reviewer?dispute=${disputeId}`);
    await page.getByLabel(en['key.label']).fill(`${bob.key.slice(0, -4)}AAAA`); // a key the ledger does not know
    await page.getByRole('button', { name: en['key.use'] }).click();
    expect(await settledText(page.getByTestId('key-status'), en['key.refused'])).toBe(en['key.refused']);
    // Said once under the panel, with the ledger's reason; the lists of disputes, which it cannot read, are not shown.
    await expect(page.locator('.problem').allTextContents()).resolves.toEqual([
      expect.stringMatching(/The ledger does not know this API key, or it was revoked\./),
    ]);
    await expect(page.getByTestId('queue').count()).resolves.toBe(0);
    await page.getByLabel(en['key.label']).fill(bob.key); // the right key in place of the refused one
    await page.getByRole('button', { name: en['key.use'] }).click();
    expect(await settledText(page.getByTestId('key-status'), en['key.active'])).toBe(en['key.active']);
    await page.getByTestId('dispute').waitFor();
    await expect(page.getByTestId('dispute').textContent()).resolves.toContain(disputeId);
    expect(new URL(page.url()).searchParams.get('dispute')).toBe(disputeId);
    expect(tab.problems.filter((p) => !/status of 401/.test(p))).toEqual([]);
  } finally {
    await tab.close();
  }
});

it('fits a phone’s screen: no page scrolls sideways at 390 pixels', async () => {
  // A title that is one long word, as a file name is.
  const longTitle = `harbour_at_dusk_final_v3_upscaled_4x_${'x'.repeat(48)}.png`;
  const long = await ok('POST', '/v1/filings', alice.key, filingBody({ title: longTitle }));
  // What a party writes, as one long word too: a claim at its longest, an evidence description.
  const longDispute = (
    await ok('POST', '/v1/disputes', bob.key, {
      ...complaintBody(long.filingId),
      claim: 'y'.repeat(10_000),
      evidence: [{ sha256: sha256Hex(Buffer.from('evidence')), description: 'z'.repeat(1000), declaredAiGenerated: false }],
    })
  ).disputeId;
  const closed = (await ok('POST', '/v1/disputes', bob.key, complaintBody(long.filingId))).disputeId;
  await ok('POST', `/v1/disputes/${closed}/withdraw`, bob.key, {});
  const tab = await openTab(browser, server.url);
  try {
    const { page } = tab;
    await page.setViewportSize({ width: 390, height: 844 });
    const fits = async (what: string) => {
      const [scroll, client] = await page.evaluate(() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]);
      expect({ what, scroll }).toEqual({ what, scroll: client });
    };
    for (const path of ['/', '/creator', '/reviewer', '/auditor']) {
      await page.goto(path);
      await page.locator('h1').waitFor();
      await fits(path);
    }
    // The disputes page: on a phone its list and an open dispute's timeline are cards, one a dispute, one an entry.
    await signIn(page, bob.key);
    await openDispute(page, disputeId);
    await page.getByTestId('timeline').waitFor();
    // A party is told which entries are its own.
    expect(await settledText(page.getByTestId('timeline').locator('tbody tr').first(), /Bob Complainant \(you\)/)).toMatch(
      /Bob Complainant \(you\)/,
    );
    await fits('/reviewer with a dispute open');
    // On a card a cell says what it is: a dispute without flags shows no lone dash for them.
    const loneDashes = (list: string) =>
      page
        .getByTestId(list)
        .locator('td')
        .evaluateAll((cells) => cells.filter((c) => c.checkVisibility() && c.textContent?.trim() === '—').length);
    await expect(loneDashes('queue')).resolves.toBe(0);
    // The timeline is read in full, its times included: nothing of it lies past the edge of the box it is in.
    const timelineFits = () =>
      page.getByTestId('timeline').evaluate((table) => {
        const box = table.parentElement!;
        const edge = box.getBoundingClientRect().right;
        const lines = [...table.querySelectorAll('.times > *')].filter((e) => e.checkVisibility());
        return {
          scrolls: box.scrollWidth > box.clientWidth,
          timeLines: lines.length > 0,
          pastEdge: lines.filter((e) => e.getBoundingClientRect().right > edge).length,
        };
      });
    await expect(timelineFits()).resolves.toEqual({ scrolls: false, timeLines: true, pastEdge: 0 });
    await screenshot(page, 'dispute-phone-en');
    // The same in Chinese, each entry's cells named in it.
    await page.getByRole('button', { name: '中文' }).click();
    expect(await settledText(page.locator('#dispute-heading'), /^争议/)).toMatch(/^争议/);
    const label = page
      .getByTestId('timeline')
      .locator('td')
      .first()
      .evaluate((cell) => getComputedStyle(cell, '::before').content);
    await expect(label).resolves.toBe(`"${zhCN['reviewer.timeline.leaf']}"`);
    await expect(timelineFits()).resolves.toEqual({ scrolls: false, timeLines: true, pastEdge: 0 });
    await fits('/reviewer with a dispute open, in Chinese');
    await screenshot(page, 'dispute-phone-zh-CN');
    // A closed dispute's card names the date it starts with, its column's name hidden: in Chinese, then in English.
    await page.getByRole('button', { name: zhCN['reviewer.closed.show'] }).click();
    const openedCell = page.locator(`[data-testid="closed"] [data-dispute="${closed}"] td`).first();
    const openedLabel = () =>
      openedCell.evaluate((cell) => {
        const before = getComputedStyle(cell, '::before');
        return { content: before.content, display: before.display };
      });
    await openedCell.waitFor();
    await expect(openedLabel()).resolves.toEqual({ content: `"${zhCN['reviewer.dispute.opened']}"`, display: 'block' });
    await screenshot(page, 'closed-disputes-phone-zh-CN');
    await page.getByRole('button', { name: 'English' }).click();
    expect(await settledText(page.locator('#dispute-heading'), /^Dispute: /)).toMatch(/^Dispute: /);
    await expect(openedLabel()).resolves.toEqual({ content: `"${en['reviewer.dispute.opened']}"`, display: 'block' });
    await fits('/reviewer with the closed disputes shown');
    await screenshot(page, 'closed-disputes-phone-en');
    await openDispute(page, longDispute);
    expect(await settledText(page.getByTestId('filing-title'), longTitle)).toBe(longTitle);
    await fits('/reviewer with a long title, claim and evidence description');
    await expect(page.getByTestId('dispute').textContent()).resolves.toContain('y'.repeat(10_000));
    // The certificate is one column on a phone, its QR code inside the sheet.
    await page.goto(`/certificate/${long.filingId}`);
    await page.getByTestId('cert-qr').waitFor();
    await fits('/certificate with a long title');
    const [sheet, qr, caption] = await Promise.all([
      page.locator('.certificate').boundingBox(),
      page.getByTestId('cert-qr').boundingBox(),
      page.locator('.cert-qr figcaption').boundingBox(),
    ]);
    expect(qr!.x + qr!.width).toBeLessThanOrEqual(sheet!.x + sheet!.width);
    // The QR code is centred under its caption.
    expect(Math.abs(qr!.x + qr!.width / 2 - (caption!.x + caption!.width / 2))).toBeLessThanOrEqual(2);
    // The print button, on a line of its own, starts where the links above it start.
    const [links, print] = await Promise.all([
      page.locator('.cert-toolbar').getByRole('link').first().boundingBox(),
      page.getByRole('button', { name: 'Print or save as PDF' }).boundingBox(),
    ]);
    expect(print!.y).toBeGreaterThan(links!.y);
    expect(Math.abs(print!.x - links!.x)).toBeLessThanOrEqual(1);
    await expect(page.getByTestId('cert-title').evaluate((e) => e.getBoundingClientRect().width)).resolves.toBeGreaterThan(200);
    await screenshot(page, 'certificate-phone-en');
    // Another key in place of the one in use: the page is the new key's.
    await signIn(page, alice.key, '/creator');
    expect(await settledText(page.getByTestId('creator-me'), /^Signed in as Alice Painter/)).toMatch(/^Signed in as Alice Painter/);
    await page.getByTestId('filing-title').first().waitFor();
    await fits('/creator with a long title');
  } finally {
    await tab.close();
  }
});
