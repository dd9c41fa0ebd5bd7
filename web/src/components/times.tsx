import { useI18n } from '../i18n/i18n.js';
import { utcAndBeijing } from '../time-format.js';

/** An instant in UTC and in Beijing time, e.g. for filing times, deadlines and checkpoint times. */
export function Times({ at }: { at: string | number | Date }) {
  const { t } = useI18n();
  const both = utcAndBeijing(at);
  if (!both) return <span>{String(at)}</span>;
  return (
    <span class="times">
      <time dateTime={new Date(at).toISOString()}>
        {both.utc} {t('time.utc')}
      </time>
      <span class="times-sep"> · </span>
      <span>
        {both.beijing} {t('time.beijing')}
      </span>
    </span>
  );
}
