import { useState } from 'preact/hooks';
import type { PageProps } from '../app.js';
import { ApiKeyPanel } from '../components/api-key-panel.js';
import { apiKey } from '../api.js';
import { useI18n } from '../i18n/i18n.js';
import { DisputeView } from './reviewer/dispute-view.js';
import { Queue } from './reviewer/queue.js';
import './reviewer/reviewer.css';

export function ReviewerPage(_props: PageProps) {
  const { t } = useI18n();
  const [hasKey, setHasKey] = useState(apiKey.get() !== null);
  const [reload, setReload] = useState(0);
  const [selected, setSelected] = useState<string | null>(null);
  return (
    <section>
      <h1>{t('reviewer.title')}</h1>
      <p>{t('reviewer.intro')}</p>
      <ApiKeyPanel
        onChange={(has) => {
          setHasKey(has);
          setSelected(null);
          setReload((n) => n + 1);
        }}
      />
      {hasKey ? (
        <>
          <Queue reload={reload} selected={selected} onOpen={setSelected} />
          {selected ? <DisputeView key={selected} disputeId={selected} onChanged={() => setReload((n) => n + 1)} /> : null}
        </>
      ) : null}
    </section>
  );
}
