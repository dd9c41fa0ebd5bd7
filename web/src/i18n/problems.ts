// What each of the ledger's problem types means, in the console's languages: a refusal's heading says it in the reader's
// language, and the ledger's own detail (in English, with the values it names) follows it. Keyed by the type's last part
// (`urn:sandbox-ledger:problem:<name>`); test/web/problem-titles.spec.ts holds the names to the server's catalogue.

export const PROBLEM_TITLES = {
  en: {
    'bad-request': 'the request is malformed',
    'validation-failed': 'the request did not validate',
    'malformed-json': 'the body is not valid JSON',
    'invalid-unicode': 'the body holds text that is not valid Unicode',
    'invalid-number': 'the body holds a number out of range',
    'too-deep': 'the body is nested too deeply',
    'reserved-name': 'a field has a reserved name',
    'body-too-large': 'the body is too large',
    'unsupported-media-type': 'the body is of a type this request does not take',
    'rate-limited': 'too many requests; try again shortly',
    'headers-too-large': "the request's headers are too large",
    'request-timeout': 'the request did not arrive in time',
    unavailable: 'the ledger is unavailable for the moment',
    'shutting-down': 'the server is shutting down; send the request again',
    'stale-time': 'the request took too long to reach the log, and nothing was written; send it again',
    'invalid-min-position': 'the minimum log position is not a number',
    'min-position-ahead': 'the minimum log position is beyond the log',
    'read-models-behind': 'the ledger is catching up; try again shortly',
    'missing-key': 'an API key is needed',
    'invalid-key': 'the API key is not valid',
    'key-expired': 'the API key has expired',
    'role-required': 'this key lacks the role this needs',
    'invalid-idempotency-key': 'the Idempotency-Key is not valid',
    'idempotency-key-applied': 'this request was already carried out',
    'idempotency-key-in-progress': 'this request is still being carried out',
    'idempotency-key-reused': 'the Idempotency-Key was used for another request',
    'expiry-beyond-key': 'the new key cannot outlive the key that issues it',
    'expiry-not-in-future': 'the expiry must be in the future',
    'invalid-roles': 'the roles are not valid',
    'principal-not-found': 'no such principal',
    'key-not-found': 'no such key',
    'principal-exists': 'the principal exists already',
    'key-revoked': 'the key is revoked',
    'last-admin-key': 'the last admin key cannot be revoked',
    'invalid-hash': 'a hash is not valid',
    'empty-amendment': 'the amendment changes nothing',
    'not-owner': 'this filing is not yours',
    'filing-not-found': 'no such filing',
    'not-filed': 'this content is not filed',
    'filing-exists': 'the filing exists already',
    'duplicate-content': 'this content was filed before',
    'content-is-registered-copy': 'this is a registered copy of another filing',
    'already-withdrawn': 'the filing is withdrawn already',
    'filing-withdrawn': 'the filing is withdrawn',
    'dispute-open': 'a complaint against the filing is open',
    'right-transferred': 'the right was transferred',
    'right-revoked': 'the right was revoked by a final decision',
    'right-expired': 'the right has expired',
    'amendment-limit': 'the filing cannot be amended further',
    'file-required': 'the file is missing',
    'metadata-required': 'the metadata part is missing',
    'unexpected-part': 'the upload has a part it should not',
    'malformed-multipart': 'the upload is malformed',
    'file-too-large': 'the file is too large',
    'metadata-too-large': 'the metadata is too large',
    'too-many-files': 'the upload has too many files',
    'too-many-parts': 'the upload has too many parts',
    'empty-content': 'the content is empty: there is no work to file',
    'evidence-made-later': 'an evidence file is dated more than 5 minutes after the time it is recorded',
    'content-hash-mismatch': 'the file does not have the declared hash',
    'content-type-mismatch': 'the file is not of the declared type',
    'perceptual-hash-mismatch': 'the image does not have the declared perceptual hash',
    'image-too-large': 'the image is too large to read',
    'image-unreadable': 'the image cannot be read',
    'label-rules-not-met': 'the labels do not meet the rules',
    'labels-unchanged': 'the labels are unchanged',
    'labels-not-declared': 'the labels are not declared yet',
    'no-computed-hash': 'the filing has no perceptual hash the ledger computed',
    'copy-is-filed-content': 'this file is filed as a work, not a copy',
    'copy-already-registered': 'this copy is registered already',
    'copy-label-missing': 'the copy carries no label',
    'copy-label-malformed': 'the copy’s label is malformed',
    'copy-label-differs': 'the copy’s label differs from the declared one',
    'copy-not-an-image': 'the copy is not an image',
    'copy-not-the-same-work': 'the copy is not the same work',
    'own-filing': 'you cannot complain about your own filing',
    'basis-is-target': 'a filing cannot be the basis of a complaint against itself',
    'claim-required': 'the claim is missing',
    'statement-required': 'the statement is missing',
    'grounds-required': 'the grounds are missing',
    'reasoning-required': 'the reasoning is missing',
    'remedy-required': 'an upheld complaint needs a remedy',
    'remedy-not-allowed': 'that remedy is not allowed here',
    'remedy-not-applicable': 'that remedy does not apply to this type of complaint',
    'remedy-unchanged': 'varying must change the remedy',
    'duplicate-evidence': 'an evidence item is given twice',
    'duplicate-evidence-file': 'an evidence file is given twice',
    'evidence-filename-required': 'an evidence file has no name',
    'evidence-file-missing': 'an evidence file is missing',
    'evidence-file-undescribed': 'an evidence file is not described',
    'unknown-reviewer': 'no such reviewer',
    'not-a-reviewer': 'that principal is not a reviewer',
    'basis-not-owned': 'the basis filing is not yours',
    'not-a-party': 'you are not a party to this dispute',
    'not-complainant': 'only the complainant may do this',
    'not-respondent': 'only the respondent may do this',
    'not-assigned-reviewer': 'only the assigned reviewer may do this',
    'assign-self-only': 'a reviewer may assign only themself',
    'reviewer-is-party': 'a party cannot review the dispute',
    'same-reviewer': 'the appeal needs another reviewer',
    'dispute-not-found': 'no such dispute',
    'basis-filing-not-found': 'no such basis filing',
    'dispute-exists': 'the dispute exists already',
    'basis-filing-withdrawn': 'the basis filing is withdrawn',
    'already-assigned': 'the dispute is assigned already',
    'not-assigned': 'the dispute is not assigned yet',
    'already-responded': 'the complaint was answered already',
    'response-window-closed': 'the time to answer has passed',
    'awaiting-response': 'the respondent may still answer',
    'already-decided': 'the dispute is decided already',
    'not-decided': 'the dispute is not decided yet',
    'already-appealed': 'you have appealed already',
    'nothing-to-appeal': 'the complaint was rejected: you have no decision against you to appeal',
    'appeal-window-closed': 'the time to appeal has passed',
    'not-appealed': 'the decision was not appealed',
    'appeal-already-decided': 'the appeal is decided already',
    'dispute-final': 'the dispute is final',
    'dispute-returned': 'the complaint was returned',
    'dispute-withdrawn': 'the complaint was withdrawn',
    'evidence-hash-mismatch': 'an evidence file does not have its declared hash',
    'evidence-type-mismatch': 'an evidence file is not of its declared type',
    'right-not-yet-open': 'the filing was made after that time',
    'reviewer-is-creator': 'a reviewer cannot review their own filing',
    'flag-not-raised': 'the flag is not raised',
    'flag-already-reviewed': 'the flag was reviewed already',
    'flag-decided-by-dispute': 'a dispute decides this flag',
    'right-closed': 'the right is closed',
    'effective-from-not-after-latest': 'the policy must take effect after the latest one',
    'effective-from-not-future': 'the policy must take effect in the future',
    'effective-from-too-far': 'the policy may take effect at most a year ahead',
    'policy-unchanged': 'the new policy version changes nothing',
    'settlement-out-of-order': 'a settlement cannot be earlier than the previous one',
    'as-of-in-future': 'a settlement cannot be as of a future time',
    'ruleset-unknown': 'a policy version needs a newer ledger server',
    'out-of-range': 'that is beyond the log',
  },
  'zh-CN': {
    'bad-request': '请求格式有误',
    'validation-failed': '请求未通过校验',
    'malformed-json': '请求体不是有效的 JSON',
    'invalid-unicode': '请求体含有无效的 Unicode 文本',
    'invalid-number': '请求体含有超出范围的数字',
    'too-deep': '请求体嵌套过深',
    'reserved-name': '字段使用了保留名称',
    'body-too-large': '请求体过大',
    'unsupported-media-type': '此请求不接受该类型的请求体',
    'rate-limited': '请求过于频繁，请稍后再试',
    'headers-too-large': '请求头过大',
    'request-timeout': '请求未能按时送达',
    unavailable: '账本暂时不可用',
    'shutting-down': '服务器正在关闭，请重新发送请求',
    'stale-time': '请求耗时过长，未写入任何内容，请重新发送',
    'invalid-min-position': '最小日志位置不是数字',
    'min-position-ahead': '最小日志位置超出了日志',
    'read-models-behind': '账本正在同步，请稍后再试',
    'missing-key': '需要 API 密钥',
    'invalid-key': 'API 密钥无效',
    'key-expired': 'API 密钥已过期',
    'role-required': '此密钥缺少所需角色',
    'invalid-idempotency-key': 'Idempotency-Key 无效',
    'idempotency-key-applied': '此请求已执行过',
    'idempotency-key-in-progress': '此请求仍在执行中',
    'idempotency-key-reused': '该 Idempotency-Key 已用于另一个请求',
    'expiry-beyond-key': '新密钥的有效期不能超过签发它的密钥',
    'expiry-not-in-future': '到期时间必须在将来',
    'invalid-roles': '角色无效',
    'principal-not-found': '没有这个主体',
    'key-not-found': '没有这个密钥',
    'principal-exists': '该主体已存在',
    'key-revoked': '该密钥已被吊销',
    'last-admin-key': '不能吊销最后一个管理员密钥',
    'invalid-hash': '哈希值无效',
    'empty-amendment': '修改没有任何变化',
    'not-owner': '这不是您的存证',
    'filing-not-found': '没有这个存证',
    'not-filed': '此内容尚未存证',
    'filing-exists': '该存证已存在',
    'duplicate-content': '此内容已被存证过',
    'content-is-registered-copy': '这是另一份存证已登记的分发副本',
    'already-withdrawn': '该存证已撤回',
    'filing-withdrawn': '该存证已撤回',
    'dispute-open': '针对该存证的投诉尚未结案',
    'right-transferred': '该权利已被转让',
    'right-revoked': '该权利已被终局决定撤销',
    'right-expired': '该权利已到期',
    'amendment-limit': '该备案已达修订上限，不能再修订',
    'file-required': '缺少文件',
    'metadata-required': '缺少元数据部分',
    'unexpected-part': '上传中含有不应有的部分',
    'malformed-multipart': '上传格式有误',
    'file-too-large': '文件过大',
    'metadata-too-large': '元数据过大',
    'too-many-files': '上传的文件过多',
    'too-many-parts': '上传的部分过多',
    'empty-content': '内容为空：没有可存证的作品',
    'evidence-made-later': '某项过程证据的创建时间比其登记时间晚 5 分钟以上',
    'content-hash-mismatch': '文件与声明的哈希不符',
    'content-type-mismatch': '文件与声明的类型不符',
    'perceptual-hash-mismatch': '图像与声明的感知哈希不符',
    'image-too-large': '图像过大，无法读取',
    'image-unreadable': '无法读取该图像',
    'label-rules-not-met': '标识不符合规则',
    'labels-unchanged': '标识没有变化',
    'labels-not-declared': '尚未声明标识',
    'no-computed-hash': '该存证没有账本计算的感知哈希',
    'copy-is-filed-content': '此文件已作为作品存证，不是副本',
    'copy-already-registered': '该副本已登记',
    'copy-label-missing': '副本没有标识',
    'copy-label-malformed': '副本的标识格式不正确',
    'copy-label-differs': '副本的标识与声明的不同',
    'copy-not-an-image': '副本不是图像',
    'copy-not-the-same-work': '副本不是同一作品',
    'own-filing': '不能投诉自己的存证',
    'basis-is-target': '存证不能作为针对其自身投诉的依据',
    'claim-required': '缺少投诉主张',
    'statement-required': '缺少答复陈述',
    'grounds-required': '缺少申诉理由',
    'reasoning-required': '缺少裁决理由',
    'remedy-required': '支持投诉须指定救济措施',
    'remedy-not-allowed': '此处不允许该救济措施',
    'remedy-not-applicable': '该救济措施不适用于此类投诉',
    'remedy-unchanged': '变更裁决须改变救济措施',
    'duplicate-evidence': '证据重复提交',
    'duplicate-evidence-file': '证据文件重复提交',
    'evidence-filename-required': '证据文件没有文件名',
    'evidence-file-missing': '缺少证据文件',
    'evidence-file-undescribed': '证据文件没有说明',
    'unknown-reviewer': '没有这个审核员',
    'not-a-reviewer': '该主体不是审核员',
    'basis-not-owned': '依据的存证不是您的',
    'not-a-party': '您不是此争议的当事人',
    'not-complainant': '只有投诉人可以这样做',
    'not-respondent': '只有被投诉人可以这样做',
    'not-assigned-reviewer': '只有被分配的审核员可以这样做',
    'assign-self-only': '审核员只能把争议分配给自己',
    'reviewer-is-party': '当事人不能审核该争议',
    'same-reviewer': '申诉须由另一位审核员裁决',
    'dispute-not-found': '没有这个争议',
    'basis-filing-not-found': '没有这个依据存证',
    'dispute-exists': '该争议已存在',
    'basis-filing-withdrawn': '依据的存证已撤回',
    'already-assigned': '该争议已分配',
    'not-assigned': '该争议尚未分配',
    'already-responded': '该投诉已答复',
    'response-window-closed': '答复期限已过',
    'awaiting-response': '被投诉人仍可答复',
    'already-decided': '该争议已裁决',
    'not-decided': '该争议尚未裁决',
    'already-appealed': '您已提出过申诉',
    'nothing-to-appeal': '投诉已被驳回：没有对您不利的裁决可申诉',
    'appeal-window-closed': '申诉期限已过',
    'not-appealed': '该裁决未被申诉',
    'appeal-already-decided': '该申诉已裁决',
    'dispute-final': '该争议已终结',
    'dispute-returned': '该投诉已被退回',
    'dispute-withdrawn': '该投诉已撤回',
    'evidence-hash-mismatch': '证据文件与声明的哈希不符',
    'evidence-type-mismatch': '证据文件与声明的类型不符',
    'right-not-yet-open': '该存证是在该时间之后提交的',
    'reviewer-is-creator': '审核员不能审核自己的存证',
    'flag-not-raised': '该标记未被提出',
    'flag-already-reviewed': '该标记已审核',
    'flag-decided-by-dispute': '该标记由争议裁决',
    'right-closed': '该权利已终止',
    'effective-from-not-after-latest': '新规则的生效时间必须晚于最新一版',
    'effective-from-not-future': '规则的生效时间必须在将来',
    'effective-from-too-far': '规则的生效时间最多只能提前一年',
    'policy-unchanged': '新的规则版本没有任何改动',
    'settlement-out-of-order': '结算时间不能早于上一次结算',
    'as-of-in-future': '结算时间不能在将来',
    'ruleset-unknown': '有一版政策需要更新版本的账本服务器',
    'out-of-range': '超出了日志范围',
  },
} as const;

/**
 * Refusals that name no problem of their own carry the code of their HTTP status (src/common/problem.ts, CODES): a route
 * that does not exist, a method it does not take, an error of the server's own.
 */
export const GENERIC_TITLES = {
  en: {
    unauthorized: 'an API key is needed',
    forbidden: 'this is not allowed',
    'not-found': 'there is no such thing here',
    'method-not-allowed': 'this address does not take that method',
    'uri-too-long': 'a part of the address is too long',
    'not-acceptable': 'the ledger cannot answer in the format asked for',
    conflict: 'this conflicts with the ledger’s state',
    gone: 'this is no longer here',
    unprocessable: 'the request cannot be carried out',
    internal: 'the ledger failed; try again later',
  },
  'zh-CN': {
    unauthorized: '需要 API 密钥',
    forbidden: '不允许此操作',
    'not-found': '此处没有该内容',
    'method-not-allowed': '此地址不接受该请求方法',
    'uri-too-long': '地址中有一段过长',
    'not-acceptable': '账本无法以所要求的格式答复',
    conflict: '与账本当前状态冲突',
    gone: '该内容已不存在',
    unprocessable: '无法执行该请求',
    internal: '账本出错，请稍后再试',
  },
} as const;

export type ProblemName = keyof (typeof PROBLEM_TITLES)['en'];
const PREFIX = 'urn:sandbox-ledger:problem:';

/** The problem's meaning in `lang`, from its `type`; undefined for a type the console does not know (the ledger's title is shown). */
export function problemTitle(lang: keyof typeof PROBLEM_TITLES, type: unknown): string | undefined {
  if (typeof type !== 'string' || !type.startsWith(PREFIX)) return undefined;
  const name = type.slice(PREFIX.length);
  for (const table of [PROBLEM_TITLES[lang], GENERIC_TITLES[lang]] as Array<Record<string, string>>)
    if (Object.hasOwn(table, name)) return table[name];
  return undefined;
}

/**
 * Details in the reader's language for refusals whose values the ledger names as members of the problem (the time that
 * ruled a dispute's step out, the first filing of content filed before, the fields a request was refused for):
 * `{member}` is that member's value, an instant shown in UTC and in Beijing time, `errors` (each field refused and why)
 * as the names of its fields. Every other refusal shows the ledger's own English detail, marked as such (shownDetail).
 *
 * A validation failure lists each field with a message in English only (no code for the rule it broke), so in Chinese
 * its detail names the fields, then gives the ledger's English as such; in English the ledger's detail says it all. So
 * does it for the refusals worded here in Chinese only (`{detail}` in English): a path id, a copy's refusals.
 */
export const PROBLEM_DETAILS = {
  en: {
    'validation-failed': '{detail}',
    'bad-request': '{detail}',
    'already-responded': 'The respondent answered at {respondedAt}.',
    'response-window-closed': 'The time to answer ended at {responseDueAt}.',
    'awaiting-response': 'The respondent may answer until {responseDueAt}; the decision waits for the answer or for that time.',
    'already-decided': 'The dispute was decided at {decidedAt}.',
    'appeal-window-closed': 'The decision could be appealed until {appealUntil}.',
    'duplicate-content': 'This content was filed first as {priorFilingId} at {priorFiledAt}.',
    'invalid-key': 'The ledger does not know this API key, or it was revoked.',
    'key-expired': 'The API key expired at {expiredAt}: ask for a new one, or issue one with another key.',
    'content-is-registered-copy':
      "This file is a registered distribution copy of filing {copyOf}: it carries that filing's label and is not filed as a work of its own.",
    'copy-not-an-image': '{detail}',
    'copy-label-missing': '{detail}',
    'copy-label-malformed': '{detail}',
    'copy-label-differs': '{detail}',
    'copy-not-the-same-work': '{detail}',
  },
  'zh-CN': {
    'validation-failed': '未通过校验的字段：{errors}。账本的英文说明：{detail}',
    'bad-request': '路径中的 {pathParameter} 必须是 UUID（8-4-4-4-12 位十六进制数字）。',
    'already-responded': '被投诉人已于{respondedAt}答复。',
    'response-window-closed': '答复期限已于{responseDueAt}届满。',
    'awaiting-response': '被投诉人可在{responseDueAt}之前答复；裁决须待其答复或期限届满。',
    'already-decided': '该争议已于{decidedAt}裁决。',
    'appeal-window-closed': '申诉期限已于{appealUntil}届满。',
    'duplicate-content': '此内容已于{priorFiledAt}首次存证，存证编号 {priorFilingId}。',
    'invalid-key': '账本不认识此 API 密钥，或它已被吊销。',
    'key-expired': '此 API 密钥已于{expiredAt}过期：请索取新密钥，或用其他密钥签发一个。',
    'content-is-registered-copy': '此文件是存证 {copyOf} 已登记的分发副本：它带有该存证的标识，不能作为独立作品存证。',
    'copy-not-an-image': '副本不是账本能读取的图片，无法与存证作品比对。',
    'copy-label-missing': '文件中没有指向本存证且格式正确的 AIGC 标识：请原样嵌入账本发放的标识。',
    'copy-label-malformed': '文件中没有指向本存证且格式正确的 AIGC 标识，且 AIGC 键下有格式不正确的值。账本的英文说明：{detail}',
    'copy-label-differs': '文件中的标识指向本存证，但不是账本为其发放的标识：请原样嵌入账本发放的标识。',
    'copy-not-the-same-work': '副本与存证作品的感知哈希相差 {distance} 位（至多 {threshold} 位）：不是同一作品。',
  },
} as const satisfies Record<keyof typeof PROBLEM_TITLES, Partial<Record<ProblemName, string>>>;

/** What says, before the ledger's own detail, that it is the ledger's English: nothing in English itself. */
const LEDGER_ENGLISH = { en: '', 'zh-CN': '账本的英文说明：' } as const satisfies Record<keyof typeof PROBLEM_DETAILS, string>;

/**
 * The refusal's detail as `lang` shows it: worded in `lang` where the console words its type (problemDetail), else the
 * ledger's own `detail`, which is English, marked as such in another language; undefined when the ledger gives none.
 */
export function shownDetail(
  lang: keyof typeof PROBLEM_DETAILS,
  problem: Record<string, unknown> | undefined,
  detail: string | undefined,
  instant: (iso: string) => string | undefined,
): string | undefined {
  return problemDetail(lang, problem, instant) ?? (detail ? `${LEDGER_ENGLISH[lang]}${detail}` : undefined);
}

/** Members that hold an instant. */
const INSTANT = /(At|Until)$/;

/** How each language joins the names of a list. */
const LIST_SEPARATOR = { en: ', ', 'zh-CN': '、' } as const satisfies Record<keyof typeof PROBLEM_DETAILS, string>;

/** The names of the fields in `errors` ({field, message} each), once each, or undefined when it is no such list. */
function fieldNames(errors: unknown): string[] | undefined {
  if (!Array.isArray(errors) || errors.length === 0) return undefined;
  const names = errors.map((e: unknown) => (typeof e === 'object' && e !== null ? (e as { field?: unknown }).field : undefined));
  return names.every((n): n is string => typeof n === 'string') ? [...new Set(names)] : undefined;
}

/**
 * The refusal's detail in `lang` from its problem document, its instants written by `instant`; undefined when the console
 * has no wording of its type, or the problem lacks a member the wording names (the ledger's detail is shown then).
 */
export function problemDetail(
  lang: keyof typeof PROBLEM_DETAILS,
  problem: Record<string, unknown> | undefined,
  instant: (iso: string) => string | undefined,
): string | undefined {
  const type = problem?.type;
  if (typeof type !== 'string' || !type.startsWith(PREFIX)) return undefined;
  const table: Record<string, string> = PROBLEM_DETAILS[lang];
  const name = type.slice(PREFIX.length);
  if (!Object.hasOwn(table, name)) return undefined;
  let complete = true;
  const text = table[name].replace(/\{(\w+)\}/g, (_, member: string) => {
    const value = Object.hasOwn(problem!, member) ? problem![member] : undefined;
    const shown =
      member === 'errors'
        ? fieldNames(value)?.join(LIST_SEPARATOR[lang])
        : INSTANT.test(member)
          ? typeof value === 'string'
            ? instant(value)
            : undefined
          : typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value))
            ? String(value)
            : undefined;
    if (shown === undefined) complete = false;
    return shown ?? '';
  });
  return complete ? text : undefined;
}
