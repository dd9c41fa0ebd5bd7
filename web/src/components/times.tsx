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
        <span class="times-at">{both.utc}</span> <span class="times-zone">{t('time.utc')}</span>
      </time>
      <span class="times-sep"> · </span>
      <span>
        <span class="times-at">{both.beijing}</span> <span class="times-zone">{t('time.beijing')}</span>
      </span>
    </span>
  );
}
