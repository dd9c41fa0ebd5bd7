import type { PageProps } from '../app.js';
import { useDocumentTitle } from '../components/document-title.js';
import { useI18n } from '../i18n/i18n.js';
import { CheckpointMonitor } from './auditor/checkpoint-monitor.js';
import { ExportCheck } from './auditor/export-check.js';
import './auditor/auditor.css';

/** The checks need no key: checkpoints, proofs and keys are public, and the export is a file the auditor already holds. */
export function AuditorPage(_props: PageProps) {
  const { t } = useI18n();
  useDocumentTitle(t('auditor.title'));
  return (
    <section class="auditor-sections">
      <h1>{t('auditor.title')}</h1>
      <p>{t('auditor.intro')}</p>
      <CheckpointMonitor />
      <ExportCheck />
    </section>
  );
}
