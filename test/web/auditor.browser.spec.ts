// The auditor page in Debian's Chromium against the compiled server: an export file verified in a Web Worker gives the
// verdict and message `sandbox-ledger verify` prints for the same files (genuine, and with one byte changed); the
// checkpoint monitor verifies the served checkpoint and its growth, and raises an alarm on a tampered checkpoint or
// consistency proof (answers altered in flight with page.route); keys the auditor pins are used instead of the served
// ones, and served keys that differ from them (or change while the page is open) raise an alarm. On the Chinese page the
// verdict and a key's refusal are worded in Chinese.
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';
import { ed25519 } from '@noble/curves/ed25519.js';
import type { Browser, Page } from 'playwright-core';
import { makeTsaCertificates } from '../../src/bench/openssl-tsa.js';
import { ROOT } from '../../src/bench/processes.js';
import { formatVkey } from '../../src/verifier/note.js';
import { launchBrowser, openTab, screenshot, settledText, settledValue } from '../support/browser.js';
import { registerPrincipal, type Who } from '../support/cast.js';
import { startConsoleServer, type ConsoleServer } from '../support/console-server.js';
import { call, send } from '../support/http-client.js';
import { filingBody, tempDir } from '../support/ledger-app.js';
import { zhCN } from '../../web/src/i18n/zh-CN.js';
import { buildLog, ndjson as ndjsonOf, newSigner, rechain, recordedAtOf, workFiledData } from '../verifier/fixture.js';

let server: ConsoleServer;
let browser: Browser;
let auditor: Who;
let dir: string;

beforeAll(async () => {
  [server, browser] = await Promise.all([startConsoleServer(), launchBrowser()]);
  dir = tempDir('ledger-auditor-');
  auditor = await registerPrincipal(server.url, server.adminKey, 'Audrey Auditor', ['auditor']);
  const alice = await registerPrincipal(server.url, server.adminKey, 'Alice Painter', ['creator']);
  for (let i = 0; i < 3; i++) {
    const res = await call(server.url, 'POST', '/v1/filings', alice.key, filingBody());
    if (res.status !== 201) throw new Error(`file: ${res.status} ${res.text}`);
  }
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const get = async (path: string, key?: string) => {
  const res = await send(server.url, { method: 'GET', path, headers: key ? { authorization: `Bearer ${key}` } : {} });
  if (res.status !== 200) throw new Error(`${path}: HTTP ${res.status}`);
  return res.text;
};

/** What the CLI prints for these files (its exit status aside), without the speed figures of a success. */
async function cliSays(exportPath: string, checkpointPath: string, vkeyPath: string): Promise<string> {
  const args = [
    join(ROOT, 'bin', 'sandbox-ledger.js'),
    'verify',
    '--export',
    exportPath,
    '--checkpoint',
    checkpointPath,
    '--vkey',
    vkeyPath,
  ];
  const out = await promisify(execFile)(process.execPath, args).then(
    (r) => r.stdout,
    (err: { stdout: string }) => err.stdout,
  );
  return withoutSpeed(out.trim());
}
const withoutSpeed = (line: string) => line.replace(/ \(\d+ events\/s, [\d.]+ MB\/s, [^)]+\)$/, '');

it('verifies a genuine export in the browser with the verdict and message of the CLI, and rejects one with a changed byte as the CLI does', async () => {
  const [ndjson, checkpoint, vkey] = [
    await get('/v1/ledger/export', auditor.key),
    await get('/v1/ledger/checkpoint'),
    await get('/v1/ledger/key'),
  ];
  const lines = ndjson.trimEnd().split('\n');
  expect(checkpoint.split('\n')[1]).toBe(String(lines.length)); // the export and the checkpoint cover the same tree
  const files = {
    export: join(dir, 'log.ndjson'),
    checkpoint: join(dir, 'checkpoint'),
    vkey: join(dir, 'vkey'),
    tampered: join(dir, 'tampered.ndjson'),
  };
  writeFileSync(files.export, ndjson);
  writeFileSync(files.checkpoint, checkpoint);
  writeFileSync(files.vkey, vkey);
  // One byte of one event changed: a name in a principal's registration.
  const leaf = lines.findIndex((l) => l.includes('"name":"Alice Painter"'));
  expect(leaf).toBeGreaterThan(0);
  const tampered = [...lines];
  tampered[leaf] = tampered[leaf].replace('"name":"Alice Painter"', '"name":"Alice Paintes"');
  writeFileSync(files.tampered, tampered.join('\n') + '\n');
  // The same name with one byte that is not UTF-8 (a lenient decoder reads U+FFFD): not the bytes the log wrote.
  const undecodable = Buffer.from(ndjson);
  undecodable[undecodable.indexOf('"name":"Alice Painter"') + 9] = 0xff;
  writeFileSync(join(dir, 'undecodable.ndjson'), undecodable);
  const [cliGenuine, cliTampered, cliUndecodable] = await Promise.all([
    cliSays(files.export, files.checkpoint, files.vkey),
    cliSays(files.tampered, files.checkpoint, files.vkey),
    cliSays(join(dir, 'undecodable.ndjson'), files.checkpoint, files.vkey),
  ]);
  expect(cliGenuine).toMatch(
    new RegExp(
      `^ok: ${lines.length} events in \\d+ streams; root of those ${lines.length} events [A-Za-z0-9+/]{43}= \\(base64, as in checkpoint notes\\); 1 checkpoint\\(s\\) verified`,
    ),
  );
  expect(cliTampered).toMatch(new RegExp(`^FAILED at leaf ${leaf}: `));
  expect(cliUndecodable).toBe(`FAILED at leaf ${leaf}: line is not well-formed UTF-8`);

  const tab = await openTab(browser, server.url);
  try {
    const { page } = tab;
    await page.goto('/auditor');
    // The ledger's latest checkpoint and key (the defaults), and a genuine export.
    await page.getByLabel('Export file (NDJSON)').setInputFiles(files.export);
    await page.getByRole('button', { name: 'Verify the export' }).click();
    const message = page.getByTestId('export-message');
    const genuine = await settledText(message, /^ok: /, 30_000);
    expect(withoutSpeed(genuine ?? '')).toBe(cliGenuine);
    expect(genuine).toMatch(/ \(\d+ events\/s, [\d.]+ MB\/s, checked in a Web Worker\)$/);
    await expect(page.getByTestId('export-verdict').getAttribute('role')).resolves.toBe('status');
    await expect(page.locator('#export-progress').getAttribute('value')).resolves.toBe('100');
    await screenshot(page, 'auditor-export-ok-en');

    // The tampered export, against the same checkpoint and key given as files.
    await page.getByLabel('Export file (NDJSON)').setInputFiles(files.tampered);
    await page.getByLabel('Checkpoint file (optional)').setInputFiles(files.checkpoint);
    await page.getByLabel('Verifier key file (optional)').setInputFiles(files.vkey);
    await page.getByRole('button', { name: 'Verify the export' }).click();
    expect(await settledText(message, /^FAILED/, 30_000)).toBe(cliTampered);
    await expect(page.getByTestId('export-verdict').getAttribute('role')).resolves.toBe('alert');
    await expect(page.getByTestId('export-verdict').locator('strong').textContent()).resolves.toBe('The export does NOT verify.');
    // The bar says how far it read, up to the line that failed, and that the check stopped there.
    const stoppedAt = Number(await page.locator('#export-progress').getAttribute('value'));
    expect(stoppedAt).toBeGreaterThan(0);
    expect(stoppedAt).toBeLessThan(100);
    await expect(page.locator('label[for=export-progress]').textContent()).resolves.toBe(
      `Stopped at ${stoppedAt} % of the file: the check ends at the first failure`,
    );
    await screenshot(page, 'auditor-export-tampered-en');

    await page.getByLabel('Export file (NDJSON)').setInputFiles(join(dir, 'undecodable.ndjson'));
    await page.getByRole('button', { name: 'Verify the export' }).click();
    expect(await settledText(message, new RegExp(`^FAILED at leaf ${leaf}: line`), 30_000)).toBe(cliUndecodable);

    // A checkpoint as a copy of it often is, and as the CLI takes it: a blank line after it (`jq -r`), CRLF line
    // breaks and a byte-order mark (a Windows editor).
    const saved = join(dir, 'checkpoint-saved');
    writeFileSync(saved, `\uFEFF${checkpoint}\n`.replace(/\n/g, '\r\n'));
    const cliSaved = await cliSays(files.export, saved, files.vkey);
    expect(cliSaved).toBe(cliGenuine);
    await page.getByLabel('Export file (NDJSON)').setInputFiles(files.export);
    await page.getByLabel('Checkpoint file (optional)').setInputFiles(saved);
    await page.getByRole('button', { name: 'Verify the export' }).click();
    expect(withoutSpeed((await settledText(message, /^ok: /, 30_000)) ?? '')).toBe(cliSaved);
    expect(tab.problems).toEqual([]);
  } finally {
    await tab.close();
  }
});

/** The export, checkpoint and vkey files of a log `signer` signed, under `name` in the test's directory. */
function signedFiles(name: string, events: ReturnType<typeof buildLog>, signer: ReturnType<typeof newSigner>) {
  const files = { export: join(dir, `${name}.ndjson`), checkpoint: join(dir, `${name}-checkpoint`), vkey: join(dir, `${name}-vkey`) };
  writeFileSync(files.export, ndjsonOf(events).join('\n') + '\n');
  writeFileSync(files.checkpoint, signer.checkpoint(events));
  writeFileSync(files.vkey, `${signer.vkey}\n`);
  return files;
}

/**
 * The auditor's page verifies `files` in English and in Chinese: each says `english` (what the CLI says) or `chinese`,
 * with the file read to its end, screenshot as `shot`.
 */
async function pageFails(files: ReturnType<typeof signedFiles>, english: string, chinese: string, shot: string) {
  for (const lang of ['en-US', 'zh-CN'] as const) {
    const tab = await openTab(browser, server.url, lang);
    try {
      const { page } = tab;
      await page.goto('/auditor');
      const label = (key: keyof typeof zhCN, text: string) => (lang === 'en-US' ? text : zhCN[key]);
      await page.getByLabel(label('auditor.export.file', 'Export file (NDJSON)')).setInputFiles(files.export);
      await page.getByLabel(label('auditor.export.checkpoint', 'Checkpoint file (optional)')).setInputFiles(files.checkpoint);
      await page.getByLabel(label('auditor.export.vkey', 'Verifier key file (optional)')).setInputFiles(files.vkey);
      await page.getByRole('button', { name: label('auditor.export.verify', 'Verify the export') }).click();
      const message = page.getByTestId('export-message');
      const said = await settledText(message, lang === 'en-US' ? /^FAILED/ : /^未通过/, 30_000);
      expect(said).toBe(lang === 'en-US' ? english : chinese);
      // Named once the whole file was read: the bar says so, not that the check stopped.
      await expect(page.locator('label[for=export-progress]').textContent()).resolves.toBe(
        lang === 'en-US' ? 'Read 100 %' : '已读取 100 %',
      );
      await screenshot(page, `${shot}-${lang}`);
      expect(tab.problems).toEqual([]);
    } finally {
      await tab.close();
    }
  }
}

it("names an event the log's key signed that is not in the event catalogue, as the CLI does, and in Chinese", async () => {
  // A log whose key signed a filing with a member no WorkFiled has (its own signer: the page takes the key as a file).
  const signer = newSigner();
  const forged = buildLog([
    { stream: 'filing-f1', type: 'WorkFiled', data: workFiledData('f1', recordedAtOf(0)) },
    { stream: 'filing-f2', type: 'WorkFiled', data: workFiledData('f2', recordedAtOf(1), { filedBefore: '2025-01-01T00:00:00.000Z' }) },
  ]);
  const files = signedFiles('uncatalogued', forged, signer);
  const cli = await cliSays(files.export, files.checkpoint, files.vkey);
  expect(cli).toBe(
    "FAILED at leaf 1: WorkFiled's data member /filedBefore is one its type does not have: the event is not as " +
      'the event catalogue has it, and the sandbox rules would misread it',
  );
  await pageFails(
    files,
    cli,
    '未通过（叶序号 1）：WorkFiled 的 data 成员 /filedBefore 是该类型没有的成员：该事件与事件目录不符，沙盒规则会误读它',
    'auditor-export-uncatalogued',
  );
});

it('names an event id given twice in a log its key signed, as the CLI does, and in Chinese', async () => {
  const signer = newSigner();
  const filed = buildLog(
    ['f1', 'f2', 'f3'].map((id, i) => ({ stream: `filing-${id}`, type: 'WorkFiled', data: workFiledData(id, recordedAtOf(i)) })),
  );
  filed[2].id = filed[0].id;
  const files = signedFiles('repeated-id', rechain(filed, 2), signer);
  const cli = await cliSays(files.export, files.checkpoint, files.vkey);
  expect(cli).toBe(`FAILED at leaf 2: event id "${filed[0].id}" is already used by leaf 0: each event's id must be unique`);
  await pageFails(
    files,
    cli,
    `未通过（叶序号 2）：事件 ID "${filed[0].id}" 已被叶序号 0 的事件使用：每个事件的 ID 必须唯一`,
    'auditor-export-repeated-id',
  );
});

it('words the verdict in Chinese on the Chinese page: a genuine export, a changed event, a truncated export and a key that is no vkey, with no English reason', async () => {
  const [ndjson, checkpoint, vkey] = [
    await get('/v1/ledger/export', auditor.key),
    await get('/v1/ledger/checkpoint'),
    await get('/v1/ledger/key'),
  ];
  const lines = ndjson.trimEnd().split('\n');
  expect(checkpoint.split('\n')[1]).toBe(String(lines.length));
  const file = (name: string, text: string) => {
    writeFileSync(join(dir, name), text);
    return join(dir, name);
  };
  const leaf = lines.findIndex((l) => l.includes('"name":"Alice Painter"'));
  const kept = lines.length - 2;
  const files = {
    genuine: file('zh-log.ndjson', ndjson),
    checkpoint: file('zh-checkpoint', checkpoint),
    vkey: file('zh-vkey', vkey),
    tampered: file('zh-tampered.ndjson', ndjson.replace('"name":"Alice Painter"', '"name":"Alice Paintes"')),
    truncated: file('zh-truncated.ndjson', lines.slice(0, kept).join('\n') + '\n'),
    badKey: file('zh-bad-vkey', `${vkey.split('+')[0]}+00000000+AAAA\n`),
  };
  const [cliTampered, cliTruncated] = await Promise.all([
    cliSays(files.tampered, files.checkpoint, files.vkey),
    cliSays(files.truncated, files.checkpoint, files.vkey),
  ]);
  expect(cliTruncated).toBe(
    `FAILED at leaf ${kept}: export ends after ${kept} events but a signed checkpoint has ${lines.length}: the export was cut short, or taken before that checkpoint (export again, or verify with a checkpoint of at most ${kept} events)`,
  );
  /** The English reason of a verdict line: what must not show on the Chinese page. */
  const reasonOf = (line: string) => line.replace(/^FAILED[^:]*: /, '');

  const tab = await openTab(browser, server.url, 'zh-CN');
  try {
    const { page } = tab;
    await page.goto('/auditor');
    const message = page.getByTestId('export-message');
    const verdict = page.getByTestId('export-verdict');
    const check = async (exportFile: string, keyFile = files.vkey) => {
      await page.getByLabel(zhCN['auditor.export.file']).setInputFiles(exportFile);
      await page.getByLabel(zhCN['auditor.export.checkpoint']).setInputFiles(files.checkpoint);
      await page.getByLabel(zhCN['auditor.export.vkey']).setInputFiles(keyFile);
      await page.getByRole('button', { name: zhCN['auditor.export.verify'] }).click();
    };

    await check(files.genuine);
    const genuine = await settledText(message, /^通过：/, 30_000);
    expect(genuine).toMatch(
      new RegExp(
        `^通过：${lines.length} 个事件，分属 \\d+ 个流；这 ${lines.length} 个事件的根哈希 [A-Za-z0-9+/]{43}=（base64，与检查点注记中的写法相同）；已验证 1 个检查点，签名覆盖至树大小 ${lines.length}；` +
          '\\d+ 次结算符合沙盒规则（每秒 \\d+ 个事件，[\\d.]+ MB/s，在 Web Worker 中核验）$',
      ),
    );
    await expect(verdict.locator('strong').textContent()).resolves.toBe(zhCN['auditor.export.ok']);

    // One changed byte: the event's hash, worded in Chinese with the values the English names.
    await check(files.tampered);
    const tampered = await settledText(message, /^未通过/, 30_000);
    expect(tampered).toMatch(
      new RegExp(
        `^未通过（叶序号 ${leaf}）：哈希与事件不符（流 \\S+ 中的 PrincipalRegistered，叶序号 ${leaf}）：其 hash 字段为 [0-9a-f]{64}，按其规范形式计算的 SHA-256 为 [0-9a-f]{64}$`,
      ),
    );
    expect(tampered).not.toContain(reasonOf(cliTampered));
    expect(tampered).not.toMatch(/does not match|expected|computed/);
    await expect(verdict.locator('strong').textContent()).resolves.toBe(zhCN['auditor.export.failed']);
    await screenshot(page, 'auditor-export-tampered-zh-CN');

    // The last two events cut off: shorter than the signed checkpoint.
    await check(files.truncated);
    const truncated = await settledText(message, new RegExp(`^未通过（叶序号 ${kept}）`), 30_000);
    expect(truncated).toBe(
      `未通过（叶序号 ${kept}）：导出文件在 ${kept} 个事件后就结束了，但一个已签名的检查点含有 ${lines.length} 个事件：导出文件被截断，或导出于该检查点之前（请重新导出，或用不超过 ${kept} 个事件的检查点验证）`,
    );
    expect(truncated).not.toContain(reasonOf(cliTruncated));
    await screenshot(page, 'auditor-export-truncated-zh-CN');

    // The verdict is worded as it is shown: in English, the same one is the line the CLI prints.
    await page.getByRole('button', { name: 'English' }).click();
    expect(await settledText(message, /^FAILED/)).toBe(cliTruncated);
    await page.getByRole('button', { name: '中文' }).click();
    expect(await settledText(message, /^未通过/)).toBe(truncated);

    // A key file that is no vkey: why, in Chinese, and which checkpoint it failed on.
    await check(files.genuine, files.badKey);
    expect(await settledText(message, /^未通过：检查点/, 30_000)).toBe(
      `未通过：检查点：验证密钥无效：这不是 Ed25519（类型 0x01）密钥（第 1 个检查点，共 1 个，声称树大小为 ${lines.length}）`,
    );

    // A key file that is not UTF-8 text at all: named so, and nothing is verified with it.
    const bytes = join(dir, 'zh-vkey-bytes');
    writeFileSync(bytes, Buffer.from([0xff, 0xfe, 0x41]));
    await check(files.genuine, bytes);
    expect(await settledText(page.getByTestId('export-file-error'), /UTF-8/)).toBe('zh-vkey-bytes：不是格式正确的 UTF-8 文本');

    // An export removed after it was chosen cannot be read in the worker: said so in Chinese, not in the browser's English.
    const gone = join(dir, 'zh-gone.ndjson');
    writeFileSync(gone, readFileSync(files.genuine));
    await page.getByLabel(zhCN['auditor.export.file']).setInputFiles(gone);
    rmSync(gone);
    await page.getByLabel(zhCN['auditor.export.checkpoint']).setInputFiles(files.checkpoint);
    await page.getByLabel(zhCN['auditor.export.vkey']).setInputFiles(files.vkey);
    await page.getByRole('button', { name: zhCN['auditor.export.verify'] }).click();
    const alert = page.getByRole('alert');
    expect(await settledText(alert, zhCN['problem.unreadableFile'], 30_000)).toBe(zhCN['problem.unreadableFile']);

    // The same key typed in the pin form is refused in Chinese.
    await page.getByRole('button', { name: zhCN['auditor.trust.pinOther'] }).click();
    await page.getByLabel(zhCN['auditor.trust.fieldLog']).fill(`${vkey.split('+')[0]}+00000000+AAAA`);
    await page.getByRole('button', { name: zhCN['auditor.trust.submit'] }).click();
    expect(await settledText(page.getByTestId('pin-error'), /^日志验证密钥：/)).toBe('日志验证密钥：这不是 Ed25519（类型 0x01）密钥');
    await screenshot(page, 'auditor-pin-refused-zh-CN');
    await page.getByRole('button', { name: zhCN['auditor.trust.cancel'] }).click();
    expect(tab.problems).toEqual([]);
  } finally {
    await tab.close();
  }
});

it('the checkpoint monitor verifies the served checkpoint and its growth, and alarms on a tampered checkpoint or consistency proof', async () => {
  const tab = await openTab(browser, server.url);
  try {
    const { page } = tab;
    await page.goto('/auditor');
    const size = Number((await get('/v1/ledger/checkpoint')).split('\n')[1]);
    const newest = page.getByTestId('checkpoint').first();
    expect(await settledText(newest.locator('strong'), `Verified checkpoint, tree size ${size}`)).toBe(
      `Verified checkpoint, tree size ${size}`,
    );
    await expect(newest.getByTestId('consistency').textContent()).resolves.toBe('first checkpoint seen by this page');

    // The log grows: the new checkpoint is verified and proved to extend the last one.
    await registerPrincipal(server.url, server.adminKey, 'Carol Creator', ['creator']);
    await page.getByRole('button', { name: 'Check now' }).click();
    const grown = Number((await get('/v1/ledger/checkpoint')).split('\n')[1]);
    expect(grown).toBeGreaterThan(size);
    expect(await settledText(newest.locator('strong'), `Verified checkpoint, tree size ${grown}`)).toBe(
      `Verified checkpoint, tree size ${grown}`,
    );
    expect(await settledText(newest.getByTestId('consistency'), /^extends the checkpoint of size/)).toMatch(
      new RegExp(`^extends the checkpoint of size ${size} \\(proof of \\d+ hashes verified\\)$`),
    );
    await expect(page.getByTestId('monitor-alarm').count()).resolves.toBe(0);
    await screenshot(page, 'auditor-monitor-en');

    // It grows again, but the consistency proof is altered in flight: the alarm goes up.
    await registerPrincipal(server.url, server.adminKey, 'Dan Creator', ['creator']);
    await page.route('**/v1/ledger/proof/consistency?**', async (route) => {
      const res = await route.fetch();
      const proof = (await res.json()) as { hashes: string[] };
      proof.hashes[0] = proof.hashes[0].replace(/^./, (c) => (c === '0' ? '1' : '0'));
      await route.fulfill({ response: res, json: proof });
    });
    await page.getByRole('button', { name: 'Check now' }).click();
    const alarm = page.getByTestId('monitor-alarm');
    expect(await settledText(alarm.locator('p'), /^consistency: /)).toMatch(/^consistency: checkpoints \d+ and \d+ are not consistent/);
    await expect(alarm.getAttribute('role')).resolves.toBe('alert');
    expect(tab.problems).toEqual([]);
  } finally {
    await tab.close();
  }

  // A fresh page served a checkpoint with one changed byte in its root hash alarms at once.
  const fresh = await openTab(browser, server.url);
  try {
    const { page } = fresh;
    await serveChangedRoot(page);
    await page.goto('/auditor');
    const alarm = page.getByTestId('monitor-alarm');
    expect(await settledText(alarm.locator('p'), /^signature: /)).toMatch(/^signature: /);
    await expect(alarm.locator('strong').textContent()).resolves.toBe('ALARM: a checkpoint failed verification');
    await expect(page.getByTestId('checkpoint').count()).resolves.toBe(0);
    await screenshot(page, 'auditor-monitor-alarm-en');
    expect(fresh.problems).toEqual([]);
  } finally {
    await fresh.close();
  }
});

it('trusts the served keys on first use and says so, alarms when they change; pinned keys are used instead of the served ones', async () => {
  const servedVkey = (await get('/v1/ledger/key')).trim();
  const origin = servedVkey.split('+')[0];
  const size = Number((await get('/v1/ledger/checkpoint')).split('\n')[1]);
  const verified = `Verified checkpoint, tree size ${size}`;
  const tab = await openTab(browser, server.url);
  try {
    const { page } = tab;
    await page.goto('/auditor');
    // Not pinned: the page says it trusts what the server serves, and verifies against it.
    const mode = page.getByTestId('trust-mode');
    expect(await settledText(mode, /^Trust on first use/)).toBe('Trust on first use: checking against the keys the server serves');
    expect(await settledText(page.getByTestId('checkpoint').first().locator('strong'), verified)).toBe(verified);
    await expect(page.getByTestId('trusted-keys').locator('dd').first().textContent()).resolves.toBe(servedVkey);
    await screenshot(page, 'auditor-trust-tofu-en');

    // The served log key changes while the page is open: the keys alarm goes up, and the checkpoint (still checked
    // against the keys of first use) keeps verifying.
    const stranger = formatVkey(origin, ed25519.getPublicKey(ed25519.utils.randomSecretKey()));
    await page.route('**/v1/ledger/keys', async (route) => {
      const res = await route.fetch();
      await route.fulfill({ response: res, json: { ...((await res.json()) as object), log: stranger } });
    });
    await page.getByRole('button', { name: 'Check now' }).click();
    const keysAlarm = page.getByTestId('keys-alarm');
    expect(await settledText(keysAlarm.locator('strong'), /^ALARM/)).toBe(
      'ALARM: the server now serves keys that differ from those it served when this page opened',
    );
    await expect(keysAlarm.getAttribute('role')).resolves.toBe('alert');
    await expect(keysAlarm.locator('li').allTextContents()).resolves.toEqual(["the log's Ed25519 key differs"]);
    await expect(page.getByTestId('monitor-alarm').count()).resolves.toBe(0);
    expect(tab.problems).toEqual([]);
  } finally {
    await tab.close();
  }

  const pinning = await openTab(browser, server.url);
  try {
    const { page } = pinning;
    await page.goto('/auditor');
    const mode = page.getByTestId('trust-mode');
    const newest = page.getByTestId('checkpoint').first().locator('strong');
    expect(await settledText(newest, verified)).toBe(verified);

    // One click pins the served keys: checkpoints verify against them, the pin outlives a reload.
    await page.getByRole('button', { name: 'Pin the keys served now' }).click();
    expect(await settledText(mode, 'Checking against your pinned keys')).toBe('Checking against your pinned keys');
    expect(await settledText(newest, verified)).toBe(verified);
    const stored = JSON.parse((await page.evaluate(() => localStorage.getItem('sandbox-ledger.auditor.pinned-keys'))) ?? 'null') as {
      log: string;
    } | null;
    expect(stored?.log).toBe(servedVkey);
    await page.reload();
    expect(await settledText(mode, 'Checking against your pinned keys')).toBe('Checking against your pinned keys');
    expect(await settledText(newest, verified)).toBe(verified);
    await expect(page.getByTestId('keys-alarm').count()).resolves.toBe(0);
    await expect(page.getByTestId('monitor-alarm').count()).resolves.toBe(0);
    await screenshot(page, 'auditor-trust-pinned-en');

    // A malformed key is refused in the form, and nothing is pinned.
    await page.getByRole('button', { name: 'Change the pinned keys…' }).click();
    const logField = page.getByLabel('Log verifier key (Ed25519 vkey)');
    await logField.fill(`${origin}+00000000+AAAA`);
    await page.getByRole('button', { name: 'Pin these keys' }).click();
    expect(await settledText(page.getByTestId('pin-error'), /^Log verifier key: /)).toMatch(/^Log verifier key: vkey/);

    // Another valid key pinned in place of the log's: the served keys differ from it, and the checkpoint fails against it.
    const other = formatVkey(origin, ed25519.getPublicKey(ed25519.utils.randomSecretKey()));
    await logField.fill(other);
    await page.getByRole('button', { name: 'Pin these keys' }).click();
    const keysAlarm = page.getByTestId('keys-alarm');
    expect(await settledText(keysAlarm.locator('strong'), /^ALARM/)).toBe(
      'ALARM: the server serves keys that differ from the keys you pinned',
    );
    await expect(keysAlarm.locator('li').allTextContents()).resolves.toEqual(["the log's Ed25519 key differs"]);
    const alarm = page.getByTestId('monitor-alarm');
    expect(await settledText(alarm.locator('p'), /^signature: /)).toMatch(/^signature: /);
    await expect(alarm.getAttribute('role')).resolves.toBe('alert');
    await expect(page.getByTestId('checkpoint').count()).resolves.toBe(0);
    await expect(page.getByTestId('trusted-keys').locator('dd').first().textContent()).resolves.toBe(other);
    await screenshot(page, 'auditor-trust-pinned-alarm-en');

    // Unpinned, the page trusts the served keys again.
    await page.getByRole('button', { name: 'Unpin' }).click();
    expect(await settledText(mode, /^Trust on first use/)).toMatch(/^Trust on first use/);
    expect(await settledText(newest, verified)).toBe(verified);
    await expect(page.getByTestId('keys-alarm').count()).resolves.toBe(0);
    await expect(page.getByTestId('monitor-alarm').count()).resolves.toBe(0);
    await expect(page.evaluate(() => localStorage.getItem('sandbox-ledger.auditor.pinned-keys'))).resolves.toBeNull();
    expect(pinning.problems).toEqual([]);
  } finally {
    await pinning.close();
  }
});

it("pins served keys with one click only when they pass the form's checks: a served TSA certificate that is not self-signed is refused", async () => {
  // A real certificate issued by a CA (a TSA's own), served as if it were the TSA CA: it does not verify under its own key.
  const certs = join(dir, 'certs');
  mkdirSync(certs);
  await makeTsaCertificates(certs, 'Served Not-A-Root');
  const notSelfSigned = readFileSync(join(certs, 'tsa.crt'), 'utf8');
  const tab = await openTab(browser, server.url);
  try {
    const { page } = tab;
    await page.route('**/v1/ledger/keys', async (route) => {
      const res = await route.fetch();
      await route.fulfill({ response: res, json: { ...((await res.json()) as object), tsaCertificates: notSelfSigned } });
    });
    await page.goto('/auditor');
    const mode = page.getByTestId('trust-mode');
    expect(await settledText(mode, /^Trust on first use/)).toMatch(/^Trust on first use/);
    await page.getByRole('button', { name: 'Pin the keys served now' }).click();
    const problem = page.getByTestId('pin-error');
    expect(await settledText(problem, /^TSA CA certificates: /)).toBe(
      'TSA CA certificates: the CA certificate CN=Served Not-A-Root is not validly self-signed',
    );
    await expect(problem.getAttribute('role')).resolves.toBe('alert');
    // Nothing pinned, nothing stored: the page still trusts on first use.
    await expect(mode.textContent()).resolves.toMatch(/^Trust on first use/);
    await expect(page.evaluate(() => localStorage.getItem('sandbox-ledger.auditor.pinned-keys'))).resolves.toBeNull();
    await screenshot(page, 'auditor-trust-pin-refused-en');

    // Served as the real server serves them (no TSA here), the same click pins them.
    await page.unroute('**/v1/ledger/keys');
    await page.reload();
    await page.getByRole('button', { name: 'Pin the keys served now' }).click();
    expect(await settledText(mode, 'Checking against your pinned keys')).toBe('Checking against your pinned keys');
    await expect(page.getByTestId('pin-error').count()).resolves.toBe(0);
    const stored = JSON.parse((await page.evaluate(() => localStorage.getItem('sandbox-ledger.auditor.pinned-keys'))) ?? 'null') as {
      tsaCertificates: string | null;
    } | null;
    expect(stored).not.toBeNull();
    expect(stored?.tsaCertificates).toBeNull();
    await page.getByRole('button', { name: 'Unpin' }).click();
    expect(tab.problems).toEqual([]);
  } finally {
    await tab.close();
  }
});

it('fits a phone’s screen: the pin form’s long keys stay within their boxes at 390 pixels', async () => {
  const tab = await openTab(browser, server.url);
  try {
    const { page } = tab;
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto('/auditor');
    await page.getByRole('button', { name: 'Pin other keys…' }).click();
    // The form is filled with the keys served now, once they have come: the ML-DSA-44 key is some 1,800 characters
    // without a space.
    const mlDsa = page.getByLabel('Log ML-DSA-44 key (vkey, optional)');
    expect((await settledValue(mlDsa, /^\S{1000,}$/)).length).toBeGreaterThan(1000);
    // All of it shows, wrapped within its box: the box neither hides a part of it nor reaches past the screen's edge.
    const shown = (field: typeof mlDsa) =>
      field.evaluate((e) => ({
        hidden: e.scrollHeight > e.clientHeight || e.scrollWidth > e.clientWidth,
        pastScreen: e.getBoundingClientRect().right > document.documentElement.clientWidth,
      }));
    await expect(shown(mlDsa)).resolves.toEqual({ hidden: false, pastScreen: false });
    await expect(page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).resolves.toBe(0);
    await screenshot(page, 'auditor-pin-phone-en');
    // The same in Chinese.
    await page.getByRole('button', { name: '中文' }).click();
    const mlDsaZh = page.getByLabel(zhCN['auditor.trust.fieldMlDsa']);
    await mlDsaZh.waitFor();
    await expect(shown(mlDsaZh)).resolves.toEqual({ hidden: false, pastScreen: false });
    await screenshot(page, 'auditor-pin-phone-zh-CN');
    expect(tab.problems).toEqual([]);
  } finally {
    await tab.close();
  }
});

it('fills a pin form opened before the served keys came once they come, unless the auditor typed in it meanwhile', async () => {
  const servedVkey = (await get('/v1/ledger/key')).trim();
  /** A tab whose first request for the served keys waits until `release` is called. */
  const heldKeys = async () => {
    const tab = await openTab(browser, server.url);
    let release = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    await tab.page.route('**/v1/ledger/keys', async (route) => {
      await held;
      await route.continue();
    });
    await tab.page.goto('/auditor');
    await tab.page.getByRole('button', { name: 'Pin other keys…' }).click();
    return { tab, release, log: tab.page.getByLabel('Log verifier key (Ed25519 vkey)'), quorum: tab.page.getByLabel('Witness quorum') };
  };
  const untouched = await heldKeys();
  try {
    await expect(untouched.log.inputValue()).resolves.toBe('');
    untouched.release();
    expect(await settledValue(untouched.log, servedVkey)).toBe(servedVkey);
    expect(untouched.tab.problems).toEqual([]);
  } finally {
    await untouched.tab.close();
  }
  const typedIn = await heldKeys();
  try {
    await typedIn.quorum.fill('2');
    typedIn.release();
    // The keys came (the trusted keys are listed), and the form kept what was typed in it, its effects having run
    // (they run after the next frame is drawn).
    expect(await settledText(typedIn.tab.page.getByTestId('trusted-keys').locator('dd').first(), servedVkey)).toBe(servedVkey);
    await typedIn.tab.page.evaluate(() => new Promise((drawn) => requestAnimationFrame(() => requestAnimationFrame(drawn))));
    await expect(typedIn.log.inputValue()).resolves.toBe('');
    await expect(typedIn.quorum.inputValue()).resolves.toBe('2');
    expect(typedIn.tab.problems).toEqual([]);
  } finally {
    await typedIn.tab.close();
  }
});

it('shows the auditor page in Chinese', async () => {
  const tab = await openTab(browser, server.url, 'zh-CN');
  try {
    await tab.page.goto('/auditor');
    expect(await settledText(tab.page.locator('#monitor-heading'), '检查点监控')).toBe('检查点监控');
    expect(await settledText(tab.page.getByTestId('checkpoint').first().locator('strong'), /^检查点已验证/)).toMatch(/^检查点已验证/);
    await screenshot(tab.page, 'auditor-zh-CN');
    expect(tab.problems).toEqual([]);
  } finally {
    await tab.close();
  }
});

it('offers the files to check in the page’s language, whatever the browser’s: switched to Chinese in an English browser', async () => {
  const files = signedFiles(
    'chooser',
    buildLog([{ stream: 'filing-f1', type: 'WorkFiled', data: workFiledData('f1', recordedAtOf(0)) }]),
    newSigner(),
  );
  const tab = await openTab(browser, server.url, 'en-US');
  try {
    const { page } = tab;
    await page.goto('/auditor');
    await page.getByRole('button', { name: '中文' }).click();
    const chooser = page.locator('label[for="export-file"].file-chooser-button');
    expect(await settledText(chooser, zhCN['file.choose'])).toBe('选择文件');
    await expect(page.getByTestId('export-file-name').textContent()).resolves.toBe('未选择文件');
    await page.getByLabel(zhCN['auditor.export.file']).setInputFiles(files.export);
    expect(await settledText(page.getByTestId('export-file-name'), /ndjson$/)).toBe(basename(files.export));
    // Each file input is reached by keyboard and shows where it is.
    await page.getByLabel(zhCN['auditor.export.checkpoint']).focus();
    await expect(
      page.locator('label[for="export-checkpoint"].file-chooser-button').evaluate((l) => getComputedStyle(l).outlineStyle),
    ).resolves.toBe('solid');
    await screenshot(page, 'auditor-files-zh-CN');
    expect(tab.problems).toEqual([]);
  } finally {
    await tab.close();
  }
});

it("words the monitor's alarm and a TSA CA certificate's refusal in Chinese", async () => {
  const certs = join(dir, 'certs-zh');
  mkdirSync(certs);
  await makeTsaCertificates(certs, 'Served Not-A-Root');
  const notSelfSigned = readFileSync(join(certs, 'tsa.crt'), 'utf8');
  const origin = (await get('/v1/ledger/key')).trim().split('+')[0];
  /** English words left in a Chinese text, other than names and identifiers both languages keep. */
  const english = (text: string) => text.match(/(?<![0-9A-Za-z.+/=-])[a-z]{3,}(?![0-9A-Za-z.+/=-])/g) ?? [];

  // A checkpoint served with one changed byte in its root hash: the log's signature does not verify.
  const tampered = await openTab(browser, server.url, 'zh-CN');
  try {
    const { page } = tampered;
    await serveChangedRoot(page);
    await page.goto('/auditor');
    const alarm = page.getByTestId('monitor-alarm');
    const said = await settledText(alarm.locator('p'), /^签名：/);
    expect(said).toMatch(new RegExp(`^签名：${origin.replace(/[.]/g, '\\.')}\\+[0-9a-f]{8} 的签名验证未通过$`));
    expect(english(said ?? '')).toEqual([]);
    await expect(alarm.locator('strong').textContent()).resolves.toBe(zhCN['auditor.monitor.alarm']);
    await screenshot(page, 'auditor-monitor-alarm-zh-CN');
    expect(tampered.problems).toEqual([]);
  } finally {
    await tampered.close();
  }

  // Served TSA CA certificates that are not self-signed: listed as refused, and not pinned with one click.
  const served = await openTab(browser, server.url, 'zh-CN');
  try {
    const { page } = served;
    await page.route('**/v1/ledger/keys', async (route) => {
      const res = await route.fetch();
      await route.fulfill({ response: res, json: { ...((await res.json()) as object), tsaCertificates: notSelfSigned } });
    });
    await page.goto('/auditor');
    const refused = 'CA 证书 CN=Served Not-A-Root 的自签名无效';
    expect(await settledText(page.getByTestId('trusted-tsa'), refused)).toBe(refused);
    await page.getByRole('button', { name: zhCN['auditor.trust.pinServed'] }).click();
    expect(await settledText(page.getByTestId('pin-error'), /^TSA CA 证书：/)).toBe(`TSA CA 证书：${refused}`);
    await screenshot(page, 'auditor-trust-pin-refused-zh-CN');
    expect(served.problems).toEqual([]);
  } finally {
    await served.close();
  }
});

/** Serves the page the latest checkpoint with one changed byte in its root hash: the log's signature does not verify. */
async function serveChangedRoot(page: Page): Promise<void> {
  await page.route('**/v1/ledger/checkpoint', async (route) => {
    const res = await route.fetch();
    const lines = (await res.text()).split('\n');
    lines[2] = (lines[2][0] === 'A' ? 'B' : 'A') + lines[2].slice(1);
    await route.fulfill({ response: res, body: lines.join('\n') });
  });
}
