// The auditor's export verdict in the console's languages (web/src/i18n/verdicts.ts): every kind of failure the verifier
// gives has a wording in each language, the English is the line `sandbox-ledger verify` prints, and the Chinese names
// the same values in Chinese, with no English but identifiers (the verifier's English follows a Chinese lead-in only
// where a detail exists in English alone). The failures are the verifier's own, from exports changed in each way.
import { signCheckpoint } from '../../src/verifier/checkpoint.js';
import { computeEventHash, type EventEnvelope } from '../../src/verifier/envelope.js';
import {
  ENVELOPE_RULES,
  ExportVerifier,
  FAILURE_CODES,
  failurePlace,
  SETTLEMENT_RULES,
  verifyExport,
  type ExportFailure,
  type ExportResult,
  type FailureFacts,
  type SettlementFault,
} from '../../src/verifier/export-verifier.js';
import { VKEY_PROBLEMS, vkeyReason, type VkeyFault } from '../../src/verifier/note.js';
import { FAILURE_WORDING, failureText, verdictText, VKEY_WORDING } from '../../web/src/i18n/verdicts.js';
import type { Verdict } from '../../web/src/pages/auditor/verdict.js';
import { rootFromLeafHashes } from '../support/merkle-tree.js';
import { buildLog, leafHashesOf, ndjson, newSigner, ORIGIN, rechain, sampleLog } from '../verifier/fixture.js';

const signer = newSigner();
const log = sampleLog();
const checkpoint = signer.checkpoint(log);
const clone = (events: EventEnvelope[]) => events.map((e) => structuredClone(e));

/** A checkpoint over `events` signed with the log's key, at `time` (unix seconds). */
const signedAt = (events: EventEnvelope[], time: number, size = events.length) =>
  signCheckpoint(
    { origin: ORIGIN, treeSize: size, rootHash: rootFromLeafHashes(leafHashesOf(events.slice(0, size))), time },
    signer.key.secretKey,
  );

const failed = (result: ExportResult): ExportFailure => {
  if (result.ok) throw new Error('the export verified');
  return result;
};
const verify = (events: unknown[], notes = [checkpoint]) => failed(verifyExport(ndjson(events), notes, signer.vkey));
const verifyLines = (lines: string[], notes = [checkpoint]) => failed(verifyExport(lines, notes, signer.vkey));
const edited = (edit: (events: EventEnvelope[]) => void) => {
  const events = clone(log);
  edit(events);
  return events;
};

/** One failure of every kind, each from an export (or checkpoint) changed in its way. */
function failures(): ExportFailure[] {
  const lines = ndjson(log);
  const withLine = (i: number, line: string) => lines.map((l, k) => (k === i ? line : l));
  const notUtf8 = new ExportVerifier();
  notUtf8.checkCheckpoint(checkpoint, signer.vkey);
  notUtf8.pushBytes(Uint8Array.of(0x7b, 0xff, 0x7d));
  const tooLong = new ExportVerifier({ maxLineBytes: 8 });
  tooLong.checkCheckpoint(checkpoint, signer.vkey);
  tooLong.pushBytes(new TextEncoder().encode(lines[0]));
  const late = new ExportVerifier();
  lines.forEach((l) => late.push(l));
  late.checkCheckpoint(signer.checkpoint(log, 5), signer.vkey);
  const backdated = rechain(edited((e) => (e[6].recordedAt = '2025-12-31T00:00:00.000Z')));
  // A settlement claiming to cover more events than precede it.
  const overreaching = rechain([
    ...clone(log),
    {
      ...structuredClone(log[0]),
      id: 'settlement-0',
      stream: 'settlements',
      revision: 0,
      type: 'RightsSettled',
      data: { asOf: log[11].recordedAt, logSize: 13, policyVersion: 1, policyVersions: [], changes: [], trigger: 'admin' },
      leafIndex: 12,
    },
  ]);
  // An event of no known type, which the log's key signed.
  const unknownType = rechain(edited((e) => (e[7].type = 'TitleChanged')));
  const lastLeaf = Date.parse(log[11].recordedAt) / 1000;
  // A filing dated back, which the log's key signed.
  const untimely = rechain(edited((e) => (e[1].data = { ...e[1].data, filedAt: '2025-06-01T00:00:00.000Z' })));
  // An event id given again, in a log the log's key signed.
  const repeatedId = rechain(edited((e) => (e[7].id = e[2].id)));
  const other = buildLog(log.map((e, i) => ({ stream: e.stream, type: e.type, data: i === 0 ? { n: -1 } : e.data })));
  return [
    failed(notUtf8.finish()),
    failed(tooLong.finish()),
    verifyLines(withLine(2, '{"v":1,')),
    verifyLines(withLine(2, '[]')),
    verifyLines(withLine(2, lines[2].replace('"filingId":"2",', '"filingId": "2",'))),
    verifyLines(withLine(1, JSON.stringify(log[1]).replace('"work 1"', '"work \\ud800"'))),
    verify(edited((e) => (e[5].data.title = 'forged'))),
    verify(rechain(edited((e) => (e[3].recordedAt = 'yesterday')))),
    failed(verifyExport(ndjson(untimely), [signedAt(untimely, lastLeaf + 60)], signer.vkey)),
    failed(verifyExport(ndjson(unknownType), [signedAt(unknownType, lastLeaf + 60)], signer.vkey)),
    verify(edited((e) => e.splice(4, 1))),
    failed(verifyExport(ndjson(backdated), [signedAt(backdated, lastLeaf + 60)], signer.vkey)),
    verify(edited((e) => (e[4] = { ...e[4], revision: 5, hash: computeEventHash({ ...e[4], revision: 5 }) }))),
    verify(
      edited(
        (e) =>
          (e[5] = {
            ...e[5],
            data: { ...e[5].data, title: 'forged' },
            hash: computeEventHash({ ...e[5], data: { ...e[5].data, title: 'forged' } }),
          }),
      ),
    ),
    failed(verifyExport(ndjson(repeatedId), [signer.checkpoint(repeatedId)], signer.vkey)),
    verify(log, [newSigner().checkpoint(log)]),
    failed(late.finish()),
    failed(verifyExport(ndjson(log), [signedAt(log, lastLeaf - 60)], signer.vkey)),
    failed(verifyExport(ndjson(log), [signedAt(log, lastLeaf + 100, 5), signedAt(log, lastLeaf + 50)], signer.vkey)),
    verify(log, [checkpoint, signer.checkpoint(other)]),
    verify(buildLog(log.map((e, i) => ({ stream: e.stream, type: e.type, data: i === 2 ? { forged: true } : e.data })))),
    verify(log.slice(0, 9)),
    failed(verifyExport(ndjson(overreaching), [signedAt(overreaching, lastLeaf + 60)], signer.vkey)),
  ];
}

/** Words of the text that are English, leaving out the failure's values and the identifiers both languages keep. */
const IDENTIFIERS = new Set(
  (
    'JSON UTF-8 ISO-8601 UTC SHA-256 JCS ID hash prevHash revision leafIndex recordedAt vkey base64 RightsSettled settlements asOf logSize ' +
    'policyVersion policyVersions changes ledger proof consistency from checkpoints Web Worker Ed25519 ML-DSA-44 sandbox-ledger ' +
    'name hex key base'
  ).split(' '),
);
function englishIn(text: string, facts: unknown): string[] {
  let rest = text.replace(/\d{4}-\d\d-\d\dT[\d:.]+Z/g, ' '); // instants the wording writes itself
  const values = (v: unknown): string[] =>
    v === null || v === undefined ? [] : typeof v === 'object' ? Object.values(v).flatMap(values) : [String(v)];
  for (const value of values(facts).sort((a, b) => b.length - a.length)) if (value.length > 1) rest = rest.split(value).join(' ');
  return (rest.match(/(?<![0-9A-Za-z])[A-Za-z][A-Za-z0-9-]+/g) ?? []).filter((w) => !IDENTIFIERS.has(w));
}
const CHINESE = /[\u4e00-\u9fff]/;

describe('the wording of an export failure', () => {
  const all = failures();

  it('has one entry for every kind of failure, in each language', () => {
    for (const lang of ['en', 'zh-CN'] as const) expect(Object.keys(FAILURE_WORDING[lang]).sort()).toEqual([...FAILURE_CODES].sort());
  });

  it('covers every kind the verifier gives: the exports changed here fail in each kind, once each', () => {
    expect(all.map((f) => f.code)).toEqual(FAILURE_CODES);
  });

  it('is the verifier’s own reason in English, and the verdict line the CLI prints', () => {
    for (const f of all) {
      expect(failureText('en', f)).toBe(f.reason);
      expect(verdictText('en', { kind: 'failed', failure: f })).toBe(`FAILED${failurePlace(f)}: ${f.reason}`);
    }
    const [bad] = all.filter((f) => f.code === 'checkpoint');
    expect(verdictText('en', { kind: 'failed', failure: bad, checkpoint: { index: 1, of: 2, claimedSize: 12 } })).toBe(
      `FAILED: ${bad.reason} (checkpoint 1 of 2, claiming tree size 12)`,
    );
  });

  it.each(all.map((f) => [f.code, f] as const))('%s in Chinese names its values, with no English but identifiers', (_, f) => {
    const text = failureText('zh-CN', f);
    expect(text).toMatch(CHINESE);
    expect(text).not.toContain(f.reason);
    const { ok: _ok, reason: _reason, leafIndex: _leaf, lastLeafIndex: _last, ...facts } = f;
    expect(englishIn(text, facts)).toEqual([]);
  });

  it('words every way an event is not in the catalogue, in each language', () => {
    const faults: Array<[FailureFacts, string, string]> = [
      [
        { code: 'catalogue', type: 'TitleChanged', problem: 'unknown-type' },
        'event type "TitleChanged" is not in the event catalogue: no rule this verifier knows says what it means (a type a newer ledger added needs a newer sandbox-ledger)',
        '事件类型 "TitleChanged" 不在事件目录中：本验证器所知的规则都没有说明它的含义（较新的账本新增的类型需要较新的 sandbox-ledger）',
      ],
      [
        { code: 'catalogue', type: 'WorkFiled', problem: 'stream', stream: 'filing-x', expected: 'filing-f1' },
        'WorkFiled is in stream filing-x; the event catalogue puts it in stream filing-f1',
        'WorkFiled 位于流 filing-x 中；按事件目录，它应在流 filing-f1 中',
      ],
      [
        { code: 'catalogue', type: 'WorkFiled', problem: 'data', path: '/filedAt', issue: 'missing', wanted: ['instant'] },
        "WorkFiled's data member /filedAt is missing: the event is not as the event catalogue has it, and the sandbox rules would misread it",
        'WorkFiled 的 data 成员 /filedAt 缺失：该事件与事件目录不符，沙盒规则会误读它',
      ],
      [
        { code: 'catalogue', type: 'WorkFiled', problem: 'data', path: '/backdated', issue: 'unexpected', wanted: [] },
        "WorkFiled's data member /backdated is one its type does not have: the event is not as the event catalogue has it, and the sandbox rules would misread it",
        'WorkFiled 的 data 成员 /backdated 是该类型没有的成员：该事件与事件目录不符，沙盒规则会误读它',
      ],
      [
        {
          code: 'catalogue',
          type: 'DisputeDecided',
          problem: 'data',
          path: '/remedy',
          issue: 'value',
          wanted: ['"revoke"', '"suspend"', '"transfer"', 'null'],
        },
        `DisputeDecided's data member /remedy is not one of "revoke", "suspend", "transfer" or null: the event is not as the event catalogue has it, and the sandbox rules would misread it`,
        'DisputeDecided 的 data 成员 /remedy 不是 "revoke"、"suspend"、"transfer" 之一或 null：该事件与事件目录不符，沙盒规则会误读它',
      ],
      [
        { code: 'catalogue', type: 'ApiKeyIssued', problem: 'meta', path: '/actor', issue: 'value', wanted: ['non-empty-string'] },
        "ApiKeyIssued's meta member /actor is not a non-empty string: the event is not as the event catalogue has it",
        'ApiKeyIssued 的 meta 成员 /actor 不是非空字符串：该事件与事件目录不符',
      ],
    ];
    for (const [facts, english, chinese] of faults) {
      const f = { ok: false, leafIndex: 3, reason: english, ...facts } as ExportFailure;
      expect(failureText('en', f)).toBe(english);
      expect(failureText('zh-CN', f)).toBe(chinese);
      const { ok: _ok, reason: _reason, leafIndex: _leaf, ...values } = f;
      expect(englishIn(failureText('zh-CN', f), values)).toEqual([]);
    }
  });

  it('words every envelope rule and settlement rule in Chinese', () => {
    for (const rule of ENVELOPE_RULES) {
      const f = { ok: false, leafIndex: 2, reason: 'r', code: 'envelope', rule, field: 'meta' } as ExportFailure;
      expect(englishIn(failureText('zh-CN', f), { field: 'meta' })).toEqual([]);
    }
    const change = { from: 'provisional', to: 'confirmed', rule: 'quiet-period-over', holder: 'alice', since: '2026-01-31T00:00:00Z' };
    const settlements: { [R in SettlementFault['rule']]: Extract<SettlementFault, { rule: R }> } = {
      coverage: { rule: 'coverage', asOf: '2026-02-01T00:00:00Z', logSize: 6, leaf: 5 },
      'recorded-before': { rule: 'recorded-before', asOf: '2026-02-01T00:00:00Z', recordedAt: '2026-01-01T00:00:00Z' },
      order: { rule: 'order', asOf: '2026-02-01T00:00:00Z', previousLeaf: 4 },
      right: { rule: 'right', asOf: '2026-02-01T00:00:00Z', filingId: 'f1', recorded: null, expected: change },
      'changes-order': { rule: 'changes-order', asOf: '2026-02-01T00:00:00Z' },
      'policy-version': { rule: 'policy-version', asOf: '2026-02-01T00:00:00Z', recorded: 2, inForce: 1 },
      'policy-versions': { rule: 'policy-versions', asOf: '2026-02-01T00:00:00Z', recorded: '[2]', expected: '[1]' },
      ruleset: { rule: 'ruleset', version: 2, ruleset: 3, known: 2 },
      'withdrawn-open': { rule: 'withdrawn-open', filingId: 'f1', disputeId: 'd1' },
      'withdrawn-transferred': { rule: 'withdrawn-transferred', filingId: 'f1', disputeId: 'd1', complainant: 'bob' },
      'withdrawn-revoked': { rule: 'withdrawn-revoked', filingId: 'f1', rightRule: 'dispute-upheld-revoke', since: '2026-01-31T00:00:00Z' },
      'appeal-window': {
        rule: 'appeal-window',
        disputeId: 'd1',
        decidedAt: '2026-01-10T00:00:00Z',
        appealUntil: '2026-01-10T00:00:00Z',
        appealDays: 15,
        expected: '2026-01-25T00:00:00Z',
      },
      'policy-retroactive': {
        rule: 'policy-retroactive',
        version: 2,
        effectiveFrom: '2026-01-01T00:00:00Z',
        publishedAt: '2026-01-02T00:00:00Z',
      },
    };
    expect(Object.keys(settlements).sort()).toEqual([...SETTLEMENT_RULES].sort());
    for (const settlement of Object.values(settlements)) {
      const facts: FailureFacts = { code: 'settlement', settlement };
      const f = { ok: false, leafIndex: 5, reason: 'r', ...facts } as ExportFailure;
      const text = failureText('zh-CN', f);
      expect(text).toMatch(CHINESE);
      // A right's statuses by their Chinese names; the rule that gave them is an identifier.
      expect(englishIn(text, { ...facts, settlement: { ...settlement, recorded: null, expected: null } })).toEqual(
        settlement.rule === 'right' ? ['quiet-period-over', 'alice'] : [],
      );
    }
    expect(failureText('zh-CN', { ok: false, leafIndex: 5, reason: 'r', code: 'settlement', settlement: settlements.right })).toBe(
      '截至 2026-02-01T00:00:00Z 的结算：权利 f1 记录为 无变化，而规则给出的是 临时 → 已确认（规则 quiet-period-over，持有人 alice，自 2026-01-31T00:00:00Z 起）',
    );
  });

  it('gives the verifier’s English after a Chinese lead-in where a detail exists in English only', () => {
    const malformed = verify(log, ['not a note\n']);
    expect(malformed).toMatchObject({ code: 'checkpoint', checkpoint: { code: 'malformed-note' } });
    if (malformed.code !== 'checkpoint') throw new Error('not a checkpoint failure');
    expect(failureText('zh-CN', malformed)).toBe(`检查点：签名注记的格式有误（验证器的英文说明：${malformed.detail}）`);
    // A key that failed in a way the verifier names no problem for, and a kind this console does not know.
    const odd = { ...malformed, checkpoint: { code: 'vkey', vkey: null } } as ExportFailure;
    expect(failureText('zh-CN', odd)).toBe(`无法用中文说明此项（验证器的英文说明：${odd.reason}）`);
    const unknown = { ...malformed, code: 'from-a-later-verifier' } as unknown as ExportFailure;
    expect(failureText('zh-CN', unknown)).toBe(`无法用中文说明此项（验证器的英文说明：${unknown.reason}）`);
    expect(failureText('en', unknown)).toBe(unknown.reason);
  });
});

describe('the verdict line in Chinese', () => {
  const ok: Verdict = {
    kind: 'ok',
    treeSize: 13,
    streams: 3,
    root: 'q83vEjRWeJC8oF7Gc2Z/M5Fh7vTnQ2bWm/6vcZ0xLp0=',
    checkpoints: 1,
    signedTreeSize: 12,
    settlements: 2,
    eventsPerSecond: 5200,
    megabytesPerSecond: '1.5',
  };

  it('says the export verifies, with its figures and root, and the events no checkpoint covers', () => {
    expect(verdictText('zh-CN', ok)).toBe(
      '通过：13 个事件，分属 3 个流；这 13 个事件的根哈希 q83vEjRWeJC8oF7Gc2Z/M5Fh7vTnQ2bWm/6vcZ0xLp0=（base64，与检查点注记中的写法相同）；' +
        '已验证 1 个检查点，签名覆盖至树大小 12（最后 1 个事件的哈希和链接正确，但所给的检查点都不覆盖它们：请用更晚的检查点再次核验）；' +
        '2 次结算符合沙盒规则（每秒 5200 个事件，1.5 MB/s，在 Web Worker 中核验）',
    );
    expect(verdictText('en', ok)).toBe(
      'ok: 13 events in 3 streams; root of those 13 events q83vEjRWeJC8oF7Gc2Z/M5Fh7vTnQ2bWm/6vcZ0xLp0= (base64, as in checkpoint notes); 1 checkpoint(s) ' +
        'verified, signed up to tree size 12 (the last 1 event(s) hash and chain correctly, but no checkpoint given covers them: ' +
        'verify them again with a later checkpoint); 2 settlement(s) match the sandbox rules (5200 events/s, 1.5 MB/s, checked in a Web Worker)',
    );
  });

  it('says where a failure is and which checkpoint it failed on', () => {
    const tampered = verify(edited((e) => ((e[5].data as { n: number }).n = 99)));
    expect(verdictText('zh-CN', { kind: 'failed', failure: tampered })).toMatch(
      /^未通过（叶序号 5）：哈希与事件不符（流 filing-2 中的 FilingAmended，叶序号 5）：/,
    );
    const rewritten = verify(buildLog(log.map((e, i) => ({ stream: e.stream, type: e.type, data: i === 2 ? { forged: true } : e.data }))));
    expect(verdictText('zh-CN', { kind: 'failed', failure: rewritten })).toMatch(/^未通过（在叶序号 0\.\.11 之中）：前 12 个事件的根哈希/);
    const byOther = verify(log, [newSigner().checkpoint(log)]);
    expect(verdictText('zh-CN', { kind: 'failed', failure: byOther, checkpoint: { index: 1, of: 1, claimedSize: 12 } })).toMatch(
      /^未通过：检查点：注记上没有 .* 的签名：.*（第 1 个检查点，共 1 个，声称树大小为 12）$/,
    );
    expect(verdictText('zh-CN', { kind: 'unsigned', treeSize: 12 })).toBe(
      '未通过：没有给出检查点；导出文件的 12 个事件哈希与链接均正确，但没有任何签名覆盖它们',
    );
  });
});

describe('why a vkey does not parse', () => {
  const faults: VkeyFault[] = VKEY_PROBLEMS.map((problem) =>
    problem === 'key-size' ? { problem, keyType: 6, bytes: 1312 } : ({ problem } as VkeyFault),
  );

  it('is the verifier’s message in English and Chinese in Chinese, for every problem', () => {
    for (const f of faults) {
      expect(VKEY_WORDING.en(f)).toBe(vkeyReason(f));
      expect(VKEY_WORDING['zh-CN'](f)).toMatch(CHINESE);
      expect(englishIn(VKEY_WORDING['zh-CN'](f), f)).toEqual([]);
    }
    expect(VKEY_WORDING['zh-CN']({ problem: 'key-size', keyType: 6, bytes: 1312 })).toBe('类型 0x06 的 vkey 应含 1312 字节的密钥');
  });

  it('is worded so in a failed checkpoint', () => {
    const f = failed(verifyExport(ndjson(log), [checkpoint], `${ORIGIN}+00000000+AAAA`));
    expect(failureText('zh-CN', f)).toBe('检查点：验证密钥无效：这不是 Ed25519（类型 0x01）密钥');
  });
});
