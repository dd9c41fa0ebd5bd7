// The browser tab's and history's name for a page: the page's own heading first, then the console's name.
import { useEffect } from 'preact/hooks';
import { useI18n } from '../i18n/i18n.js';

/** Sets document.title to `page · Sandbox Ledger` (the console's name alone while `page` is null). */
export function useDocumentTitle(page: string | null): void {
  const { t } = useI18n();
  const app = t('app.title');
  useEffect(() => {
    document.title = page ? `${page} · ${app}` : app;
  }, [page, app]);
}
