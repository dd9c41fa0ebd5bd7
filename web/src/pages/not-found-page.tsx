import type { PageProps } from '../app.js';
import { useDocumentTitle } from '../components/document-title.js';
import { useI18n } from '../i18n/i18n.js';
import { Link } from '../router.js';

export function NotFoundPage(_props: PageProps) {
  const { t } = useI18n();
  useDocumentTitle(t('notFound.title'));
  return (
    <section>
      <h1>{t('notFound.title')}</h1>
      <p>
        <Link href="/">{t('notFound.back')}</Link>
      </p>
    </section>
  );
}
