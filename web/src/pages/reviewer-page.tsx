import { useState } from 'preact/hooks';
import type { PageProps } from '../app.js';
import { ApiKeyPanel } from '../components/api-key-panel.js';
import { ProblemMessage } from '../components/problem.js';
import { apiKey } from '../api.js';
import { useDocumentTitle } from '../components/document-title.js';
import { useI18n } from '../i18n/i18n.js';
import { useMe } from './creator/creator-api.js';
import { ComplaintForm } from './reviewer/complaint-form.js';
import { DisputeView } from './reviewer/dispute-view.js';
import { ClosedDisputes, Queue } from './reviewer/queue.js';
import './reviewer/reviewer.css';

/** The open dispute is kept in the address (?dispute=<id>): a reload, a link or the way back from a certificate opens it again. */
const openInAddress = () => new URLSearchParams(location.search).get('dispute');

/** `forget`: other parameters the address no longer means (the filing a complaint was filed about, once it is). */
function keepInAddress(disputeId: string | null, forget: string[] = []) {
  const params = new URLSearchParams(location.search);
  if (disputeId) params.set('dispute', disputeId);
  else params.delete('dispute');
  for (const name of forget) params.delete(name);
  const search = params.toString();
  history.replaceState(history.state, '', `${location.pathname}${search ? `?${search}` : ''}${location.hash}`);
}

export function ReviewerPage(_props: PageProps) {
  const { t } = useI18n();
  useDocumentTitle(t('reviewer.title'));
  const [hasKey, setHasKey] = useState(apiKey.get() !== null);
  const [reload, setReload] = useState(0);
  const [selected, setSelectedState] = useState<string | null>(openInAddress);
  const setSelected = (disputeId: string | null, forget: string[] = []) => {
    setSelectedState(disputeId);
    keepInAddress(disputeId, forget);
  };
  const [filed, setFiled] = useState<'filed' | 'returned' | null>(null);
  // Who the key is, as on the creator's page: a key without the reviewer role sees the disputes it is a party to, and
  // the server refuses it every assignment and decision.
  const [keyVersion, setKeyVersion] = useState(0);
  const { me, error, refused } = useMe(hasKey, keyVersion);
  return (
    <section>
      <h1>{t('reviewer.title')}</h1>
      <p>{t('reviewer.intro')}</p>
      <ApiKeyPanel
        refused={refused}
        onChange={(has) => {
          // A key given where there was none, or only one the ledger refused (signing in from a link to a dispute), keeps
          // the dispute the address names; another key, or none, may not see it.
          if (!has || (hasKey && !refused)) setSelected(null);
          setHasKey(has);
          setKeyVersion((n) => n + 1);
          setFiled(null);
          setReload((n) => n + 1);
        }}
      />
      <ProblemMessage error={error} />
      {me ? (
        <p data-testid="reviewer-me">
          {t('reviewer.me', { name: me.name, id: me.principalId })}
          {me.roles.includes('reviewer') ? null : me.roles.includes('admin') ? (
            // An admin may assign a dispute (to a reviewer), not decide one.
            <strong class="bad">
              {t('list.sentenceGap')}
              {t('reviewer.adminNotReviewer')}
            </strong>
          ) : me.roles.includes('creator') ? (
            // A party's key: what it may do here, not a fault.
            <span>
              {t('list.sentenceGap')}
              {t('reviewer.notReviewer')}
            </span>
          ) : me.roles.includes('auditor') ? (
            <span>
              {t('list.sentenceGap')}
              {t('reviewer.auditorNotReviewer')}
            </span>
          ) : (
            <strong class="bad">
              {t('list.sentenceGap')}
              {t('reviewer.noRole')}
            </strong>
          )}
        </p>
      ) : null}
      {me?.roles.includes('creator') ? (
        // Closed unless the page was opened to complain about a filing (?filing=<id>).
        <details class="rv-complain" open={new URLSearchParams(location.search).has('filing')}>
          <summary>{t('complaint.legend')}</summary>
          <ComplaintForm
            onFiled={(d) => {
              setFiled(d.status === 'returned' ? 'returned' : 'filed');
              // Filed: a reload opens the new dispute, not the form again filled in for the same filing.
              setSelected(d.disputeId, ['filing']);
              setReload((n) => n + 1);
            }}
          />
        </details>
      ) : null}
      {filed ? (
        <p class={filed === 'returned' ? 'bad' : 'ok'} role="status" data-testid="complaint-filed">
          {t(filed === 'returned' ? 'reviewer.saved.complaintReturned' : 'reviewer.saved.complained')}
        </p>
      ) : null}
      {/* Read once the key is known to work: a key refused, or a ledger not reached, is said once, above. */}
      {hasKey && me !== null ? (
        <>
          <Queue reload={reload} selected={selected} onOpen={setSelected} />
          <ClosedDisputes reload={reload} selected={selected} onOpen={setSelected} />
          {selected ? (
            <DisputeView key={`${selected} ${keyVersion}`} disputeId={selected} onChanged={() => setReload((n) => n + 1)} />
          ) : null}
        </>
      ) : null}
    </section>
  );
}
