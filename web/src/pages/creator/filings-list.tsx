// The creator's own filings, newest first, each with its right and deadlines, downloads, the certificate, and the
// forms to declare labels and register a labelled copy. A filing whose right a final dispute decision transferred
// away says so instead of offering those forms: they are the new holder's, who finds the filing in HeldFilingsList.
import { useEffect, useState } from 'preact/hooks';
import { ProblemMessage } from '../../components/problem.js';
import { Times } from '../../components/times.js';
import { en, type MessageKey } from '../../i18n/en.js';
import { flagsAside, tierMeaning, useI18n } from '../../i18n/i18n.js';
import { Link } from '../../router.js';
import { CopyForm } from './copy-form.js';
import { download, fetchFiling, fetchRight, listFilings, type Filing, type Right } from './creator-api.js';
import { LabelsForm } from './labels-form.js';
import { usePagedList } from './paged-list.js';
import { awaitsQuietPeriod } from './right-terms.js';

/** The filing's right (GET /v1/rights/:filingId), read again whenever `version` changes. */
function useRight(filingId: string, version: number): { right: Right | null; error: unknown } {
  const [right, setRight] = useState<Right | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    let live = true;
    fetchRight(filingId).then(
      (r) => live && setRight(r),
      (e: unknown) => live && setError(e),
    );
    return () => {
      live = false;
    };
  }, [filingId, version]);
  return { right, error };
}

/** The name of who holds the filing's right now (GET /v1/filings/:id), read only when `wanted`; null until known. */
function useHolderName(filingId: string, wanted: boolean): string | null {
  const [name, setName] = useState<string | null>(null);
  useEffect(() => {
    if (!wanted) return;
    let live = true;
    fetchFiling(filingId).then(
      (f) => live && setName(f.holder.name ?? f.holder.id),
      () => undefined, // the holder's id is shown instead
    );
    return () => {
      live = false;
    };
  }, [filingId, wanted]);
  return name;
}

function RightFacts({ right, error }: { right: Right | null; error: unknown }) {
  const { t } = useI18n();
  if (error) return <ProblemMessage error={error} />;
  if (!right) return <p role="status">{t('creator.list.rightLoading')}</p>;
  return (
    <>
      <dt>{t('creator.list.right')}</dt>
      <dd data-testid="filing-right">
        <strong>{t(`right.${right.status}` as MessageKey)}</strong>
        {/* Why a right is suspended or revoked, and what lifts a suspension. */}
        {(right.status === 'suspended' || right.status === 'revoked') && `right.why.${right.rule}` in en ? (
          <span data-testid="right-why">{t('list.aside', { text: t(`right.why.${right.rule}` as MessageKey) })}</span>
        ) : null}
        {right.flags.length ? <span class="bad">{flagsAside(t, right.flags)}</span> : null}
        {right.flags.includes('disputed') ? (
          <>
            {' · '}
            <Link href="/reviewer">{t('creator.list.seeDispute')}</Link>
          </>
        ) : null}
      </dd>
      {/* Once labels are declared the deadline is met: the card says when, not the deadline that no longer applies. */}
      <dt>{t(right.labelsDeclaredAt ? 'creator.list.labelsDeclared' : 'creator.list.labelDue')}</dt>
      <dd data-testid="filing-labels-time">
        <Times at={right.labelsDeclaredAt ?? right.labelDueAt} />
      </dd>
      {awaitsQuietPeriod(right) ? (
        <>
          <dt>{t('creator.list.quietUntil')}</dt>
          <dd data-testid="filing-quiet-until">
            <Times at={right.quietUntil} />
          </dd>
        </>
      ) : null}
      {right.expiresAt ? (
        <>
          <dt>{t('creator.list.expires')}</dt>
          <dd>
            <Times at={right.expiresAt} />
          </dd>
        </>
      ) : null}
    </>
  );
}

export interface FilingCardProps {
  filing: Filing;
  /** The signed-in principal. */
  me: string;
  onChanged: () => void;
  version: number;
  /** A filing whose right was transferred to `me`: its creator's name. */
  heldFrom?: string;
}

export function FilingCard({ filing, me, onChanged, version, heldFrom }: FilingCardProps) {
  const { t } = useI18n();
  const { right, error: rightError } = useRight(filing.filingId, version);
  // A transferred right is final: its labels are the holder's, and the ledger refuses anyone else (409 right-transferred).
  const transferredAway = right !== null && right.status === 'transferred' && right.holder !== me;
  const holderName = useHolderName(filing.filingId, transferredAway);
  // The label forms are offered once the right is known to be `me`'s (or could not be read: the ledger then decides).
  const mayLabel = filing.status === 'active' && (right !== null || rightError !== null) && !transferredAway;
  const [open, setOpen] = useState<'labels' | 'copy' | null>(null);
  const [error, setError] = useState<unknown>(null);
  const save = (path: string, name: string) => {
    setError(null);
    download(path, name).catch(setError);
  };
  const base = `/v1/filings/${filing.filingId}`;
  return (
    <li class="filing-card" data-testid="filing-card" data-filing-id={filing.filingId}>
      <h3 data-testid="filing-title">{filing.title}</h3>
      <dl class="facts">
        <dt>{t('creator.list.hash')}</dt>
        <dd>
          <code data-testid="filing-hash">{filing.contentHash}</code>
        </dd>
        <dt>{t('creator.list.id')}</dt>
        <dd>
          <code>{filing.filingId}</code>
        </dd>
        <dt>{t('creator.list.filedAt')}</dt>
        <dd>
          <Times at={filing.filedAt} />
        </dd>
        <dt>{t('creator.list.status')}</dt>
        <dd data-testid="filing-status">{t(`status.${filing.status}`)}</dd>
        <dt>{t('creator.list.labels')}</dt>
        <dd>
          {t(`labels.${filing.labels.state}`)}
          {filing.labels.tier ? t('creator.list.tier', { tier: filing.labels.tier, meaning: tierMeaning(t, filing.labels.tier) }) : ''}
        </dd>
        <RightFacts right={right} error={rightError} />
      </dl>
      {heldFrom !== undefined ? (
        <p class="filing-note" data-testid="filing-held">
          {t('creator.held.note', { name: heldFrom })}
        </p>
      ) : null}
      {transferredAway ? (
        <p class="filing-note" data-testid="filing-transferred">
          {t('creator.list.transferred', { name: holderName ?? right.holder })}
        </p>
      ) : null}
      <div class="filing-actions">
        <button type="button" onClick={() => save(`${base}/receipt`, `receipt-${filing.filingId}.json`)}>
          {t('creator.list.receipt')}
        </button>
        <button type="button" onClick={() => save(`${base}/evidence`, `evidence-${filing.filingId}.json`)}>
          {t('creator.list.evidence')}
        </button>
        <Link href={`/certificate/${filing.filingId}`} class="button-link">
          {t('creator.list.certificate')}
        </Link>
        {mayLabel ? (
          <>
            <button type="button" aria-expanded={open === 'labels'} onClick={() => setOpen(open === 'labels' ? null : 'labels')}>
              {t('creator.list.declareLabels')}
            </button>
            <button type="button" aria-expanded={open === 'copy'} onClick={() => setOpen(open === 'copy' ? null : 'copy')}>
              {t('creator.list.registerCopy')}
            </button>
          </>
        ) : null}
      </div>
      <ProblemMessage error={error} />
      {open === 'labels' && mayLabel ? <LabelsForm filing={filing} onDeclared={onChanged} /> : null}
      {open === 'copy' && mayLabel ? (
        filing.perceptualHash?.source === 'computed' ? (
          <CopyForm filing={filing} />
        ) : (
          // The ledger compares a copy with the perceptual hash it computed from the filed file, and has none.
          <p class="filing-note" data-testid="copy-needs-file">
            {filing.file ? t('creator.copy.needsImage') : t('creator.copy.needsFile', { upload: t('creator.file.upload') })}
          </p>
        )
      ) : null}
    </li>
  );
}

export function FilingsList({ creator, version, onChanged }: { creator: string; version: number; onChanged: () => void }) {
  const { t } = useI18n();
  const { items, next, error, load } = usePagedList<Filing>((cursor) => listFilings(creator, cursor), [creator, version]);
  // The ledger lists in filing order; the newest is what a creator looks for first.
  const shown = items ? [...items].reverse() : null;
  return (
    <section aria-labelledby="my-filings-heading">
      <h2 id="my-filings-heading">{t('creator.list.heading')}</h2>
      <ProblemMessage error={error} />
      {shown === null && !error ? <p role="status">{t('creator.list.loading')}</p> : null}
      {shown && shown.length === 0 ? <p>{t('creator.list.empty')}</p> : null}
      {shown && shown.length ? (
        <ul class="filings" data-testid="filings">
          {shown.map((f) => (
            <FilingCard filing={f} key={f.filingId} me={creator} onChanged={onChanged} version={version} />
          ))}
        </ul>
      ) : null}
      {next ? (
        <button type="button" onClick={() => void load(next)}>
          {t('creator.list.more')}
        </button>
      ) : null}
    </section>
  );
}
