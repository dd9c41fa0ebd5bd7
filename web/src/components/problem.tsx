import { ApiError } from '../api.js';
import { browserFailure } from '../browser-failure.js';
import { useI18n } from '../i18n/i18n.js';
import { problemTitle, shownDetail } from '../i18n/problems.js';
import { utcAndBeijing } from '../time-format.js';

/**
 * Shows a refusal: what its problem type means, in the page's language (the ledger's title for a type the console does
 * not know), then its detail: in the page's language where the ledger names the values concerned as members of the
 * problem, else the ledger's own (English) detail, said to be the ledger's English on a page in another language; or a
 * network failure; or a failure in this browser (a file that can no longer be read, an error the page did not foresee),
 * worded in the page's language, never as a refusal.
 */
export function ProblemMessage({ error }: { error: unknown }) {
  const { t, lang } = useI18n();
  if (error === undefined || error === null) return null;
  if (error instanceof ApiError && error.status === 0)
    return (
      <div class="problem" role="alert">
        {t('problem.network')}
      </div>
    );
  if (!(error instanceof ApiError)) {
    const failure = browserFailure(error);
    return (
      <div class="problem" role="alert">
        {failure.kind === 'unreadable-file' ? (
          t('problem.unreadableFile')
        ) : (
          <>
            <strong>{t('problem.browser')}</strong>
            {failure.message ? <p>{t('problem.browserDetail', { detail: failure.message })}</p> : null}
          </>
        )}
      </div>
    );
  }
  const title = problemTitle(lang, error.problem?.type) ?? error.title;
  const instant = (iso: string) => {
    const both = utcAndBeijing(iso);
    return both && t('time.inSentence', both);
  };
  const detail = shownDetail(lang, error.problem, error.detail, instant);
  return (
    <div class="problem" role="alert">
      <strong>{t('problem.heading', { title })}</strong>
      {detail ? <p>{detail}</p> : null}
    </div>
  );
}
