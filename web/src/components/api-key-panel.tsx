import { useEffect, useState } from 'preact/hooks';
import { apiKey, onKeyRefused } from '../api.js';
import { useI18n } from '../i18n/i18n.js';

/**
 * Where a creator, reviewer or auditor enters the API key; it is kept in this tab's sessionStorage only. `refused`: the
 * ledger refused the key in use (the page's reading of who it is answered 401), which the panel says instead of "in use";
 * so it does when any later call is refused the key (it expired, or was revoked, while the page was open).
 */
export function ApiKeyPanel({ onChange, refused = false }: { onChange?: (hasKey: boolean) => void; refused?: boolean }) {
  const { t } = useI18n();
  const [has, setHas] = useState(apiKey.get() !== null);
  const [draft, setDraft] = useState('');
  const [refusedSince, setRefusedSince] = useState(false);
  useEffect(() => onKeyRefused(() => setRefusedSince(true)), []);
  const use = (e: Event) => {
    e.preventDefault();
    if (!draft.trim()) return;
    apiKey.set(draft.trim());
    setDraft('');
    setHas(true);
    setRefusedSince(false);
    onChange?.(true);
  };
  const forget = () => {
    apiKey.clear();
    setHas(false);
    setRefusedSince(false);
    onChange?.(false);
  };
  const keyRefused = refused || refusedSince;
  return (
    <form class="key-panel" onSubmit={use}>
      <fieldset>
        <legend>{t('key.legend')}</legend>
        <p class={has && keyRefused ? 'bad' : undefined} data-testid="key-status">
          {has ? t(keyRefused ? 'key.refused' : 'key.active') : t('key.none')}
        </p>
        <label for="api-key">{t('key.label')}</label>
        <input
          id="api-key"
          name="api-key"
          type="password"
          autoComplete="off"
          spellcheck={false}
          value={draft}
          onInput={(e) => setDraft(e.currentTarget.value)}
        />
        <button type="submit">{t('key.use')}</button>
        {has ? (
          <button type="button" onClick={forget}>
            {t('key.forget')}
          </button>
        ) : null}
      </fieldset>
    </form>
  );
}
