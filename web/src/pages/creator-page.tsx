// The creator's console: the API key (this tab only), filing a work, the filings whose right was transferred to the
// signed-in principal, the creator's own filings with their rights, and the way to the disputes the creator is a party to.
import { useState } from 'preact/hooks';
import { apiKey } from '../api.js';
import type { PageProps } from '../app.js';
import { ApiKeyPanel } from '../components/api-key-panel.js';
import { ProblemMessage } from '../components/problem.js';
import { useDocumentTitle } from '../components/document-title.js';
import { useI18n } from '../i18n/i18n.js';
import { Link } from '../router.js';
import { useMe } from './creator/creator-api.js';
import { FileWorkForm } from './creator/file-work-form.js';
import { FilingsList } from './creator/filings-list.js';
import { HeldFilingsList } from './creator/held-filings-list.js';
import './creator/creator.css';

const isCreator = (roles: readonly string[]) => roles.includes('creator');

export function CreatorPage(_props: PageProps) {
  const { t } = useI18n();
  useDocumentTitle(t('creator.title'));
  const [hasKey, setHasKey] = useState(apiKey.get() !== null);
  // Bumped when a key is put in, another in place of one in use too: who the key is is read again.
  const [keyVersion, setKeyVersion] = useState(0);
  const { me, error, refused } = useMe(hasKey, keyVersion);
  const [version, setVersion] = useState(0);
  const changed = () => setVersion((v) => v + 1);
  return (
    <section>
      <h1>{t('creator.title')}</h1>
      <ApiKeyPanel
        refused={refused}
        onChange={(has) => {
          setHasKey(has);
          setKeyVersion((n) => n + 1);
        }}
      />
      <ProblemMessage error={error} />
      {me ? (
        <>
          <p data-testid="creator-me">
            {t('creator.me', { name: me.name, id: me.principalId })}
            {isCreator(me.roles) ? null : (
              <strong class="bad">
                {t('list.sentenceGap')}
                {t('creator.notCreator')}
              </strong>
            )}
          </p>
          <p data-testid="creator-disputes">
            {t('creator.disputes')} <Link href="/reviewer">{t('creator.disputesLink')}</Link>
          </p>
          {/* The ledger refuses a filing from a key without the creator role: no form is offered to fill in for nothing. */}
          {isCreator(me.roles) ? <FileWorkForm onFiled={changed} /> : null}
          <HeldFilingsList holder={me.principalId} version={version} onChanged={changed} />
          <FilingsList creator={me.principalId} version={version} onChanged={changed} />
        </>
      ) : null}
    </section>
  );
}
