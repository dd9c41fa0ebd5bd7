import type { PageProps } from '../app.js';
import { ApiKeyPanel } from '../components/api-key-panel.js';
import { useI18n } from '../i18n/i18n.js';

export function AuditorPage(_props: PageProps) {
  const { t } = useI18n();
  return (
    <section>
      <h1>{t('auditor.title')}</h1>
      <ApiKeyPanel />
      <p>{t('placeholder.soon')}</p>
    </section>
  );
}
