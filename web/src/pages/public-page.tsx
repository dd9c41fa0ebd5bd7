import { useState } from 'preact/hooks';
import type { PageProps } from '../app.js';
import { FileDrop } from '../components/file-drop.js';
import { sha256OfFile } from '../hash-file.js';
import { useI18n } from '../i18n/i18n.js';

export function PublicPage(_props: PageProps) {
  const { t } = useI18n();
  const [hash, setHash] = useState<string | null>(null);
  const [hashing, setHashing] = useState(false);
  const onFile = async (file: File) => {
    setHashing(true);
    setHash(await sha256OfFile(file));
    setHashing(false);
  };
  return (
    <section>
      <h1>{t('public.title')}</h1>
      <p>{t('public.intro')}</p>
      <FileDrop id="public-file" onFile={(f) => void onFile(f)} />
      <p class="hint">{t('file.local')}</p>
      {hashing ? <p role="status">{t('file.hashing')}</p> : null}
      {hash ? (
        <dl>
          <dt>{t('file.hash')}</dt>
          <dd>
            <code data-testid="sha256">{hash}</code>
          </dd>
        </dl>
      ) : null}
    </section>
  );
}
