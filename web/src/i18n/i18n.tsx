// Language state: English or Simplified Chinese, chosen by the visible switch and remembered in localStorage.
import { createContext } from 'preact';
import { useContext, useEffect, useMemo, useState } from 'preact/hooks';
import type { ComponentChildren } from 'preact';
import { en, type MessageKey } from './en.js';
import type { Lang } from './lang.js';
import { zhCN } from './zh-CN.js';

export { LANGS, type Lang } from './lang.js';
const TABLES: Record<Lang, Record<MessageKey, string>> = { en, 'zh-CN': zhCN };
const STORAGE_KEY = 'sandbox-ledger.lang';

export type Translate = (key: MessageKey, params?: Record<string, string | number>) => string;

export function translate(lang: Lang, key: MessageKey, params?: Record<string, string | number>): string {
  const text = TABLES[lang][key];
  return params ? text.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole)) : text;
}

/** The remembered choice, else the browser's preference (Chinese for any zh-*), else English. */
/** A right's flags after its status, as every page words them: " (disputed, labels overdue)"; nothing when it has none. */
export function flagsAside(t: Translate, flags: readonly string[]): string {
  if (flags.length === 0) return '';
  return t('list.aside', { text: flags.map((f) => t(`flag.${f}` as MessageKey)).join(t('list.separator')) });
}

/** What a label tier means, in the page's words; a tier this console does not know, by its number alone. */
export const tierMeaning = (t: Translate, tier: string): string =>
  `labels.tier.${tier}` in en ? t(`labels.tier.${tier}` as MessageKey) : tier;

export function initialLang(): Lang {
  try {
    const stored = localStorage.getItem(STORAGE_KEY);
    if (stored === 'en' || stored === 'zh-CN') return stored;
  } catch {
    /* storage may be disabled */
  }
  return navigator.languages.some((l) => l.toLowerCase().startsWith('zh')) ? 'zh-CN' : 'en';
}

interface I18n {
  lang: Lang;
  setLang: (lang: Lang) => void;
  t: Translate;
}

const I18nContext = createContext<I18n>({ lang: 'en', setLang: () => undefined, t: (key, params) => translate('en', key, params) });

export function I18nProvider({ children }: { children: ComponentChildren }) {
  const [lang, setLangState] = useState<Lang>(initialLang);
  useEffect(() => {
    document.documentElement.lang = lang;
  }, [lang]);
  const value = useMemo<I18n>(
    () => ({
      lang,
      setLang: (next) => {
        try {
          localStorage.setItem(STORAGE_KEY, next);
        } catch {
          /* the choice then lasts for this page only */
        }
        setLangState(next);
      },
      t: (key, params) => translate(lang, key, params),
    }),
    [lang],
  );
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export const useI18n = () => useContext(I18nContext);
