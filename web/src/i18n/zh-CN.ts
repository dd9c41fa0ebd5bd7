// 简体中文 messages: the same keys as en.ts (the type checker refuses a missing or an extra key), in the same sections.
import type { MessageKey } from './en.js';

export const zhCN: Record<MessageKey, string> = {
  // Layout, navigation, shared components
  'app.title': '沙盒存证账本',
  'app.tagline': '人工智能辅助作品的可验证存证',
  'nav.label': '主导航',
  'nav.public': '查验文件',
  'nav.creator': '创作者',
  'nav.reviewer': '审核员',
  'nav.auditor': '审计员',
  'nav.docs': 'API 文档',
  'lang.label': '语言',
  'skip.toMain': '跳到正文',
  'key.legend': 'API 密钥',
  'key.label': 'API 密钥（仅保存在本标签页）',
  'key.use': '使用密钥',
  'key.forget': '清除密钥',
  'key.active': '本标签页正在使用一个密钥。',
  'key.none': '尚无密钥：请输入您的密钥以继续。',
  'problem.heading': '账本拒绝了请求：{title}',
  'problem.network': '无法连接到账本服务。',
  'time.utc': '协调世界时',
  'time.beijing': '北京时间',
  'file.drop': '将文件拖放到此处，或选择一个文件',
  'file.choose': '选择文件',
  'file.hashing': '正在计算 SHA-256…',
  'file.hash': 'SHA-256',
  'file.local': '文件只在本浏览器中计算哈希，不会上传到任何地方。',
  'notFound.title': '页面不存在',
  'notFound.back': '返回首页',
  'placeholder.soon': '此页面正在建设中。',

  // Public page (/)
  'public.title': '这个文件是否已存证？',
  'public.intro': '无需账号，即可在账本中查验一个文件。',

  // Certificate page (/certificate/:filingId)
  'certificate.title': '存证证书',

  // Creator page (/creator)
  'creator.title': '创作者',

  // Reviewer page (/reviewer)
  'reviewer.title': '审核员',

  // Auditor page (/auditor)
  'auditor.title': '审计员',
};
