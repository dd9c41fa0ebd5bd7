import { useState } from 'preact/hooks';
import { apiKey } from '../api.js';
import { useI18n } from '../i18n/i18n.js';

/** Where a creator, reviewer or auditor enters the API key; it is kept in this tab's sessionStorage only. */
export function ApiKeyPanel({ onChange }: { onChange?: (hasKey: boolean) => void }) {
  const { t } = useI18n();
  const [has, setHas] = useState(apiKey.get() !== null);
  const [draft, setDraft] = useState('');
  const use = (e: Event) => {
    e.preventDefault();
    if (!draft.trim()) return;
    apiKey.set(draft.trim());
    setDraft('');
    setHas(true);
    onChange?.(true);
  };
  const forget = () => {
    apiKey.clear();
    setHas(false);
    onChange?.(false);
  };
  return (
    <form class="key-panel" onSubmit={use}>
      <fieldset>
        <legend>{t('key.legend')}</legend>
        <p>{has ? t('key.active') : t('key.none')}</p>
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
