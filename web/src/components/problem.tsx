import { ApiError } from '../api.js';
import { useI18n } from '../i18n/i18n.js';

/** Shows a refusal as the ledger worded it (problem+json title and detail), or a network failure. */
export function ProblemMessage({ error }: { error: unknown }) {
  const { t } = useI18n();
  if (error === undefined || error === null) return null;
  if (error instanceof ApiError && error.status === 0)
    return (
      <div class="problem" role="alert">
        {t('problem.network')}
      </div>
    );
  const title = error instanceof ApiError ? error.title : 'error';
  const detail = error instanceof ApiError ? error.detail : (error as Error).message;
  return (
    <div class="problem" role="alert">
      <strong>{t('problem.heading', { title })}</strong>
      {detail ? <p>{detail}</p> : null}
    </div>
  );
}
