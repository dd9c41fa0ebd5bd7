// The reviewer page in Debian's Chromium against the compiled server: a reviewer finds a complaint in the queue, reads it
// with the parties' names, assigns it to themself and decides it through the forms; another reviewer decides the
// appeal, offered only the remedies the rules allow. Each decision is then read back through the API.
import { randomBytes } from 'node:crypto';
import type { Browser } from 'playwright-core';
import { launchBrowser, openTab, screenshot, settledText, signIn } from '../support/browser.js';
import { complaintBody, registerPrincipal, type Who } from '../support/cast.js';
import { startConsoleServer, type ConsoleServer } from '../support/console-server.js';
import { callOk } from '../support/http-client.js';
import { filingBody } from '../support/ledger-app.js';

let server: ConsoleServer;
let browser: Browser;
let alice: Who, bob: Who, rita: Who, rafael: Who;
let disputeId: string;

const ok = (method: string, path: string, key: string, body?: unknown) => callOk(server.url, method, path, key, body);

beforeAll(async () => {
  [server, browser] = await Promise.all([startConsoleServer(), launchBrowser()]);
  [alice, bob, rita, rafael] = await Promise.all([
    registerPrincipal(server.url, server.adminKey, 'Alice Painter', ['creator']),
    registerPrincipal(server.url, server.adminKey, 'Bob Complainant', ['creator']),
    registerPrincipal(server.url, server.adminKey, 'Rita Reviewer', ['reviewer']),
    registerPrincipal(server.url, server.adminKey, 'Rafael Reviewer', ['reviewer']),
  ]);
  // Bob filed a picture first; Alice's filing looks the same (equal perceptual hash), so her right is flagged for a similarity review.
  const phash = { scheme: 'phash64', value: randomBytes(8).toString('hex') };
  await ok('POST', '/v1/filings', bob.key, filingBody({ perceptualHash: phash }));
  const filing = await ok('POST', '/v1/filings', alice.key, filingBody({ perceptualHash: phash }));
  disputeId = (await ok('POST', '/v1/disputes', bob.key, complaintBody(filing.filingId))).disputeId;
  // The respondent is heard first: a decision waits for the answer (or for the response window to close).
  await ok('POST', `/v1/disputes/${disputeId}/response`, alice.key, { statement: 'It is my own work.' });
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

it('a reviewer takes a complaint from the queue and upholds it with a remedy its type allows, through the forms', async () => {
  const tab = await openTab(browser, server.url);
  try {
    const { page } = tab;
    await signIn(page, rita.key);
    const row = page.locator(`[data-dispute="${disputeId}"]`);
    expect(await settledText(row.locator('td').nth(3), 'Bob Complainant → Alice Painter')).toBe('Bob Complainant → Alice Painter');
    await expect(row.locator('td').nth(1).textContent()).resolves.toBe('Infringement');
    await expect(row.locator('td').nth(4).textContent()).resolves.toBe('similarity review');
    // Opened by keyboard.
    await page.getByRole('button', { name: `Open dispute ${disputeId}` }).focus();
    await page.keyboard.press('Enter');
    expect(await settledText(page.getByTestId('complainant'), 'Bob Complainant')).toBe('Bob Complainant');
    await expect(page.getByTestId('respondent').textContent()).resolves.toBe('Alice Painter');
    await expect(page.getByTestId('timeline').locator('tbody tr').count()).resolves.toBe(2); // filed, answered
    await expect(page.getByTestId('timeline').locator('tbody tr').first().locator('td').nth(3).textContent()).resolves.toBe(
      'Bob Complainant',
    );
    await expect(page.getByTestId('timeline').locator('tbody tr').first().locator('td').nth(1).textContent()).resolves.toBe(
      'complaint filed',
    );

    await page.getByRole('button', { name: 'Assign' }).click();
    expect(await settledText(page.getByTestId('saved'), 'Assigned.')).toBe('Assigned.');
    expect(await settledText(page.getByTestId('assignee'), 'Rita Reviewer (you)')).toBe('Rita Reviewer (you)');

    // Nothing is chosen beforehand: sent as it opens, with a reasoning, the form asks for an outcome and sends nothing.
    let decisionsSent = 0;
    await page.route('**/v1/disputes/*/decision', async (route) => {
      decisionsSent++;
      await route.continue();
    });
    const outcomes = page.locator('input[name=outcome]');
    await expect(outcomes.evaluateAll((inputs) => inputs.map((i) => (i as HTMLInputElement).checked))).resolves.toEqual([false, false]);
    const remedy = page.getByLabel('Remedy', { exact: true });
    await expect(remedy.count()).resolves.toBe(0);
    await page.getByLabel('Reasoning').fill('The copy carries no visible label.');
    await page.getByRole('button', { name: 'Record the decision' }).click();
    await expect(outcomes.first().evaluate((i) => (i as HTMLInputElement).validity.valueMissing)).resolves.toBe(true);
    await expect(page.evaluate(() => document.activeElement?.getAttribute('name'))).resolves.toBe('outcome'); // the browser points at it
    // Upheld, the remedy starts on none either, and an infringement complaint cannot transfer the right: not offered.
    await page.getByLabel('upheld').check();
    await expect(remedy.locator('option').allTextContents()).resolves.toEqual([
      'Choose a remedy',
      'revoke the right',
      'suspend the right until relabelled',
    ]);
    await expect(remedy.inputValue()).resolves.toBe('');
    await page.getByRole('button', { name: 'Record the decision' }).click();
    await expect(remedy.evaluate((select) => (select as HTMLSelectElement).validity.valueMissing)).resolves.toBe(true);
    await expect(page.evaluate(() => document.activeElement?.id)).resolves.toBe('decide-remedy');
    expect(decisionsSent).toBe(0);
    expect((await ok('GET', `/v1/disputes/${disputeId}`, rita.key)).status).toBe('assigned');
    await remedy.selectOption('suspend');
    await screenshot(page, 'reviewer-decide-en');
    await page.getByRole('button', { name: 'Record the decision' }).click();
    expect(await settledText(page.getByTestId('saved'), 'Decision recorded.')).toBe('Decision recorded.');
    expect(decisionsSent).toBe(1);
    expect(await settledText(page.getByTestId('outcome'), 'upheld · suspend the right until relabelled')).toBe(
      'upheld · suspend the right until relabelled',
    );
    await screenshot(page, 'reviewer-decided-en');
    expect(tab.problems).toEqual([]);
  } finally {
    await tab.close();
  }
  const recorded = await ok('GET', `/v1/disputes/${disputeId}`, rita.key);
  expect(recorded).toMatchObject({ status: 'decided', outcome: 'upheld', remedy: 'suspend', assignee: rita.id });
  expect(recorded.decision).toMatchObject({
    outcome: 'upheld',
    remedy: 'suspend',
    decidedBy: rita.id,
    reasoning: 'The copy carries no visible label.',
  });
  expect(recorded.timeline.map((e: { type: string }) => e.type)).toEqual([
    'ComplaintFiled',
    'ResponseSubmitted',
    'DisputeAssigned',
    'DisputeDecided',
  ]);
});

it('another reviewer decides the appeal, offered only the rulings and remedies the rules allow; the first reviewer is told why not', async () => {
  await ok('POST', `/v1/disputes/${disputeId}/appeal`, alice.key, { grounds: 'The host cropped the copy.' });
  const tab = await openTab(browser, server.url, 'en-US');
  try {
    const { page } = tab;
    // The first decision's reviewer may not decide the appeal: no form, and the page says why.
    await signIn(page, rita.key);
    await page.getByRole('button', { name: `Open dispute ${disputeId}` }).click();
    expect(await settledText(page.getByTestId('reviewer-note'), /another reviewer/)).toBe(
      'You decided this dispute: its appeal is decided by another reviewer.',
    );
    await expect(page.getByRole('button', { name: 'Record the appeal decision' }).count()).resolves.toBe(0);

    await page.getByRole('button', { name: 'Forget key' }).click();
    await page.getByLabel('API key (kept in this tab only)').fill(rafael.key);
    await page.getByRole('button', { name: 'Use key' }).click();
    await page.getByRole('button', { name: `Open dispute ${disputeId}` }).click();
    expect(await settledText(page.getByTestId('dispute-status'), /^appealed/)).toMatch(/^appealed/);
    const rulings = page.locator('input[name=ruling]');
    await expect(rulings.evaluateAll((inputs) => inputs.map((i) => (i as HTMLInputElement).value))).resolves.toEqual([
      'affirm',
      'reverse',
      'vary',
    ]);
    // No ruling is chosen beforehand.
    await expect(rulings.evaluateAll((inputs) => inputs.map((i) => (i as HTMLInputElement).checked))).resolves.toEqual([
      false,
      false,
      false,
    ]);
    await page.getByLabel('vary its remedy').check();
    await page.getByLabel('Remedy', { exact: true }).waitFor();
    // Varying must change the remedy, and an infringement complaint cannot transfer: revoke is the only choice left,
    // and still the reviewer's to make.
    await expect(page.getByLabel('Remedy', { exact: true }).locator('option').allTextContents()).resolves.toEqual([
      'Choose a remedy',
      'revoke the right',
    ]);
    await expect(page.getByLabel('Remedy', { exact: true }).inputValue()).resolves.toBe('');
    await page.getByLabel('reverse its outcome').check();
    // Reversing an upheld complaint rejects it: no remedy is offered.
    await page.getByLabel('Remedy', { exact: true }).waitFor({ state: 'detached', timeout: 5_000 });
    await page.getByLabel('vary its remedy').check();
    await page.getByLabel('Remedy', { exact: true }).selectOption('revoke');
    await page.getByLabel('Reasoning').fill('Suspension is not enough for a repeated omission.');
    await page.getByRole('button', { name: 'Record the appeal decision' }).click();
    expect(await settledText(page.getByTestId('saved'), 'Appeal decision recorded.')).toBe('Appeal decision recorded.');
    expect(
      await settledText(page.getByTestId('appeal-decision'), /^varied · upheld · revoke the right — Rafael Reviewer \(you\), /),
    ).toMatch(/^varied · upheld · revoke the right — Rafael Reviewer \(you\), /);
    await screenshot(page, 'reviewer-appeal-decided-en');
    // Everyone else reads the appeal's reviewer by name too, there and in the timeline.
    await page.getByRole('button', { name: 'Forget key' }).click();
    await signIn(page, rita.key, `/reviewer?dispute=${disputeId}`);
    expect(await settledText(page.getByTestId('appeal-decision'), /— Rafael Reviewer, /)).toMatch(
      /^varied · upheld · revoke the right — Rafael Reviewer, /,
    );
    await expect(page.getByTestId('timeline').textContent()).resolves.toContain('Rafael Reviewer');
    await expect(page.getByTestId('timeline').textContent()).resolves.not.toContain(rafael.id);
    expect(tab.problems).toEqual([]);
  } finally {
    await tab.close();
  }
  const recorded = await ok('GET', `/v1/disputes/${disputeId}`, rafael.key);
  expect(recorded).toMatchObject({ status: 'final', outcome: 'upheld', remedy: 'revoke' });
  expect(recorded.appealDecision).toMatchObject({ ruling: 'varied', remedy: 'revoke', decidedBy: rafael.id });
  expect(recorded.people).toEqual(expect.arrayContaining([{ id: rafael.id, name: 'Rafael Reviewer' }]));
});

it('shows the reviewer page in Chinese, the queue and an open dispute', async () => {
  const filing = await ok('POST', '/v1/filings', alice.key, filingBody());
  const opened = (await ok('POST', '/v1/disputes', bob.key, complaintBody(filing.filingId))).disputeId;
  const tab = await openTab(browser, server.url, 'zh-CN');
  try {
    const { page } = tab;
    await signIn(page, rafael.key, '/reviewer', 'zh-CN');
    expect(await settledText(page.locator('#queue-heading'), '未结争议')).toBe('未结争议');
    const row = page.locator(`[data-dispute="${opened}"]`);
    expect(await settledText(row.locator('td').nth(1), '侵权')).toBe('侵权');
    await page.getByRole('button', { name: `打开争议 ${opened}` }).click();
    expect(await settledText(page.locator('#dispute-heading'), '争议：侵权')).toBe('争议：侵权');
    expect(await settledText(page.getByTestId('dispute-status'), /^已立案/)).toMatch(/^已立案/);
    await expect(page.getByTestId('complainant').textContent()).resolves.toBe('Bob Complainant');
    await screenshot(page, 'reviewer-zh-CN');
    expect(tab.problems).toEqual([]);
  } finally {
    await tab.close();
  }
});

it('names the key, and says when it has no reviewer role, as the creator page does', async () => {
  const tab = await openTab(browser, server.url);
  try {
    const { page } = tab;
    await signIn(page, alice.key);
    const me = page.getByTestId('reviewer-me');
    expect(await settledText(me, /Alice Painter/)).toBe(
      `Signed in as Alice Painter (${alice.id}). This key has no reviewer role: it sees the disputes it is a party to, where it may answer, appeal or withdraw.`,
    );
    await screenshot(page, 'reviewer-not-a-reviewer-en');
    await signIn(page, rafael.key);
    expect(await settledText(me, /Rafael Reviewer/)).toBe(`Signed in as Rafael Reviewer (${rafael.id}).`);
    // An admin may assign a dispute, not decide it.
    await signIn(page, server.adminKey);
    expect(await settledText(me, /deciding/)).toMatch(
      /This key has no reviewer role: deciding disputes is refused \(as an admin it may assign them\)\.$/,
    );
  } finally {
    await tab.close();
  }
});
