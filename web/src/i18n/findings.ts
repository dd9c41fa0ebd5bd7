// The console's other findings in its languages: the checkpoint monitor's alarms (web/src/pages/auditor/monitor.ts), the
// public page's failed checks (web/src/public-check.ts), and why RFC 3161 time-stamps or TSA CA certificates do not
// check (src/verifier/timestamp-token.ts). Each says why as data (a code and the values its message names); English is
// the verifier's own reason, as the CLI prints it, and Chinese is worded here from those values. A detail that exists in
// English only (a library's words) follows a Chinese lead-in that says so, as on the auditor's verdict (verdicts.ts).
import type { MonitorAlarm, MonitorAlarmKind, StampFailure } from '../pages/auditor/monitor.js';
import type { PublicFault, PublicFaultCode } from '../public-check.js';
import type { EssFault, TimestampFault, TimestampFaultCode, TokenMalformation } from '../timestamp-verifier.js';
import type { ConsistencyFault, CosignedFault, ProofFault, ReceiptFault } from '../verifier.js';
import type { Lang } from './lang.js';
import { checkpointChinese, FAILURE_WORDING, inEnglish, UNWORDED, VKEY_WORDING } from './verdicts.js';

// ---- Time-stamps (RFC 3161) and their CA certificates

const MALFORMATION_ZH: { [P in TokenMalformation['problem']]: (m: Extract<TokenMalformation, { problem: P }>) => string } = {
  'not-one-der': () => '不是恰好一个 DER 值',
  'not-signed-data': () => '不是 CMS SignedData',
  'not-tst-info': () => '所签署的内容不是 TSTInfo',
  'no-tst-info': () => '没有 TSTInfo',
  signers: () => '令牌必须恰好有一个签名者',
  'signed-data-version': (m) => `SignedData 的版本为 ${m.version}，而不是 3`,
  'signer-info-version': () => 'SignerInfo 的版本与其 sid 不符',
  crls: () => '令牌携带了证书吊销列表',
  'not-canonical': () => '不是规范的 DER 编码',
  'digest-algorithms': () => 'digestAlgorithms 列出了与签名者不同的摘要算法',
  'algorithm-parameters': () => '某个算法标识符带有不应有的参数',
  'no-signed-attributes': () => '签名者没有使用签名属性',
  digest: (m) => `签名者的摘要算法 ${m.oid} 不是 SHA-256、SHA-384 或 SHA-512`,
  parse: (m) => `无法解析${inEnglish(m.detail)}`,
};

const ESS_ZH: { [P in EssFault['problem']]: (f: Extract<EssFault, { problem: P }>) => string } = {
  none: () => '签名者没有签署哪张证书是它自己的（没有 ESS signingCertificate 属性）',
  malformed: (f) => `其 ${f.attribute} 属性的格式有误`,
  'hash-parameters': (f) => `其 ${f.attribute} 属性指明的哈希算法带有参数`,
  'unknown-hash': (f) => `其 ${f.attribute} 属性的格式有误，或指明了未知的哈希算法`,
  'other-certificate': (f) => `其 ${f.attribute} 属性指明的证书不是验证其签名的那一张`,
  'issuer-serial': (f) => `其 ${f.attribute} 属性中的 issuerSerial 格式有误`,
  'other-issuer': (f) => `其 ${f.attribute} 属性指明的签发者或序列号与签名者的证书不同`,
};

const TIMESTAMP_ZH: { [C in TimestampFaultCode]: (f: Extract<TimestampFault, { code: C }>) => string } = {
  'no-webcrypto': () => '此处没有 WebCrypto（crypto.subtle）',
  note: (f) => `检查点的签名注记格式有误${inEnglish(f.detail)}`,
  'token-not-base64': (f) => `第 ${f.index} 个时间戳不是 base64`,
  'token-repeated': (f) => `第 ${f.index} 个时间戳与第 ${f.first} 个相同：每个令牌只能列出一次`,
  token: (f) => `第 ${f.index} 个时间戳：${timestampChinese(f.token)}`,
  'before-checkpoint': (f) => `第 ${f.index} 个时间戳由 ${f.authority} 签于 ${f.time}，早于检查点的时间 ${f.checkpointTime}`,
  'listed-time': (f) => `第 ${f.index} 个时间戳列出的时间为 ${f.listed}，但其令牌记载的是 ${f.time}`,
  'no-certificate': () => 'PEM 文本中没有 CERTIFICATE',
  'pem-extra': () => 'PEM 文本中除了证书还有别的内容',
  'pem-not-base64': () => '有一张 PEM 证书不是 base64',
  'pem-not-canonical-base64': () => '有一张 PEM 证书不是规范的 base64',
  'pem-parse': (f) => `有一张 PEM 证书无法解析${inEnglish(f.detail)}`,
  'pem-not-der': () => '有一张 PEM 证书不是规范的 DER 编码',
  'ca-not-self-signed': (f) => `CA 证书 ${f.subject} 的自签名无效`,
  'ca-signature-algorithm': (f) =>
    `CA 证书 ${f.subject} 的签名算法 ${f.name === null ? f.oid : `${f.name}（${f.oid}）`} 不受验证器支持（它验证 RSA 和 ECDSA 签名）`,
  malformed: (f) => `时间戳令牌的格式有误：${(MALFORMATION_ZH[f.token.problem] as (m: TokenMalformation) => string)(f.token)}`,
  'imprint-algorithm': () => '令牌的消息印记不是 SHA-256 摘要',
  imprint: () => '令牌所签的摘要不是该检查点的摘要',
  nonce: () => '令牌没有携带请求中的 nonce',
  chain: (f) =>
    f.detail !== null
      ? `令牌的签名或证书链验证未通过${inEnglish(f.detail)}`
      : `令牌的签名或证书链验证未通过：${f.failed === 'signature' ? '签名不符' : '证书链无效'}`,
  'signer-name': () => '令牌中签名者的名称与其证书上的不完全相同',
  'signature-not-der': () => '令牌的签名不是对其签名属性所作的 DER 签名',
  'chain-not-der': () => '令牌证书链中有一张证书不是由其签发者以 DER 签署的',
  'extra-certificate': () => '令牌携带了其已验证的证书链之外的证书',
  'signing-certificate': (f) => `令牌的签名者证书不是它所签署声明的那一张：${(ESS_ZH[f.ess.problem] as (e: EssFault) => string)(f.ess)}`,
  'not-tsa-certificate': () => '签名证书不是 TSA 证书（没有关键的 extendedKeyUsage timeStamping）',
};

function timestampChinese(f: TimestampFault): string {
  return (TIMESTAMP_ZH[f.code] as (f: TimestampFault) => string)(f);
}

/** A time-stamp's (or a TSA CA certificate's) fault in each language; English as the verifier says it. */
export const TIMESTAMP_WORDING: Record<Lang, (f: TimestampFault, reason: string) => string> = {
  en: (_, reason) => reason,
  'zh-CN': (f) => timestampChinese(f),
};

/**
 * Why time-stamps or TSA CA certificates did not check, in `lang`, from the verifier's fault (null for an error it gives
 * no fault for: its English reason after a lead-in) and its English `reason`.
 */
export function timestampText(lang: Lang, fault: TimestampFault | null, reason: string): string {
  if (fault === null || !Object.hasOwn(TIMESTAMP_ZH, fault.code)) return UNWORDED[lang](reason);
  return TIMESTAMP_WORDING[lang](fault, reason);
}

// ---- Proofs, cosigned checkpoints, consistency and receipts

const PROOF_ZH: { [C in ProofFault['code']]: (f: Extract<ProofFault, { code: C }>) => string } = {
  'index-sizes': () => '叶序号和树大小必须是非负的安全整数',
  'tree-sizes': () => '树大小必须是非负的安全整数',
  'index-range': (f) => `叶序号 ${f.leafIndex} 不小于树大小 ${f.treeSize}`,
  'leaf-hash-size': () => '叶哈希必须是 32 字节',
  'hash-size': (f) => `证明中序号为 ${f.index} 的哈希不是 32 字节`,
  'path-long': (f) => `证明含 ${f.hashes} 个哈希，多于树大小为 ${f.treeSize} 的树中叶序号 ${f.leafIndex} 的路径`,
  'path-short': (f) => `证明含 ${f.hashes} 个哈希，少于树大小为 ${f.treeSize} 的树中叶序号 ${f.leafIndex} 的路径`,
  'root-size': () => '根哈希必须是 32 字节',
  'roots-size': () => '两个根哈希都必须是 32 字节',
  'not-root': () => '包含证明没有通向根哈希',
  'size-order': (f) => `树大小 ${f.size1} 大于 ${f.size2}`,
  'equal-not-empty': () => '相同树大小之间的证明必须为空',
  'equal-roots': (f) => `树大小 ${f.size} 有两个不同的根哈希`,
  'empty-not-empty': () => '从空树出发的证明必须为空',
  'empty-root': () => '空树的根哈希不是空字符串的 SHA-256',
  'consistency-empty': () => '一致性证明为空',
  'consistency-long': (f) => `证明中的哈希多于从 ${f.size1} 到 ${f.size2} 的一致性证明所需`,
  'consistency-short': (f) => `证明中的哈希少于从 ${f.size1} 到 ${f.size2} 的一致性证明所需`,
  'not-root-of': (f) => `证明没有通向树大小为 ${f.size} 的根哈希`,
};
const proofChinese = (f: ProofFault) => (PROOF_ZH[f.code] as (f: ProofFault) => string)(f);

/** A cosignature that does not verify. */
const badCosignature = (key: string) => `${key} 的联署签名验证未通过`;

/** Why a checkpoint is not accepted with the trusted keys, in Chinese; undefined where it cannot be worded. */
function cosignedChinese(f: CosignedFault, detail: string): string | undefined {
  switch (f.code) {
    case 'ml-dsa-origin':
      return `ML-DSA-44 密钥 ${f.key} 的名称不是日志的来源 ${f.origin}`;
    case 'ml-dsa-missing':
      return `检查点上没有 ${f.key} 的 ML-DSA-44 联署签名`;
    case 'ml-dsa-invalid':
      return f.malformed === null ? badCosignature(f.key) : `签名注记的格式有误${inEnglish(f.malformed)}`;
    case 'quorum-keys':
      return `法定数量 ${f.quorum} 需要至少同样多的见证者密钥，而只有 ${f.witnesses} 个`;
    case 'quorum':
      return (
        `检查点有 ${f.valid} 个有效的见证者联署签名，要求 ${f.quorum} 个` +
        (f.malformed !== null
          ? `；签名注记的格式有误${inEnglish(f.malformed)}`
          : f.invalid.map((k) => `；${badCosignature(k)}`).join('') +
            f.misnamed
              .map((m) => `；${m.key} 的公钥验证了署名为 “${m.signedAs}” 的联署签名：见证者以 “${m.signedAs}” 签名，其 vkey 须以此名生成`)
              .join(''))
      );
    default:
      return checkpointChinese(f, detail);
  }
}

/** `text` after `lead`, or undefined when there is no text. */
const after = (lead: string, text: string | undefined) => (text === undefined ? undefined : `${lead}${text}`);

/** Why a checkpoint is not accepted with the trusted keys (its own signature, the ML-DSA-44 key's, the witnesses'), in `lang`. */
export function cosignedText(lang: Lang, f: CosignedFault, detail: string): string {
  if (lang === 'en') return detail;
  return cosignedChinese(f, detail) ?? UNWORDED[lang](detail);
}

function consistencyChinese(f: ConsistencyFault): string | undefined {
  switch (f.code) {
    case 'vkey':
      return f.vkey === null ? undefined : `验证密钥无效：${VKEY_WORDING['zh-CN'](f.vkey)}`;
    case 'older':
      return after('较早的检查点：', checkpointChinese(f.checkpoint, f.detail));
    case 'newer':
      return after('较新的检查点：', checkpointChinese(f.checkpoint, f.detail));
    case 'not-hex':
      return '证明中的哈希不是十六进制';
    case 'proof':
      return `树大小为 ${f.older} 和 ${f.newer} 的检查点不一致：${proofChinese(f.proof)}`;
  }
}

/** Why two checkpoints are not shown consistent, in `lang`. */
export function consistencyText(lang: Lang, f: ConsistencyFault, detail: string): string {
  if (lang === 'en') return detail;
  return consistencyChinese(f) ?? UNWORDED[lang](detail);
}

const zhFailure = FAILURE_WORDING['zh-CN'];

function receiptChinese(f: ReceiptFault): string | undefined {
  switch (f.code) {
    case 'tlog-proof':
      return `tlog-proof 的格式有误${inEnglish(f.detail)}`;
    case 'no-extra':
      return 'tlog-proof 没有携带条目的 extra 行';
    case 'extra-not-json':
      return 'extra 不是 UTF-8 JSON';
    case 'not-object':
      return '回执不是 JSON 对象';
    case 'no-inclusion-proof':
      return '回执没有包含证明';
    case 'no-checkpoint':
      return '回执没有检查点';
    case 'proof-leaf-index':
      return '包含证明的叶序号与回执的不同';
    case 'proof-tree-size':
      return '包含证明的树大小与回执的不同';
    case 'proof-hashes':
      return '证明中的哈希不是 64 位小写十六进制数字';
    case 'entry':
      return `条目：${zhFailure.envelope({ code: 'envelope', rule: f.rule, field: f.field })}`;
    case 'entry-hash': {
      const { code: _, ...facts } = f;
      return `条目：${zhFailure['hash-mismatch']({ code: 'hash-mismatch', ...facts })}`;
    }
    case 'index':
      return `回执的叶序号 ${f.index} 不是条目的 leafIndex ${f.leafIndex}`;
    case 'checkpoint':
      return after('检查点：', checkpointChinese(f.checkpoint, f.detail));
    case 'tree-size':
      return `回执的树大小 ${f.treeSize} 不是检查点的树大小 ${f.checkpointTreeSize}`;
    case 'inclusion':
      return `包含证明：${proofChinese(f.proof)}`;
    case 'entry-recorded-at':
      return `条目：${zhFailure['recorded-at']({ code: 'recorded-at', recordedAt: f.recordedAt })}`;
    case 'entry-time': {
      const { code: _, ...facts } = f;
      return `条目：${zhFailure['event-time']({ code: 'event-time', ...facts })}`;
    }
    case 'entry-catalogue': {
      const { code: _, ...facts } = f;
      return `条目：${zhFailure.catalogue({ code: 'catalogue', ...facts })}`;
    }
  }
}

/** Why a receipt (its entry, its inclusion proof or its checkpoint) does not verify, in `lang`. */
export function receiptText(lang: Lang, f: ReceiptFault, detail: string): string {
  if (lang === 'en') return detail;
  return receiptChinese(f) ?? UNWORDED[lang](detail);
}

// ---- The checkpoint monitor's alarms

/** Time-stamps that failed, in `lang`: the ledger serves no TSA CA (on first use), or the verifier's fault. */
export function stampFailureText(lang: Lang, s: StampFailure): string {
  if (s.fault?.code === 'no-ca') return lang === 'en' ? s.reason : '账本没有提供可用来核验其时间戳的 TSA CA 证书';
  return timestampText(lang, s.fault, s.reason);
}

const ALARM_ZH: { [K in MonitorAlarmKind]: (a: Extract<MonitorAlarm, { kind: K }>) => string } = {
  signature: (a) => `签名：${cosignedText('zh-CN', a.fault, a.detail)}`,
  shrank: (a) => `日志缩小了：树大小在 ${a.previous} 之后变成了 ${a.treeSize}`,
  'split-view': (a) => `两个树大小同为 ${a.treeSize} 的检查点签署了不同的根哈希：日志呈现了分叉视图`,
  consistency: (a) => `一致性：${consistencyText('zh-CN', a.fault, a.detail)}`,
  'time-stamp': (a) => `时间戳：${stampFailureText('zh-CN', a.stamps)}`,
};

/** Every kind of alarm worded in Chinese (the English is `alarmReason`, in monitor.ts). */
export const ALARM_KINDS_WORDED = Object.keys(ALARM_ZH) as MonitorAlarmKind[];

/** The monitor's alarm in `lang`; `english` is how monitor.ts words it (alarmReason). */
export function alarmText(lang: Lang, a: MonitorAlarm, english: string): string {
  if (lang === 'en') return english;
  return (ALARM_ZH[a.kind] as (a: MonitorAlarm) => string)(a);
}

// ---- The public page's failed checks

const PUBLIC_ZH: { [C in PublicFaultCode]: (f: Extract<PublicFault, { code: C }>) => string } = {
  'other-filing': (f) => `条目记载的是存证 ${f.named}，而不是 ${f.filingId}`,
  'not-this-file': (f) => `条目（${f.type}）记载的不是此文件的哈希`,
  checkpoint: (f) => cosignedText('zh-CN', f.fault, f.detail),
  receipt: (f) => receiptText('zh-CN', f.fault, f.detail),
  key: (f) => (f.vkey === null ? UNWORDED['zh-CN'](f.detail) : `账本公布的联署密钥无效：${VKEY_WORDING['zh-CN'](f.vkey)}`),
  'no-ca': () => '账本没有公布可用来核验这些令牌的 TSA 证书',
  'time-stamp': (f) => timestampText('zh-CN', f.fault, f.detail),
};

/** Every code of a failed public check worded in Chinese. */
export const PUBLIC_FAULTS_WORDED = Object.keys(PUBLIC_ZH) as PublicFaultCode[];

/** Why a public check failed, in `lang`; `reason` is its English, as the check gives it. */
export function publicFaultText(lang: Lang, f: PublicFault | undefined, reason: string): string {
  if (lang === 'en') return reason;
  if (f === undefined || !Object.hasOwn(PUBLIC_ZH, f.code)) return UNWORDED[lang](reason);
  return (PUBLIC_ZH[f.code] as (f: PublicFault) => string)(f);
}
