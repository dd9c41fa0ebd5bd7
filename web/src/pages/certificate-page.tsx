import type { PageProps } from '../app.js';
import { useI18n } from '../i18n/i18n.js';

export function CertificatePage({ params }: PageProps) {
  const { t } = useI18n();
  return (
    <section>
      <h1>{t('certificate.title')}</h1>
      <p>
        <code>{params.filingId}</code>
      </p>
      <p>{t('placeholder.soon')}</p>
    </section>
  );
}
