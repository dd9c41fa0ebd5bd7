// The public page: a file is hashed here, looked up, and its public receipt verified here with the project's verifier.
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ApiError } from '../api.js';
import type { PageProps } from '../app.js';
import { FileDrop } from '../components/file-drop.js';
import { ProblemMessage } from '../components/problem.js';
import { Times } from '../components/times.js';
import { sha256OfFile } from '../hash-file.js';
import type { MessageKey } from '../i18n/en.js';
import { useDocumentTitle } from '../components/document-title.js';
import { publicFaultText } from '../i18n/findings.js';
import { flagsAside, tierMeaning, useI18n, type Lang } from '../i18n/i18n.js';
import {
  type Check,
  isHeld,
  type PublicReceipt,
  type PublicStatus,
  type PublicVerification,
  verifyPublicReceipt,
} from '../public-check.js';
import { Link } from '../router.js';
import { isHex64 } from '../verifier.js';

type Lookup =
  | { phase: 'idle' }
  | { phase: 'hashing'; done: number; total: number }
  | { phase: 'looking'; hash: string }
  | { phase: 'not-filed'; hash: string }
  | { phase: 'error'; hash?: string; error: unknown }
  | { phase: 'found'; hash: string; status: PublicStatus; verification?: PublicVerification; proofError?: unknown };

export function PublicPage(_props: PageProps) {
  const { t } = useI18n();
  useDocumentTitle(t('public.title'));
  const [state, setState] = useState<Lookup>({ phase: 'idle' });
  const [typed, setTyped] = useState('');
  const [typedInvalid, setTypedInvalid] = useState(false);
  // Only the latest file or hash may write the result.
  const run = useRef(0);
  // The hashing of the file chosen last, stopped once another file, a hash or a link is checked, or a hash typed.
  const hashing = useRef<AbortController | null>(null);
  const nextRun = () => {
    hashing.current?.abort();
    hashing.current = null;
    return ++run.current;
  };
  // Bumped when a typed hash (a malformed one too) or a link is checked: the file zone is drawn afresh, without the
  // name of a file chosen before, which beside a result about another hash would read as the file the result is about.
  const [fileRound, setFileRound] = useState(0);
  const forgetFile = () => setFileRound((n) => n + 1);

  // The hash field holds the hash the result is about, whether typed, given by a link or computed from a file.
  const check = async (hash: string, id: number) => {
    setTyped(hash);
    setTypedInvalid(false); // a malformed hash typed before is not what is checked now
    setState({ phase: 'looking', hash });
    let status: PublicStatus;
    try {
      status = await api<PublicStatus>(`/v1/public/content/${hash}`, { auth: false });
    } catch (error) {
      if (run.current !== id) return;
      setState(error instanceof ApiError && error.status === 404 ? { phase: 'not-filed', hash } : { phase: 'error', hash, error });
      return;
    }
    if (run.current !== id) return;
    setState({ phase: 'found', hash, status });
    try {
      const proof = await api<PublicReceipt>(`/v1/public/content/${hash}/receipt`, { auth: false });
      const verification = await verifyPublicReceipt(hash, proof);
      if (run.current !== id) return;
      setState({ phase: 'found', hash, status, verification });
    } catch (proofError) {
      if (run.current === id) setState({ phase: 'found', hash, status, proofError });
    }
  };

  const onFile = async (file: File) => {
    const id = nextRun();
    const stop = new AbortController();
    hashing.current = stop;
    // What the hash field holds, and its error, are not about this file: left beside its result, they would read as its.
    setTyped('');
    setTypedInvalid(false);
    setState({ phase: 'hashing', done: 0, total: file.size });
    try {
      const hash = await sha256OfFile(
        file,
        (done, total) => {
          if (run.current === id) setState({ phase: 'hashing', done, total });
        },
        stop.signal,
      );
      if (run.current !== id) return;
      hashing.current = null; // hashed: what is typed from now on is edited beside its result, as after a check
      await check(hash, id);
    } catch (error) {
      if (run.current !== id) return;
      hashing.current = null;
      setState({ phase: 'error', error });
    }
  };

  // A verification link (the certificate's QR code) names the content in the fragment, which never reaches the server.
  useEffect(() => {
    const fromLink = () => {
      const hash = new URLSearchParams(location.hash.slice(1)).get('sha256')?.trim().toLowerCase();
      if (hash === undefined || !isHex64(hash)) return;
      forgetFile();
      void check(hash, nextRun());
    };
    fromLink();
    addEventListener('hashchange', fromLink);
    return () => removeEventListener('hashchange', fromLink);
  }, []);

  const onHash = (e: Event) => {
    e.preventDefault();
    const hash = typed.trim().toLowerCase();
    const valid = isHex64(hash);
    setTypedInvalid(!valid);
    forgetFile();
    const id = nextRun();
    if (valid) void check(hash, id);
    // A malformed hash has no result: the previous one, left under the error, would read as this hash's.
    else setState({ phase: 'idle' });
  };

  return (
    <section>
      <h1>{t('public.title')}</h1>
      <p>{t('public.intro')}</p>
      <FileDrop key={fileRound} id="public-file" onFile={(f) => void onFile(f)} />
      <p class="hint">{t('file.local')}</p>
      <form class="hash-form" onSubmit={onHash}>
        <label for="public-hash">{t('public.hashLabel')}</label>
        <input
          id="public-hash"
          type="text"
          class="mono"
          spellcheck={false}
          autoComplete="off"
          value={typed}
          aria-invalid={typedInvalid}
          aria-describedby={typedInvalid ? 'public-hash-error' : undefined}
          onInput={(e) => {
            setTyped(e.currentTarget.value);
            // Typing a hash while a file is hashed moves on from the file: its hash, ending later, would replace what is typed.
            if (hashing.current) {
              nextRun();
              forgetFile();
              setState({ phase: 'idle' });
            }
          }}
        />
        <button type="submit">{t('public.hashCheck')}</button>
        {typedInvalid ? (
          <p id="public-hash-error" class="bad">
            {t('public.hashInvalid')}
          </p>
        ) : null}
      </form>
      <div aria-live="polite">
        <Result state={state} />
      </div>
    </section>
  );
}

function Result({ state }: { state: Lookup }) {
  const { t } = useI18n();
  if (state.phase === 'idle') return null;
  if (state.phase === 'hashing')
    return (
      <p role="status">
        {t('file.hashing')} <progress max={state.total || 1} value={state.done} />
      </p>
    );
  const hash =
    'hash' in state && state.hash ? (
      <dl class="facts">
        <dt>{t('file.hash')}</dt>
        <dd>
          <code data-testid="sha256">{state.hash}</code>
        </dd>
      </dl>
    ) : null;
  if (state.phase === 'looking')
    return (
      <>
        {hash}
        <p role="status">{t('public.looking')}</p>
      </>
    );
  if (state.phase === 'error')
    return (
      <>
        {hash}
        <ProblemMessage error={state.error} />
      </>
    );
  if (state.phase === 'not-filed')
    return (
      <>
        {hash}
        <p class="verdict not-filed" data-testid="verdict">
          {t('public.notFiled')}
        </p>
      </>
    );
  return (
    <>
      {hash}
      <Filing status={state.status} />
      {state.proofError ? (
        <ProblemMessage error={state.proofError} />
      ) : state.verification ? (
        <Verification v={state.verification} />
      ) : (
        <p role="status">{t('public.verifying')}</p>
      )}
    </>
  );
}

function Filing({ status: s }: { status: PublicStatus }) {
  const { t } = useI18n();
  return (
    <>
      <p class="verdict filed" data-testid="verdict">
        {s.match === 'copy' ? t('public.filedCopy') : t('public.filed')}
        {s.status === 'withdrawn' ? ` ${t('public.withdrawn')}` : null}
      </p>
      <dl class="facts" data-testid="filing">
        <dt>{t('public.filing')}</dt>
        <dd>
          <code>{s.filingId}</code> · <Link href={`/certificate/${s.filingId}`}>{t('public.certificate')}</Link>
        </dd>
        {s.match === 'copy' && s.filedContentHash ? (
          <>
            <dt>{t('public.filedContent')}</dt>
            <dd>
              <code>{s.filedContentHash}</code>
            </dd>
          </>
        ) : null}
        <dt>{t('public.filedBy')}</dt>
        {/* Named only while the right stands: not once it is revoked, withdrawn or expired (as on the certificate). */}
        <dd data-testid="holder">{s.holder && s.right && isHeld(s.right) ? (s.holder.name ?? t('public.unnamed')) : '—'}</dd>
        <dt>{t('public.filedAt')}</dt>
        <dd data-testid="filed-at">
          <Times at={s.filedAt} />
        </dd>
        {s.copy ? (
          <>
            <dt>{t('public.copyRegisteredAt')}</dt>
            <dd>
              <Times at={s.copy.registeredAt} />
            </dd>
          </>
        ) : null}
        <dt>{t('public.status')}</dt>
        <dd>{t(`status.${s.status}` as MessageKey)}</dd>
        {s.right ? (
          <>
            <dt>{t('public.right')}</dt>
            <dd data-testid="right">
              <strong>{t(`right.${s.right.status}` as MessageKey)}</strong>
              {flagsAside(t, s.right.flags)}{' '}
              <span class="hint">
                {t('public.rightSince')} <Times at={s.right.since} />
              </span>
            </dd>
            {s.labelState === 'none' ? (
              <>
                <dt>{t('public.labelDueAt')}</dt>
                <dd>
                  <Times at={s.right.labelDueAt} />
                </dd>
              </>
            ) : null}
            {s.right.expiresAt ? (
              <>
                <dt>{t('public.expiresAt')}</dt>
                <dd>
                  <Times at={s.right.expiresAt} />
                </dd>
              </>
            ) : null}
          </>
        ) : null}
        <dt>{t('public.labels')}</dt>
        <dd data-testid="labels">
          {t(`labels.${s.labelState}` as MessageKey)}
          {s.labelTier ? t('public.labelTier', { tier: s.labelTier, meaning: tierMeaning(t, s.labelTier) }) : null}
        </dd>
        <dt>{t('public.leafIndex')}</dt>
        <dd>{s.leafIndex}</dd>
      </dl>
    </>
  );
}

/** A failed check's values, its reason in `lang` (worded from its fault). */
const failedParams = (lang: Lang, c: Check) => ({ ...c.params, reason: publicFaultText(lang, c.fault, String(c.params.reason)) });

function Verification({ v }: { v: PublicVerification }) {
  const { t, lang } = useI18n();
  return (
    <section class={v.ok ? 'verification ok-box' : 'verification bad-box'} data-testid="verification" data-ok={String(v.ok)}>
      <h2>{v.ok ? t('public.verifiedTitle') : t('public.failedTitle')}</h2>
      {v.ok && v.treeSize !== undefined ? (
        <>
          <p>{t('public.verifiedSummary', { treeSize: v.treeSize, leafIndex: v.leafIndex ?? 0, type: v.entryType ?? '' })}</p>
          <dl class="facts">
            <dt>{t('public.recordedAt')}</dt>
            <dd data-testid="recorded-at">
              <Times at={v.recordedAt ?? ''} />
            </dd>
            {v.checkpointTime !== undefined ? (
              <>
                <dt>{t('public.checkpointTime')}</dt>
                <dd>
                  <Times at={v.checkpointTime * 1000} />
                </dd>
              </>
            ) : null}
          </dl>
        </>
      ) : null}
      <ul class="checks">
        {v.checks.map((c) => (
          <li key={c.id} class={`check ${c.outcome}`} data-check={c.id} data-outcome={c.outcome}>
            <span class="check-mark">{t(`check.${c.outcome}`)}</span>{' '}
            {t(`check.${c.id}.${c.variant ?? c.outcome}` as MessageKey, c.outcome === 'failed' ? failedParams(lang, c) : c.params)}
          </li>
        ))}
      </ul>
      <p class="hint">{t('public.keyNote')}</p>
      <dl class="facts">
        <dt>{t('public.key')}</dt>
        <dd>
          <code data-testid="log-key">{v.key}</code>
        </dd>
      </dl>
    </section>
  );
}
