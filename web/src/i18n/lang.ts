// The console's languages, in a module of their own: the tables that word things in each (problems, verdicts) take them
// without the components of i18n.tsx.
export type Lang = 'en' | 'zh-CN';
export const LANGS: readonly Lang[] = ['zh-CN', 'en'];
