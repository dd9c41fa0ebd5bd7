// The filing certificate: what the ledger states of a filing and its proof, in Chinese and English on the same sheet,
// printable on A4, with a QR code to the page that verifies the content hash. Public data only: anyone with the link.
import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, apiKey } from '../api.js';
import { SOURCE_TYPE_CODES } from '../domain-rules.js';
import { useDocumentTitle } from '../components/document-title.js';
import type { PageProps } from '../app.js';
import { ProblemMessage } from '../components/problem.js';
import { publicFaultText } from '../i18n/findings.js';
import { flagsAside, tierMeaning, translate, useI18n, type Lang, type Translate } from '../i18n/i18n.js';
import { problemTitle } from '../i18n/problems.js';
import type { MessageKey } from '../i18n/en.js';
import { Link } from '../router.js';
import { utcAndBeijing } from '../time-format.js';
import {
  certificateProof,
  rightOfFiling,
  verificationUrl,
  type CertificateProof,
  type PublicFiling,
  type PublicRight,
} from './certificate/certificate-facts.js';
import { isHeld, type PublicStatus } from '../public-check.js';
import type { PublicReceipt } from '../verifier.js';
import { QrCode } from './certificate/qr-code.js';
import { useMe } from './creator/creator-api.js';
import './certificate/certificate.css';

type Loaded =
  | { phase: 'loading' }
  | { phase: 'error'; error: unknown }
  | {
      phase: 'ready';
      filing: PublicFiling;
      /** The right's standing: null when the ledger gives none for this filing; `rightError` when it could not be read. */
      right: PublicRight | null;
      rightError?: unknown;
      proof?: CertificateProof | { otherFiling: string };
      proofError?: unknown;
    };

/** The certificate's own words are in both languages, Chinese first, whatever the switch says. */
const BOTH: readonly Lang[] = ['zh-CN', 'en'];

/** A message in both languages: `k` with `params`, or the words `text` gives in each. */
function Both(props: { k: MessageKey; params?: Record<string, string | number> } | { text: (lang: Lang) => string }) {
  return (
    <>
      {BOTH.map((l) => (
        <span class={`cert-${l === 'en' ? 'en' : 'zh'}`} lang={l} key={l}>
          {'text' in props ? props.text(l) : translate(l, props.k, props.params)}
        </span>
      ))}
    </>
  );
}

/** An instant as UTC and Beijing time, each named in both languages. */
function CertTime({ at }: { at: string | number }) {
  const both = utcAndBeijing(typeof at === 'number' ? at * 1000 : at);
  if (!both) return <span>{String(at)}</span>;
  return (
    <span class="cert-times">
      <span class="mono">{both.utc}</span> <Both k="certificate.utc" />
      <br />
      <span class="mono">{both.beijing}</span> <Both k="certificate.beijing" />
    </span>
  );
}

function Row({ k, children, testId }: { k: MessageKey; children: ComponentChildren; testId?: string }) {
  return (
    <>
      <dt>
        <Both k={k} />
      </dt>
      <dd data-testid={testId}>{children}</dd>
    </>
  );
}

const STATE_KEYS = {
  none: 'certificate.labels.none',
  declared: 'certificate.labels.declared',
  verified: 'certificate.labels.verified',
} as const satisfies Record<PublicFiling['labels']['state'], MessageKey>;

/** The implicit label's AIGC fields as the filing declared them, in the standard's order. */
function aigcFields(implicit: unknown): Array<[string, string]> {
  const aigc = (implicit as { AIGC?: Record<string, unknown> } | null)?.AIGC;
  if (!aigc || typeof aigc !== 'object') return [];
  return Object.entries(aigc).map(([k, v]) => [k, String(v)]);
}

/**
 * The right's status and flags in both languages; a right that could not be read says why. When it took that status is the
 * ledger's to show (the sheet fits one A4 page, and the filing's time is on it already).
 */
function RightRow({ right, rightError }: { right: PublicRight | null; rightError?: unknown }) {
  if (rightError)
    return (
      <Row k="certificate.right" testId="cert-right">
        <ProblemMessage error={rightError} />
      </Row>
    );
  if (!right) return null;
  return (
    <Row k="certificate.right" testId="cert-right">
      <strong>
        <Both
          text={(l) =>
            translate(l, `right.${right.status}` as MessageKey) + flagsAside((k, params) => translate(l, k, params), right.flags)
          }
        />
      </strong>
    </Row>
  );
}

/** An IPTC digital source type in words in both languages, with its code; a type the console does not know, by its code. */
function SourceType({ uri }: { uri: string }) {
  const code = uri.split('/').pop()!;
  if (!(SOURCE_TYPE_CODES as readonly string[]).includes(code)) return <code>{code}</code>;
  return (
    <>
      <Both k={`creator.gen.source.${code}` as MessageKey} /> <code>{code}</code>
    </>
  );
}

/** What the page verified, in words: witness cosignatures only when the checkpoint carried some, time-stamps once checked. */
function checkedKey(facts: CertificateProof): MessageKey {
  if (facts.witnesses.length > 0) return facts.timestampsChecked ? 'certificate.checkedOkWitnessesTsa' : 'certificate.checkedOkWitnesses';
  return facts.timestampsChecked ? 'certificate.checkedOkTsa' : 'certificate.checkedOk';
}

function Certificate({ filing, right, rightError, proof, proofError }: Extract<Loaded, { phase: 'ready' }>) {
  const { t } = useI18n();
  const url = verificationUrl(location.origin, filing.contentHash);
  const facts = proof && 'checkpoint' in proof ? proof : undefined;
  const aigc = aigcFields(filing.labels.implicit);
  const tier = filing.labels.tier;
  return (
    <article class="certificate" aria-labelledby="cert-heading">
      <header class="cert-head">
        <p class="cert-issuer">
          <Both k="certificate.issuer" />
        </p>
        <h2 id="cert-heading" class="cert-name">
          <Both k="certificate.sheetTitle" />
        </h2>
        <p class="cert-statement">
          <Both k="certificate.statement" />
        </p>
      </header>
      {filing.status === 'withdrawn' ? (
        <p class="cert-withdrawn" role="note">
          <Both k="certificate.withdrawn" /> {filing.withdrawnAt ? <CertTime at={filing.withdrawnAt} /> : null}
        </p>
      ) : null}
      <div class="cert-body">
        <dl class="cert-facts">
          <Row k="certificate.filingId">
            <code data-testid="cert-filing-id">{filing.filingId}</code>
          </Row>
          <Row k="certificate.workTitle">
            <span data-testid="cert-title">{filing.title}</span>
          </Row>
          <Row k="certificate.contentHash">
            <code data-testid="cert-hash">{filing.contentHash}</code>
          </Row>
          <Row k="certificate.contentType">
            <code>{filing.contentType}</code>
          </Row>
          {filing.digitalSourceType ? (
            <Row k="certificate.sourceType">
              <SourceType uri={filing.digitalSourceType} />
            </Row>
          ) : null}
          <Row k="certificate.filedAt">
            <CertTime at={filing.filedAt} />
          </Row>
          <Row k="certificate.leafIndex">
            <span class="mono" data-testid="cert-leaf">
              {filing.leafIndex}
            </span>
          </Row>
          {/* Named as the right's holder only while it holds one: not once the right is revoked, withdrawn or expired. */}
          {filing.holder && right && isHeld(right) ? (
            <Row k="certificate.holder">
              <span data-testid="cert-holder">{filing.holder.name ?? filing.holder.id}</span>
            </Row>
          ) : null}
          <RightRow right={right} rightError={rightError} />
          <Row k="certificate.labelsState">
            <Both k={STATE_KEYS[filing.labels.state]} />
            {tier ? (
              <span class="cert-tier">
                {' '}
                <Both
                  text={(l) => {
                    const tl: Translate = (k, params) => translate(l, k, params);
                    return tl('certificate.labels.tier', { tier, meaning: tierMeaning(tl, tier) });
                  }}
                />
              </span>
            ) : null}
            {aigc.length ? (
              <ul class="cert-aigc">
                {aigc.map(([k, v]) => (
                  <li key={k}>
                    <code>
                      {k}: {v || '—'}
                    </code>
                  </li>
                ))}
              </ul>
            ) : null}
          </Row>
        </dl>
        <figure class="cert-qr">
          <QrCode text={url} label={t('certificate.qrLabel')} testId="cert-qr" />
          <figcaption>
            <Both k="certificate.qrCaption" />
            <code class="cert-url" data-testid="cert-url">
              {url}
            </code>
          </figcaption>
        </figure>
      </div>
      <section class="cert-proof" aria-labelledby="cert-proof-heading">
        <h3 id="cert-proof-heading">
          <Both k="certificate.proof" />
        </h3>
        {facts ? (
          <dl class="cert-facts">
            <Row k="certificate.checkpointOrigin">
              <code>{facts.checkpoint.origin}</code>
            </Row>
            <Row k="certificate.checkpointSize">
              <span class="mono" data-testid="cert-tree-size">
                {facts.checkpoint.treeSize}
              </span>
            </Row>
            <Row k="certificate.checkpointRoot">
              <code data-testid="cert-root">{facts.checkpoint.rootHex}</code>
            </Row>
            {facts.checkpoint.time !== null ? (
              <Row k="certificate.checkpointTime">
                <CertTime at={facts.checkpoint.time} />
              </Row>
            ) : null}
            <Row k="certificate.provenEntry">
              {/* Named in words: beside the filing's own leaf index, a bare event type and another leaf read as a contradiction. */}
              <Both
                k={facts.entryType === 'ContentReserved' ? 'certificate.provenEntryReserved' : 'certificate.provenEntryValue'}
                params={{ type: facts.entryType, leaf: facts.entryLeafIndex }}
              />
            </Row>
            {facts.witnesses.length ? (
              <Row k="certificate.witnesses">
                <ul class="cert-list">
                  {facts.witnesses.map((w) => (
                    <li key={w.name}>
                      <code>{w.name}</code> <CertTime at={w.time} />
                    </li>
                  ))}
                </ul>
              </Row>
            ) : null}
            {facts.timestamps.length ? (
              <Row k="certificate.tsa">
                <ul class="cert-list">
                  {facts.timestamps.map((s, i) => (
                    <li key={i}>
                      <code>{s.tsa}</code> <CertTime at={s.time} />
                    </li>
                  ))}
                </ul>
                {facts.timestampsChecked ? null : (
                  <span class="hint" data-testid="cert-tsa-unchecked">
                    <Both k="certificate.tsaUnchecked" />
                  </span>
                )}
              </Row>
            ) : null}
            <Row k="certificate.checked">
              {facts.verified.ok ? (
                <span class="ok" data-testid="cert-verified">
                  ✓ <Both k={checkedKey(facts)} />
                </span>
              ) : (
                <span class="bad" data-testid="cert-verified">
                  ✗ <Both k="certificate.checkedFailed" />{' '}
                  {BOTH.map((l) =>
                    facts.verified.ok ? null : (
                      <code class={`cert-${l === 'en' ? 'en' : 'zh'}`} lang={l} key={l}>
                        {publicFaultText(l, facts.verified.fault, facts.verified.reason)}
                      </code>
                    ),
                  )}
                </span>
              )}
            </Row>
          </dl>
        ) : proof && 'otherFiling' in proof ? (
          <p>
            <Both k="certificate.proofOtherFiling" params={{ id: proof.otherFiling }} />
          </p>
        ) : proofError ? (
          <ProblemMessage error={proofError} />
        ) : (
          <p role="status">{t('certificate.proofLoading')}</p>
        )}
      </section>
      <footer class="cert-foot">
        <Both k="certificate.howToVerify" params={{ id: filing.filingId }} />
      </footer>
    </article>
  );
}

/** The tab names the work and says when it was withdrawn, or says why there is no certificate. */
function tabTitle(loaded: Loaded, t: ReturnType<typeof useI18n>['t'], lang: Lang): string {
  if (loaded.phase === 'ready') {
    const key = loaded.filing.status === 'withdrawn' ? 'certificate.documentTitleWithdrawn' : 'certificate.documentTitle';
    return t(key, { title: loaded.filing.title });
  }
  if (loaded.phase === 'error' && loaded.error instanceof ApiError && loaded.error.status !== 0)
    return t('certificate.documentTitle', { title: problemTitle(lang, loaded.error.problem?.type) ?? loaded.error.title });
  return t('certificate.title');
}

export function CertificatePage({ params }: PageProps) {
  const { t, lang } = useI18n();
  const filingId = params.filingId;
  const [loaded, setLoaded] = useState<Loaded>({ phase: 'loading' });
  // Who the tab's key is (if it has one): a complaint is offered to a creator about another's live filing only.
  const hasKey = apiKey.get() !== null;
  const { me, error: meError } = useMe(hasKey);
  useDocumentTitle(tabTitle(loaded, t, lang));
  useEffect(() => {
    const abort = new AbortController();
    const load = async () => {
      setLoaded({ phase: 'loading' });
      let filing: PublicFiling;
      try {
        filing = await api<PublicFiling>(`/v1/public/filings/${encodeURIComponent(filingId)}`, { auth: false, signal: abort.signal });
      } catch (error) {
        if (!abort.signal.aborted) setLoaded({ phase: 'error', error });
        return;
      }
      // The filing's summary says who holds it but not whether the right still stands: the lookup of its content does.
      let standing: { right: PublicRight | null; rightError?: unknown };
      try {
        const status = await api<PublicStatus>(`/v1/public/content/${filing.contentHash}`, { auth: false, signal: abort.signal });
        standing = { right: rightOfFiling(filing, status) };
      } catch (rightError) {
        if (abort.signal.aborted) return;
        standing = { right: null, rightError };
      }
      if (abort.signal.aborted) return;
      setLoaded({ phase: 'ready', filing, ...standing });
      try {
        const receipt = await api<PublicReceipt>(`/v1/public/content/${filing.contentHash}/receipt`, {
          auth: false,
          signal: abort.signal,
        });
        const proof = await certificateProof(filing, receipt);
        if (!abort.signal.aborted) setLoaded({ phase: 'ready', filing, ...standing, proof });
      } catch (proofError) {
        if (!abort.signal.aborted) setLoaded({ phase: 'ready', filing, ...standing, proofError });
      }
    };
    void load();
    return () => abort.abort();
  }, [filingId]);
  const other: Lang = lang === 'en' ? 'zh-CN' : 'en';
  return (
    <section class="certificate-page">
      <div class="no-print cert-toolbar">
        <h1>{t('certificate.title')}</h1>
        <p class="cert-title-alt" lang={other}>
          {translate(other, 'certificate.title')}
        </p>
        <p class="cert-actions">
          <span>
            {/* Whoever holds the link may read a certificate: the way back is to the creator's filings for a creator key only. */}
            {me?.roles.includes('creator') ? (
              <Link href="/creator">{t('certificate.backToCreator')}</Link>
            ) : hasKey && !me && !meError ? null : (
              <Link href="/">{t('certificate.checkAnother')}</Link>
            )}
            {/* The ledger refuses a complaint about a withdrawn filing, about one's own (its holder is its creator until a
                transfer), and from a key without the creator role. A visitor without a key is shown the way too: the
                Disputes page asks for a creator's key and opens the complaint form. */}
            {loaded.phase === 'ready' &&
            loaded.filing.status !== 'withdrawn' &&
            (!hasKey || (me?.roles.includes('creator') && loaded.filing.holder?.id !== me.principalId)) ? (
              <>
                {' · '}
                <Link href={`/reviewer?filing=${encodeURIComponent(filingId)}`}>{t('certificate.complain')}</Link>
              </>
            ) : null}
          </span>
          {loaded.phase === 'ready' ? (
            <button type="button" class="primary" onClick={() => print()}>
              {t('certificate.print')}
            </button>
          ) : null}
        </p>
      </div>
      {loaded.phase === 'loading' ? <p role="status">{t('certificate.loading')}</p> : null}
      {loaded.phase === 'error' ? <ProblemMessage error={loaded.error} /> : null}
      {loaded.phase === 'ready' ? <Certificate {...loaded} /> : null}
    </section>
  );
}
