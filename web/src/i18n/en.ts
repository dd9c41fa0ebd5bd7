// English messages. Each page keeps its keys in its own section (prefix = page); zh-CN.ts must hold the same keys.
// `{name}` in a message is replaced by the parameter of that name.
export const en = {
  // Layout, navigation, shared components
  'app.title': 'Sandbox Ledger',
  'app.tagline': 'Verifiable filings for AI-assisted works',
  'nav.label': 'Main',
  'nav.public': 'Check a file',
  'nav.creator': 'Creator',
  'nav.reviewer': 'Reviewer',
  'nav.auditor': 'Auditor',
  'nav.docs': 'API docs',
  'lang.label': 'Language',
  'skip.toMain': 'Skip to content',
  'key.legend': 'API key',
  'key.label': 'API key (kept in this tab only)',
  'key.use': 'Use key',
  'key.forget': 'Forget key',
  'key.active': 'A key is in use in this tab.',
  'key.none': 'No key: enter yours to continue.',
  'problem.heading': 'The ledger refused: {title}',
  'problem.network': 'The ledger could not be reached.',
  'time.utc': 'UTC',
  'time.beijing': 'Beijing time',
  'file.drop': 'Drop a file here, or choose one',
  'file.choose': 'Choose a file',
  'file.hashing': 'Computing SHA-256…',
  'file.hash': 'SHA-256',
  'file.local': 'The file is hashed in this browser; it is not sent anywhere.',
  'notFound.title': 'Page not found',
  'notFound.back': 'Back to the start page',
  'placeholder.soon': 'This page is being built.',

  // Public page (/)
  'public.title': 'Is this file filed?',
  'public.intro': 'Check a file against the ledger without an account.',

  // Certificate page (/certificate/:filingId)
  'certificate.title': 'Filing certificate',

  // Creator page (/creator)
  'creator.title': 'Creator',

  // Reviewer page (/reviewer)
  'reviewer.title': 'Reviewer',

  // Auditor page (/auditor)
  'auditor.title': 'Auditor',
} as const satisfies Record<string, string>;

export type MessageKey = keyof typeof en;
