// The verifier's findings in the console's languages: an export's verdict on the auditor's page, and why a vkey does not
// parse. The verifier says why a failure failed as data (a code and the values its message names, src/verifier/
// export-failure.ts); each language words each code here, from those values. English is the verifier's own wording, the
// one the CLI prints, so the English page and `sandbox-ledger verify` say the same line. Where a language cannot word a
// finding (a detail the verifier gives only in English), the verifier's English follows a lead-in that says so.
import type { BadCheckpoint, Verdict } from '../pages/auditor/verdict.js';
import {
  EVENT_TIME_LAG_MS,
  EVENT_TIME_LEAD_MS,
  failurePlace,
  failureReason,
  FAILURE_CODES,
  unsignedTail,
  vkeyReason,
  type CatalogueFault,
  type CheckpointFault,
  type EnvelopeRule,
  type ExportFailure,
  type FailureCode,
  type FailureFacts,
  type FailureOf,
  type SettlementFault,
  type ShownChange,
  type SpanUnit,
  type VkeyFault,
  type Wanted,
  type WantedKind,
  wantedParts,
  misleadsRules,
  rulesCountFrom,
  spanOf,
} from '../verifier.js';
import type { Lang } from './lang.js';
import { zhCN } from './zh-CN.js';

/** A failure of each kind in words, or undefined where a detail it names cannot be put in this language. */
export type FailureWording = { [C in FailureCode]: (f: FailureOf<C>) => string | undefined };

/** The verifier's English for every kind: the reason it gives, as the CLI prints it. */
const verifierEnglish = Object.fromEntries(FAILURE_CODES.map((code) => [code, failureReason])) as FailureWording;

// ---- Chinese

function vkeyChinese(f: VkeyFault): string {
  switch (f.problem) {
    case 'format':
      return 'vkey 的格式必须是 <名称>+<十六进制密钥 ID>+<base64 密钥>';
    case 'name':
      return 'vkey 的密钥名称无效';
    case 'key-id-digits':
      return 'vkey 的密钥 ID 必须是 8 位小写十六进制数字';
    case 'base64':
      return 'vkey 中的密钥不是 base64';
    case 'key-id':
      return 'vkey 的密钥 ID 与其名称和密钥不符';
    case 'not-ed25519':
      return '这不是 Ed25519（类型 0x01）密钥';
    case 'not-cosigner':
      return '这不是联署密钥（类型 0x04 Ed25519 或 0x06 ML-DSA-44）';
    case 'not-ml-dsa-44':
      return '这不是 ML-DSA-44（类型 0x06）密钥';
    case 'not-ed25519-cosigner':
      return '这不是 Ed25519 联署（类型 0x04）密钥';
    case 'key-size':
      return `类型 0x0${f.keyType} 的 vkey 应含 ${f.bytes} 字节的密钥`;
  }
}

/** Why a vkey does not parse (or is not of the kind wanted), in each language; English as the verifier says it. */
export const VKEY_WORDING: Record<Lang, (f: VkeyFault) => string> = { en: vkeyReason, 'zh-CN': vkeyChinese };

/** The verifier's English, after a lead-in saying that this is what it is. */
export const inEnglish = (detail: string) => `（验证器的英文说明：${detail}）`;

const ENVELOPE_ZH: Record<EnvelopeRule, (field: string | null) => string> = {
  'not-object': () => '事件不是 JSON 对象',
  'unexpected-field': (field) => `事件含有多余的字段 ${JSON.stringify(field)}（它不受哈希保护）`,
  'missing-field': (field) => `事件缺少字段 ${field}`,
  version: () => 'v 不是 1',
  'not-string': (field) => `${field} 不是非空字符串`,
  'not-index': (field) => `${field} 不是非负整数`,
  'not-object-field': (field) => `${field} 不是对象`,
  'not-hex': (field) => `${field} 不是 64 位小写十六进制数字`,
};

const CHECKPOINT_ZH: { [C in CheckpointFault['code']]: (f: Extract<CheckpointFault, { code: C }>, detail: string) => string | undefined } =
  {
    vkey: (f) => (f.vkey === null ? undefined : `验证密钥无效：${vkeyChinese(f.vkey)}`),
    'malformed-note': (_, detail) => `签名注记的格式有误${inEnglish(detail)}`,
    'no-signature': (f) => `注记上没有 ${f.key} 的签名：检查点不是用这个密钥签署的（或来自另一个日志）`,
    'bad-signature': (f) => `${f.key} 的签名验证未通过`,
    'malformed-checkpoint': (_, detail) => `签名注记的正文不是检查点${inEnglish(detail)}`,
    origin: (f) => `检查点的来源 ${JSON.stringify(f.origin)} 不是密钥名称 ${JSON.stringify(f.keyName)}`,
  };

/**
 * Why a checkpoint does not verify, in `lang`, from its fault and `detail` (the verifier's English reason); the reason
 * itself in English, and where Chinese cannot word it (a key that failed in a way the verifier names no problem for).
 */
export function checkpointFaultText(lang: Lang, fault: CheckpointFault, detail: string): string {
  if (lang === 'en') return detail;
  return checkpointChinese(fault, detail) ?? UNWORDED[lang](detail);
}

/** Why a checkpoint does not verify, in Chinese; undefined where Chinese cannot word it. */
export function checkpointChinese(fault: CheckpointFault, detail: string): string | undefined {
  const word = Object.hasOwn(CHECKPOINT_ZH, fault.code)
    ? (CHECKPOINT_ZH[fault.code] as (c: CheckpointFault, detail: string) => string | undefined)
    : undefined;
  return word?.(fault, detail);
}

/** A right's status by its Chinese name where the console has one (a recorded value is shown as it stands otherwise). */
const status = (s: unknown) => {
  const key = `right.${String(s)}`;
  return Object.hasOwn(zhCN, key) ? zhCN[key as keyof typeof zhCN] : String(s);
};
const change = (c: ShownChange | null) =>
  c ? `${status(c.from)} → ${status(c.to)}（规则 ${String(c.rule)}，持有人 ${String(c.holder)}，自 ${String(c.since)} 起）` : '无变化';

const SETTLEMENT_ZH: { [R in SettlementFault['rule']]: (f: Extract<SettlementFault, { rule: R }>) => string } = {
  coverage: (f) => `截至 ${f.asOf} 的结算声称覆盖 ${f.logSize} 个事件，但它本身是叶序号 ${f.leaf}`,
  'recorded-before': (f) => `截至 ${f.asOf} 的结算却在更早的 ${f.recordedAt} 就已记录`,
  order: (f) => `截至 ${f.asOf} 的结算早于上一次结算（叶序号 ${f.previousLeaf}）`,
  right: (f) => `截至 ${f.asOf} 的结算：权利 ${f.filingId} 记录为 ${change(f.recorded)}，而规则给出的是 ${change(f.expected)}`,
  'changes-order': (f) => `截至 ${f.asOf} 的结算：变更没有按存证顺序逐一列出`,
  'policy-version': (f) => `截至 ${f.asOf} 的结算：记录的规则版本为 ${f.recorded}，而当时生效的是第 ${f.inForce} 版`,
  'policy-versions': (f) => `截至 ${f.asOf} 的结算：记录的规则版本为 ${f.recorded}，而变更的权利应按 ${f.expected} 结算`,
  ruleset: (f) =>
    `规则第 ${f.version} 版按规则集 ${f.ruleset} 结算其存证，比本验证器所知的规则（至规则集 ${f.known}）更新：无法在此核对其结算，请使用更新的验证器`,
  'withdrawn-open': (f) => `存证 ${f.filingId} 在针对它的投诉 ${f.disputeId} 尚未结案时被撤回`,
  'withdrawn-transferred': (f) => `投诉 ${f.disputeId} 已将存证 ${f.filingId} 的权利转让给 ${f.complainant}，之后其创作者仍撤回了它`,
  'withdrawn-revoked': (f) => `存证 ${f.filingId} 的权利已被终局决定撤销（规则 ${f.rightRule}，自 ${f.since} 起），之后它仍被撤回`,
  'appeal-window': (f) =>
    `投诉 ${f.disputeId} 于 ${f.decidedAt} 作出的决定可上诉至 ${f.appealUntil}；而投诉提出时生效的规则给出的上诉期为 ` +
    `${f.appealDays} 天，至 ${f.expected}`,
  'policy-retroactive': (f) =>
    `规则第 ${f.version} 版于 ${f.effectiveFrom} 生效，并不晚于其发布时间 ${f.publishedAt}：规则变更从不溯及既往`,
};

const WANTED_ZH: Readonly<Record<WantedKind, string>> = {
  string: '字符串',
  'non-empty-string': '非空字符串',
  sha256: '64 位小写十六进制的 SHA-256',
  instant: 'ISO-8601 UTC 时间',
  'whole-number': '非负整数',
  'positive-whole-number': '正整数',
  number: '数字',
  boolean: 'true 或 false',
  null: 'null',
  object: '对象',
  array: '数组',
};

/** What a value was wanted to be, in Chinese: `字符串或 null`, `"upheld"、"rejected" 之一`. */
function wantedChinese(wanted: Wanted): string {
  const { values, kinds } = wantedParts(wanted);
  const words = kinds.map((k) => WANTED_ZH[k]);
  if (values.length > 1) words.unshift(`${values.join('、')} 之一`);
  else words.unshift(...values);
  // Latin text set off by spaces, as elsewhere in the wording: `字符串或 null`.
  return words
    .join('或')
    .replace(/或(?=[\x21-\x7e])/g, '或 ')
    .replace(/(?<=[\x21-\x7e])或/g, ' 或');
}

/** Latin text after Chinese set off by a space, as elsewhere in the wording. */
const spaced = (text: string) => (/^[\x21-\x7e]/.test(text) ? ` ${text}` : text);

function catalogueChinese(f: CatalogueFault): string {
  switch (f.problem) {
    case 'unknown-type':
      return `事件类型 ${JSON.stringify(f.type)} 不在事件目录中：本验证器所知的规则都没有说明它的含义（较新的账本新增的类型需要较新的 sandbox-ledger）`;
    case 'stream':
      return `${f.type} 位于流 ${f.stream} 中；按事件目录，它应在流 ${f.expected} 中`;
    case 'data':
    case 'meta': {
      const at = `${f.type} 的 ${f.problem}${f.path === '/' ? '' : ` 成员 ${f.path}`}`;
      const what =
        f.issue === 'missing'
          ? `${at} 缺失`
          : f.issue === 'unexpected'
            ? `${at} 是该类型没有的成员`
            : `${at} 不是${spaced(wantedChinese(f.wanted))}`;
      return `${what}：该事件与事件目录不符${misleadsRules(f) ? '，沙盒规则会误读它' : ''}`;
    }
  }
}

/** The units of a span of time (how far an event's own time lies from its recordedAt). */
const SPAN_UNIT_ZH: Record<SpanUnit, string> = { day: '天', hour: '小时', minute: '分钟', second: '秒' };

/** A checkpoint's time (unix seconds): the number, then the instant in UTC, as the English names it. */
const seconds = (s: number) => {
  const date = new Date(s * 1000);
  return `${s}（${Number.isNaN(date.getTime()) ? '超出范围' : `协调世界时 ${date.toISOString().replace('.000Z', 'Z')}`}）`;
};

const chinese: FailureWording = {
  'not-utf8': () => '该行不是格式正确的 UTF-8',
  'line-too-long': (f) => `该行超过 ${f.limit} 字节，而验证器读取的一行最多只有这么长`,
  'not-json': () => '该行不是 JSON',
  envelope: (f) => ENVELOPE_ZH[f.rule](f.field),
  'not-canonical': () =>
    '该行不是日志所写的事件原文：字符串之外有空白、有重复的键，或数字、字符串的写法不同；其他 JSON 解析器可能把它读成另一个事件',
  'no-canonical-form': (f) => `事件没有规范形式，JCS 无法表示其中的值${inEnglish(f.error)}`,
  'hash-mismatch': (f) =>
    `哈希与事件不符（流 ${f.stream} 中的 ${f.type}，叶序号 ${f.leaf}）：其 hash 字段为 ${f.expected}，` +
    `按其规范形式计算的 SHA-256 为 ${f.computed}`,
  'recorded-at': (f) => `recordedAt ${JSON.stringify(f.recordedAt)} 不是 ISO-8601 UTC 时间`,
  'event-time': (f) => {
    const own = `${f.type} 的 ${f.field}`;
    if (f.problem === 'not-utc') return `${own} ${JSON.stringify(f.stated)} 不是 ISO-8601 UTC 时间：沙盒规则只把这种形式读作事件自身的时间`;
    const span = spanOf(f)
      .map(({ count, unit }) => `${count} ${SPAN_UNIT_ZH[unit]}`)
      .join(' ');
    return f.problem === 'before'
      ? `${own} ${f.stated} 比它的 recordedAt ${f.recordedAt} 早 ${span}，超过了允许的 ${EVENT_TIME_LAG_MS / 60_000} 分钟` +
          `（服务器从读取时钟到提交的最长用时）：事件所述的时间${rulesCountFrom(f) ? '（沙盒规则据此计时）' : ''}不是它被记录的时间`
      : `${own} ${f.stated} 比它的 recordedAt ${f.recordedAt} 晚 ${span}，超过了允许的 ${EVENT_TIME_LEAD_MS / 60_000} 分钟：` +
          '事件所述的时间晚于它自己的提交';
  },
  catalogue: (f) => catalogueChinese(f),
  misplaced: (f) => `leafIndex 为 ${f.claimed}，应为 ${f.expected}（有事件缺失、被移动或被插入）`,
  'time-back': (f) => `recordedAt ${f.recordedAt} 早于叶序号 ${f.previousLeaf} 的 ${f.previousRecordedAt}：日志的时间倒退了`,
  'chain-revision': (f) => `流 ${f.stream} 的 revision 为 ${f.revision}，应为 ${f.expected}`,
  'chain-prev-hash': (f) =>
    f.previousRevision === null
      ? `prevHash 不是流 ${f.stream} 的第一个事件应有的零哈希`
      : `prevHash 没有链接到流 ${f.stream} 中 revision 为 ${f.previousRevision} 的事件`,
  'duplicate-id': (f) => `事件 ID ${JSON.stringify(f.id)} 已被叶序号 ${f.firstLeaf} 的事件使用：每个事件的 ID 必须唯一`,
  checkpoint: (f) => {
    const word = CHECKPOINT_ZH[f.checkpoint.code] as (c: CheckpointFault, detail: string) => string | undefined;
    const text = word(f.checkpoint, f.detail);
    return text === undefined ? undefined : `检查点：${text}`;
  },
  'checkpoint-late': (f) => `树大小为 ${f.treeSize} 的检查点是在读入 ${f.streamed} 个事件之后才给出的；请在读入之前给出`,
  'checkpoint-before-leaf': (f) =>
    `树大小为 ${f.treeSize} 的检查点的时间为 ${seconds(f.time)}，早于它所覆盖的叶序号 ${f.leaf} 的记录时间 ${f.recordedAt}：` +
    '检查点比它的叶子还早',
  'checkpoint-time-back': (f) =>
    `树大小为 ${f.treeSize} 的检查点的时间为 ${seconds(f.time)}，早于树大小为 ${f.previousSize} 的检查点的时间 ` +
    `${seconds(f.previousTime)}：检查点的时间倒退了`,
  'split-view': (f) => `两个树大小同为 ${f.treeSize} 的检查点签署了不同的根哈希：日志呈现了分叉视图`,
  'root-mismatch': ({ treeSize, signedSize }) =>
    `前 ${treeSize} 个事件的根哈希与树大小为 ${treeSize} 的已签名检查点不符：每个事件自身的哈希和链接都成立，但` +
    (treeSize - 1 === signedSize ? `叶序号 ${signedSize} 不是` : `叶序号 ${signedSize}..${treeSize - 1} 不是`) +
    '日志所签署的（被改动后重新计算了哈希，或被重排、插入、删除），或者导出文件属于同一密钥下的另一个日志' +
    (signedSize > 0
      ? `，或者日志签署了互相矛盾的树大小为 ${signedSize} 和 ${treeSize} 的检查点（分叉视图：日志在两者之间的一致性证明` +
        ` /v1/ledger/proof/consistency?from=${signedSize}&to=${treeSize} 可以判明是哪一种）`
      : '') +
    (treeSize - 1 > signedSize ? '；给出这段范围之内的检查点（--checkpoints）可以缩小范围' : ''),
  truncated: (f) =>
    `导出文件在 ${f.events} 个事件后就结束了，但一个已签名的检查点含有 ${f.treeSize} 个事件：导出文件被截断，或导出于该检查点之前（请重新导出${f.events > 0 ? `，或用不超过 ${f.events} 个事件的检查点验证` : ''}）`,
  settlement: (f) => (SETTLEMENT_ZH[f.settlement.rule] as (s: SettlementFault) => string)(f.settlement),
};

/** Every kind of failure in every language: the one map from a failure's code to its wording. */
export const FAILURE_WORDING: Record<Lang, FailureWording> = { en: verifierEnglish, 'zh-CN': chinese };

/** A failure a language has no wording for (a kind this console does not know, a detail in English only): its reason. */
export const UNWORDED: Record<Lang, (reason: string) => string> = {
  en: (reason) => reason,
  'zh-CN': (reason) => `无法用中文说明此项${inEnglish(reason)}`,
};

/** A failure in `lang`: its wording from its code and values, else the verifier's English after a lead-in saying so. */
export function failureText(lang: Lang, f: ExportFailure): string {
  const wording = FAILURE_WORDING[lang];
  const word = Object.hasOwn(wording, f.code) ? (wording[f.code] as (f: FailureFacts) => string | undefined) : undefined;
  return word?.(f) ?? UNWORDED[lang](f.reason);
}

/** What the verdict line says around the failure or the figures, in each language; English as the CLI prints it. */
const FRAMES: Record<
  Lang,
  {
    ok: (v: Extract<Verdict, { kind: 'ok' }>) => string;
    unsigned: (treeSize: number) => string;
    failed: (place: string, why: string, checkpoint: BadCheckpoint | undefined) => string;
    place: (f: ExportFailure) => string;
  }
> = {
  en: {
    ok: (v) =>
      `ok: ${v.treeSize} events in ${v.streams} streams; root of those ${v.treeSize} events ${v.root} (base64, as in checkpoint notes); ${v.checkpoints} checkpoint(s) verified, signed up to tree size ${v.signedTreeSize}` +
      unsignedTail(v) +
      `; ${v.settlements} settlement(s) match the sandbox rules` +
      ` (${v.eventsPerSecond} events/s, ${v.megabytesPerSecond} MB/s, checked in a Web Worker)`,
    unsigned: (treeSize) =>
      `FAILED: no checkpoint given; the export's ${treeSize} events hash and chain correctly, but nothing signed covers them`,
    failed: (place, why, c) =>
      `FAILED${place}: ${why}${c ? ` (checkpoint ${c.index} of ${c.of}${c.claimedSize === null ? '' : `, claiming tree size ${c.claimedSize}`})` : ''}`,
    place: failurePlace,
  },
  'zh-CN': {
    ok: (v) => {
      const past = v.treeSize - v.signedTreeSize;
      return (
        `通过：${v.treeSize} 个事件，分属 ${v.streams} 个流；这 ${v.treeSize} 个事件的根哈希 ${v.root}（base64，与检查点注记中的写法相同）；` +
        `已验证 ${v.checkpoints} 个检查点，签名覆盖至树大小 ${v.signedTreeSize}` +
        (past > 0 ? `（最后 ${past} 个事件的哈希和链接正确，但所给的检查点都不覆盖它们：请用更晚的检查点再次核验）` : '') +
        `；${v.settlements} 次结算符合沙盒规则（每秒 ${v.eventsPerSecond} 个事件，${v.megabytesPerSecond} MB/s，在 Web Worker 中核验）`
      );
    },
    unsigned: (treeSize) => `未通过：没有给出检查点；导出文件的 ${treeSize} 个事件哈希与链接均正确，但没有任何签名覆盖它们`,
    failed: (place, why, c) =>
      `未通过${place}：${why}` +
      (c ? `（第 ${c.index} 个检查点，共 ${c.of} 个${c.claimedSize === null ? '' : `，声称树大小为 ${c.claimedSize}`}）` : ''),
    place: (f) =>
      f.leafIndex === null
        ? ''
        : f.lastLeafIndex !== undefined && f.lastLeafIndex > f.leafIndex
          ? `（在叶序号 ${f.leafIndex}..${f.lastLeafIndex} 之中）`
          : `（叶序号 ${f.leafIndex}）`,
  },
};

/** The verdict line in `lang`. */
export function verdictText(lang: Lang, v: Verdict): string {
  const frame = FRAMES[lang];
  switch (v.kind) {
    case 'ok':
      return frame.ok(v);
    case 'unsigned':
      return frame.unsigned(v.treeSize);
    case 'failed':
      return frame.failed(frame.place(v.failure), failureText(lang, v.failure), v.checkpoint);
  }
}
