import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import { LANGS, useI18n, type Lang } from '../i18n/i18n.js';
import { Link, usePath } from '../router.js';

const LANG_NAMES: Record<Lang, string> = { 'zh-CN': '中文', en: 'English' };

/** Header (title, navigation, language switch) and the main landmark every page renders into. */
export function Layout({ children }: { children: ComponentChildren }) {
  const { t, lang, setLang } = useI18n();
  // A page opened from the navigation takes the focus to its heading, as a page loaded anew starts at the top: the
  // next Tab goes on from there, and a screen reader reads the page it came to (not on the first load).
  const path = usePath();
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    const heading = document.querySelector<HTMLElement>('main h1') ?? document.getElementById('main');
    if (!heading) return;
    if (!heading.hasAttribute('tabindex')) heading.tabIndex = -1;
    heading.focus();
  }, [path]);
  return (
    <>
      <a class="skip-link" href="#main">
        {t('skip.toMain')}
      </a>
      <header class="site-header">
        <div class="brand">
          <Link href="/" class="brand-name">
            {t('app.title')}
          </Link>
          <span class="brand-tagline">{t('app.tagline')}</span>
        </div>
        <nav aria-label={t('nav.label')}>
          <ul>
            <li>
              <Link href="/">{t('nav.public')}</Link>
            </li>
            <li>
              <Link href="/creator">{t('nav.creator')}</Link>
            </li>
            <li>
              <Link href="/reviewer">{t('nav.reviewer')}</Link>
            </li>
            <li>
              <Link href="/auditor">{t('nav.auditor')}</Link>
            </li>
            <li>
              <a href="/docs">{t('nav.docs')}</a>
            </li>
          </ul>
        </nav>
        <div class="lang-switch" role="group" aria-label={t('lang.label')}>
          {LANGS.map((l) => (
            <button type="button" lang={l} aria-pressed={lang === l} onClick={() => setLang(l)} key={l}>
              {LANG_NAMES[l]}
            </button>
          ))}
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        {children}
      </main>
    </>
  );
}
