// Registering a labelled copy: the file carrying the label the ledger handed out is uploaded (streamed, not kept).
import { useState } from 'preact/hooks';
import { FileDrop } from '../../components/file-drop.js';
import { ProblemMessage } from '../../components/problem.js';
import { useI18n } from '../../i18n/i18n.js';
import { registerCopy, type Filing, type RegisteredCopy } from './creator-api.js';

export function CopyForm({ filing }: { filing: Filing }) {
  const { t } = useI18n();
  const [file, setFile] = useState<File | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [copy, setCopy] = useState<RegisteredCopy | null>(null);
  const submit = async (e: Event) => {
    e.preventDefault();
    if (!file) return;
    setBusy(true);
    setError(null);
    setCopy(null);
    try {
      setCopy(await registerCopy(filing.filingId, file));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="creator-subform" onSubmit={(e) => void submit(e)}>
      <fieldset>
        <legend>{t('creator.copy.legend')}</legend>
        <p class="hint">{t('creator.copy.hint')}</p>
        <FileDrop id={`copy-${filing.filingId}`} onFile={setFile} label={t('creator.copy.drop')} />
        <button type="submit" disabled={busy || !file}>
          {t('creator.copy.submit')}
        </button>
      </fieldset>
      <ProblemMessage error={error} />
      {copy ? (
        <p role="status" class="ok">
          {t('creator.copy.registered', { leaf: copy.leafIndex, distance: copy.distance, threshold: copy.threshold })}{' '}
          <code>{copy.copy.sha256}</code>
        </p>
      ) : null}
    </form>
  );
}
