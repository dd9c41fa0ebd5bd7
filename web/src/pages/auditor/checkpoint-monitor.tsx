import { useEffect, useRef, useState } from 'preact/hooks';
import { api, apiText } from '../../api.js';
import { ProblemMessage } from '../../components/problem.js';
import { Times } from '../../components/times.js';
import { useI18n, type Lang } from '../../i18n/i18n.js';
import { alarmText, stampFailureText, timestampText } from '../../i18n/findings.js';
import { VKEY_WORDING } from '../../i18n/verdicts.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { cosignerLabel, parseCosignerVkey, type PublishedKeys } from '../../verifier.js';
import { alarmReason, checkNext, checkStamps, type ListedStamp, type MonitorAlarm, type Observed, type StampCheck } from './monitor.js';
import {
  checkPin,
  checkPinnedCas,
  keyDifferences,
  loadPin,
  pinInputOf,
  pinServed,
  savePin,
  trustOfPinned,
  type KeyDifference,
  type PinError,
  type PinInput,
  type PinnedKeys,
} from './pinned-keys.js';

const POLL_MS = 15_000;
/** `listed`: how many of its tokens the history listed when they were last checked. */
type Stamped = Observed & { stamps: StampCheck; listed: number; seenAt: number };
/** How long a listed checkpoint is looked at again for tokens that come after it (a TSA may answer late). */
const RECHECK_MS = 120_000;
type HistoryItem = { treeSize: number; timestamps?: ListedStamp[] };

/**
 * Polls the log's keys and checkpoint; each new checkpoint is verified in this browser (signatures, witnesses,
 * consistency with the last one accepted) against the keys the auditor pinned, or, without a pin, against the keys
 * served when the page opened (trust on first use), and listed. Its RFC 3161 time-stamps, listed in the checkpoint
 * history once the TSAs have answered, are checked against the trusted TSA CA certificates (pinned with the keys, or
 * served when the page opened); pinned keys without them leave the time-stamps unchecked. A failed checkpoint, or served
 * keys that differ from the trusted ones, raise an alarm that stays until the page is reloaded or the pin changes.
 */
export function CheckpointMonitor() {
  const { t, lang } = useI18n();
  const [served, setServed] = useState<PublishedKeys | null>(null);
  const [pinned, setPinned] = useState<PinnedKeys | null>(loadPin);
  const [firstServed, setFirstServed] = useState<PinnedKeys | null>(null);
  const [seen, setSeen] = useState<Stamped[]>([]);
  const [alarm, setAlarm] = useState<MonitorAlarm | null>(null);
  const [keysAlarm, setKeysAlarm] = useState<KeyDifference[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [lastPoll, setLastPoll] = useState<number | null>(null);
  const [editing, setEditing] = useState(false);
  const [unsaved, setUnsaved] = useState(false);
  /** Why keys the auditor asked to pin with one click were refused. */
  const [pinProblem, setPinProblem] = useState<PinError | null>(null);
  const latest = useRef<Stamped | null>(null);
  const seenRef = useRef<Stamped[]>([]);
  const pinnedRef = useRef<PinnedKeys | null>(pinned);
  const firstServedRef = useRef<PinnedKeys | null>(null);
  const generation = useRef(0); // bumped when the trusted keys change: a poll begun before then is discarded
  const busy = useRef(false);
  const again = useRef(false);

  const poll = async () => {
    if (busy.current) {
      again.current = true;
      return;
    }
    busy.current = true;
    const gen = generation.current;
    const stale = () => gen !== generation.current;
    try {
      let failure: unknown = null;
      const servedNow = await api<PublishedKeys>('/v1/ledger/keys', { auth: false }).catch((err: unknown) => {
        failure = err;
        return null;
      });
      if (stale()) return;
      if (servedNow) {
        setServed(servedNow);
        if (!pinnedRef.current && !firstServedRef.current) {
          firstServedRef.current = pinServed(servedNow);
          setFirstServed(firstServedRef.current);
        }
      }
      const trusted = pinnedRef.current ?? firstServedRef.current;
      if (!trusted) {
        setError(failure);
        return;
      }
      if (servedNow) {
        const differences = keyDifferences(servedNow, trusted);
        if (differences.length > 0) setKeysAlarm(differences);
      }
      const note = await apiText('/v1/ledger/checkpoint', { auth: false });
      if (stale()) return;
      setError(failure);
      setLastPoll(Date.now());
      /** Shows `list` (newest first, at most 20). */
      const show = (list: Stamped[]) => {
        seenRef.current = list.slice(0, 20);
        setSeen(seenRef.current);
      };
      if (!latest.current || note !== latest.current.note) {
        const checked = await checkNext(note, trustOfPinned(trusted), latest.current, async (from, to) => {
          const proof = await api<{ hashes: string[] }>(`/v1/ledger/proof/consistency?from=${from}&to=${to}`, { auth: false });
          return proof.hashes;
        });
        if (stale()) return;
        if (!checked.ok) {
          setAlarm(checked.alarm);
          return;
        }
        const stamped: Stamped = { ...checked.observed, stamps: { state: 'none' }, listed: 0, seenAt: Date.now() };
        latest.current = stamped;
        show([stamped, ...seenRef.current]);
      }
      // Time-stamps come after their checkpoint: every checkpoint listed lately is looked at again for tokens not yet
      // checked, against the trusted CA (on first use, the one served then).
      const ca = { caPem: trusted.tsaCertificates, pinned: pinnedRef.current !== null };
      for (const entry of seenRef.current.filter((e) => Date.now() - e.seenAt < RECHECK_MS)) {
        // The history page that starts at exactly this checkpoint (cursor: the tree sizes below it).
        const size = entry.checkpoint.treeSize;
        const page = await api<{ items: HistoryItem[] }>(`/v1/ledger/checkpoints?cursor=${size + 1}&limit=1`, { auth: false }).catch(
          () => null,
        );
        if (stale()) return;
        const tokens = page?.items.find((i) => i.treeSize === size)?.timestamps ?? [];
        if (tokens.length <= entry.listed) continue;
        const stamps = await checkStamps(entry.note, tokens, ca);
        if (stale()) return;
        if (stamps.state === 'failed') {
          setAlarm({ kind: 'time-stamp', stamps: { fault: stamps.fault, reason: stamps.reason } });
          return;
        }
        const updated: Stamped = { ...entry, stamps, listed: tokens.length };
        if (latest.current === entry) latest.current = updated;
        show(seenRef.current.map((e) => (e === entry ? updated : e)));
      }
    } catch (err) {
      if (!stale()) setError(err);
    } finally {
      busy.current = false;
      if (again.current) {
        again.current = false;
        void poll();
      }
    }
  };

  useEffect(() => {
    void poll();
    const timer = setInterval(() => void poll(), POLL_MS);
    return () => {
      generation.current++;
      clearInterval(timer);
    };
  }, []);

  /** Trusts `next` (null: the keys served from now on) and starts over: what was accepted under the old keys is dropped. */
  const trust = (next: PinnedKeys | null) => {
    setUnsaved(!savePin(next));
    pinnedRef.current = next;
    setPinned(next);
    firstServedRef.current = null;
    setFirstServed(null);
    generation.current++;
    latest.current = null;
    seenRef.current = [];
    setSeen([]);
    setAlarm(null);
    setKeysAlarm(null);
    setEditing(false);
    setPinProblem(null);
    void poll();
  };

  /** Pins `next` (served keys, one click) once it passes the form's checks; otherwise says why and pins nothing. */
  const pinChecked = (next: PinnedKeys) => {
    const gen = generation.current;
    void checkPin(pinInputOf(next)).then((checked) => {
      if (gen !== generation.current) return; // the trusted keys changed meanwhile
      if (checked.ok) trust(checked.pinned);
      else setPinProblem(checked.error);
    });
  };

  const trusted = pinned ?? firstServed;
  return (
    <section aria-labelledby="monitor-heading">
      <h2 id="monitor-heading">{t('auditor.monitor.title')}</h2>
      <p class="hint">{t('auditor.monitor.hint', { seconds: POLL_MS / 1000 })}</p>
      <div class={pinned ? 'trust-panel pinned' : 'trust-panel tofu'} data-testid="trust-panel">
        <p>
          <strong data-testid="trust-mode">{pinned ? t('auditor.trust.pinned') : t('auditor.trust.tofu')}</strong>
        </p>
        <p class="hint">{pinned ? t('auditor.trust.pinnedHint') : t('auditor.trust.tofuHint')}</p>
        {unsaved ? <p class="hint">{t('auditor.trust.unsaved')}</p> : null}
        {trusted ? <TrustedKeys keys={trusted} pinned={pinned !== null} /> : null}
        {editing ? (
          <PinForm initial={pinInputOf(pinned ?? (served ? pinServed(served) : null))} onPin={trust} onCancel={() => setEditing(false)} />
        ) : (
          <p class="trust-actions">
            {pinned ? null : (
              <button type="button" class="primary" disabled={!served} onClick={() => served && pinChecked(pinServed(served))}>
                {t('auditor.trust.pinServed')}
              </button>
            )}{' '}
            <button
              type="button"
              onClick={() => {
                setPinProblem(null);
                setEditing(true);
              }}
            >
              {pinned ? t('auditor.trust.edit') : t('auditor.trust.pinOther')}
            </button>{' '}
            {pinned ? (
              <button type="button" onClick={() => trust(null)}>
                {t('auditor.trust.unpin')}
              </button>
            ) : null}
            {pinned && pinned.tsaCertificates === null && served?.tsaCertificates ? (
              <>
                {' '}
                <button type="button" onClick={() => pinChecked({ ...pinned, tsaCertificates: pinServed(served).tsaCertificates })}>
                  {t('auditor.trust.pinServedCa')}
                </button>
              </>
            ) : null}
          </p>
        )}
        {pinProblem && !editing ? <PinProblem problem={pinProblem} /> : null}
      </div>
      {keysAlarm ? (
        <div class="monitor-alarm" role="alert" data-testid="keys-alarm">
          <strong>{pinned ? t('auditor.trust.alarmPinned') : t('auditor.trust.alarmChanged')}</strong>
          <ul>
            {keysAlarm.map((d) => (
              <li key={d}>{t(`auditor.trust.differs.${d}`)}</li>
            ))}
          </ul>
        </div>
      ) : null}
      {alarm ? (
        <div class="monitor-alarm" role="alert" data-testid="monitor-alarm">
          <strong>{t('auditor.monitor.alarm')}</strong>
          <p>{alarmText(lang, alarm, alarmReason(alarm))}</p>
        </div>
      ) : null}
      <ProblemMessage error={error} />
      <p>
        <button type="button" disabled={!trusted} onClick={() => void poll()}>
          {t('auditor.monitor.now')}
        </button>{' '}
        {lastPoll ? (
          <span class="hint">
            {t('auditor.monitor.lastPoll')} <Times at={lastPoll} />
          </span>
        ) : null}
      </p>
      {seen.length === 0 ? null : (
        <ol class="checkpoints" data-testid="checkpoints">
          {seen.map((s) => (
            <li key={s.note} class="checkpoint" data-testid="checkpoint">
              <p class="ok">
                <strong>{t('auditor.monitor.verified', { size: s.checkpoint.treeSize })}</strong>
              </p>
              <dl class="facts">
                <dt>{t('auditor.monitor.origin')}</dt>
                <dd>{s.checkpoint.origin}</dd>
                <dt>{t('auditor.monitor.root')}</dt>
                <dd class="mono">{bytesToHex(s.checkpoint.rootHash)}</dd>
                {s.checkpoint.time !== undefined ? (
                  <>
                    <dt>{t('auditor.monitor.signedAt')}</dt>
                    <dd>
                      <Times at={s.checkpoint.time * 1000} />
                    </dd>
                  </>
                ) : null}
                <dt>{t('auditor.monitor.signatures')}</dt>
                <dd>
                  {t('auditor.monitor.ed25519')}
                  {s.logMlDsa ? ` · ${t('auditor.monitor.mldsa')}` : ''}
                </dd>
                <dt>{t('auditor.monitor.witnesses')}</dt>
                <dd>
                  {s.witnesses.length === 0 ? (
                    t('auditor.monitor.noWitness')
                  ) : (
                    <ul>
                      {s.witnesses.map((w) => (
                        <li key={w.label}>
                          {w.label} · <Times at={w.timestamp * 1000} />
                        </li>
                      ))}
                    </ul>
                  )}
                </dd>
                <dt>{t('auditor.monitor.tsa')}</dt>
                <dd data-testid="monitor-tsa">
                  <StampsOf check={s.stamps} />
                </dd>
                <dt>{t('auditor.monitor.consistency')}</dt>
                <dd data-testid="consistency">
                  {s.consistency.kind === 'first'
                    ? t('auditor.monitor.first')
                    : s.consistency.kind === 'same-size'
                      ? t('auditor.monitor.sameSize')
                      : t('auditor.monitor.proved', { from: s.consistency.from, hashes: s.consistency.hashes })}
                </dd>
              </dl>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}

/** The keys checkpoints are checked against: the log's vkey in full, the cosigners by name and key ID, the TSA CAs by name. */
function TrustedKeys({ keys, pinned }: { keys: PinnedKeys; pinned: boolean }) {
  const { t } = useI18n();
  return (
    <dl class="facts trusted-keys" data-testid="trusted-keys">
      <dt>{t('auditor.trust.logKey')}</dt>
      <dd class="mono">{keys.log}</dd>
      <dt>{t('auditor.trust.mlDsaKey')}</dt>
      <dd class="mono">
        {keys.logMlDsa44 === null ? t('auditor.trust.mlDsaUnchecked') : cosignerLabel(parseCosignerVkey(keys.logMlDsa44))}
      </dd>
      <dt>{t('auditor.trust.witnesses')}</dt>
      <dd>
        {keys.witnesses.length === 0 ? (
          t('auditor.trust.noWitness')
        ) : (
          <>
            <ul class="mono">
              {keys.witnesses.map((w) => (
                <li key={w}>{cosignerLabel(parseCosignerVkey(w))}</li>
              ))}
            </ul>
            {t('auditor.trust.quorum', { quorum: keys.quorum, witnesses: keys.witnesses.length })}
          </>
        )}
      </dd>
      <dt>{t('auditor.trust.tsaCas')}</dt>
      <dd data-testid="trusted-tsa">
        {keys.tsaCertificates === null ? t(pinned ? 'auditor.trust.tsaUnchecked' : 'auditor.trust.tsaNone') : <CaNames keys={keys} />}
      </dd>
    </dl>
  );
}

/** The names (CN) of the trusted TSA CA certificates, once the verifier that reads them has loaded. */
function CaNames({ keys }: { keys: PinnedKeys }) {
  const { lang } = useI18n();
  const [checked, setChecked] = useState<Awaited<ReturnType<typeof checkPinnedCas>> | null>(null);
  useEffect(() => {
    let live = true;
    void checkPinnedCas(keys).then((result) => live && setChecked(result));
    return () => {
      live = false;
    };
  }, [keys.tsaCertificates]);
  if (checked === null) return <>…</>;
  if (!checked.ok) return <span class="bad">{pinReason(lang, checked.error)}</span>;
  return (
    <ul>
      {checked.names.map((name, i) => (
        <li key={i}>{name}</li>
      ))}
    </ul>
  );
}

/** The auditor's own keys, typed or pasted: stored only once every key parses and the quorum fits. */
function PinForm({ initial, onPin, onCancel }: { initial: PinInput; onPin: (p: PinnedKeys) => void; onCancel: () => void }) {
  const { t } = useI18n();
  const [input, setInput] = useState<PinInput>(initial);
  /** Whether the auditor has typed in the form. */
  const typed = useRef(false);
  // Opened before the served keys came, the form is filled with them once they come, unless the auditor has typed in it
  // meanwhile. Keys served later do not change it: a change is for the alarm to show, not for the form to take. Hence
  // the effect follows the log key alone: a form opened with keys never changes, and the poll's new objects are ignored.
  useEffect(() => {
    if (!typed.current && initial.log !== '') setInput((i) => (i.log === '' ? initial : i));
  }, [initial.log]);
  const [problem, setProblem] = useState<PinError | null>(null);
  /** While the TSA CAs are checked (the verifier that reads them loads first): the form then takes no second submit. */
  const [checking, setChecking] = useState(false);
  /** False once the form is gone (cancelled): a check that ends later pins nothing. */
  const live = useRef(true);
  useEffect(
    () => () => {
      live.current = false;
    },
    [],
  );
  const field = (name: keyof PinInput) => ({
    value: input[name],
    spellcheck: false,
    onInput: (e: Event) => {
      typed.current = true;
      setInput((i) => ({ ...i, [name]: (e.currentTarget as HTMLInputElement | HTMLTextAreaElement).value }));
    },
  });
  return (
    <form
      class="pin-form"
      onSubmit={(e) => {
        e.preventDefault();
        if (checking) return;
        setChecking(true);
        void checkPin(input).then((checked) => {
          if (!live.current) return;
          setChecking(false);
          if (checked.ok) onPin(checked.pinned);
          else setProblem(checked.error);
        });
      }}
    >
      <fieldset>
        <legend>{t('auditor.trust.formLegend')}</legend>
        <label for="pin-log">{t('auditor.trust.fieldLog')}</label>
        <input id="pin-log" type="text" required {...field('log')} />
        <label for="pin-mldsa">{t('auditor.trust.fieldMlDsa')}</label>
        <textarea id="pin-mldsa" rows={2} {...field('logMlDsa44')} />
        <label for="pin-witnesses">{t('auditor.trust.fieldWitnesses')}</label>
        <textarea id="pin-witnesses" rows={3} {...field('witnesses')} />
        <label for="pin-quorum">{t('auditor.trust.fieldQuorum')}</label>
        <input id="pin-quorum" type="number" min={0} step={1} {...field('quorum')} />
        <p class="hint">{t('auditor.trust.quorumHint')}</p>
        <label for="pin-tsa">{t('auditor.trust.fieldTsa')}</label>
        <textarea id="pin-tsa" rows={4} {...field('tsaCertificates')} />
        {problem ? <PinProblem problem={problem} /> : null}
        <button type="submit" disabled={checking}>
          {t('auditor.trust.submit')}
        </button>{' '}
        <button type="button" onClick={onCancel}>
          {t('auditor.trust.cancel')}
        </button>
      </fieldset>
    </form>
  );
}

/** Why keys were not pinned, in the page's language (a key that is no vkey of its kind worded from why it is not). */
function PinProblem({ problem }: { problem: PinError }) {
  const { t, lang } = useI18n();
  const reason = pinReason(lang, problem);
  return (
    <p class="bad" role="alert" data-testid="pin-error">
      {problem.field === 'quorum'
        ? t('auditor.trust.errorQuorum', { max: problem.max })
        : problem.field === 'witnesses'
          ? t('auditor.trust.error.witnesses', { name: problem.witness, reason })
          : t(`auditor.trust.error.${problem.field}`, { reason })}
    </p>
  );
}

/** Why keys were not pinned in `lang`: a key's problem, or why the TSA CA certificates do not check, worded from its fault. */
function pinReason(lang: Lang, problem: PinError): string {
  if (problem.field === 'tsaCertificates') return timestampText(lang, problem.fault, problem.reason);
  return 'vkey' in problem && problem.vkey !== null ? VKEY_WORDING[lang](problem.vkey) : problem.reason;
}

/** A checkpoint's time-stamps as the monitor checked them. */
function StampsOf({ check }: { check: StampCheck }) {
  const { t, lang } = useI18n();
  if (check.state === 'none') return <>{t('auditor.monitor.noTsa')}</>;
  if (check.state === 'failed') return <span class="bad">{stampFailureText(lang, check)}</span>;
  if (check.state === 'unchecked')
    return (
      <>
        {check.times.map((time) => (
          <div key={time}>
            <Times at={time * 1000} />
          </div>
        ))}
        <span class="hint">{t(check.why === 'unpinned' ? 'auditor.monitor.tsaUnpinned' : 'auditor.monitor.tsaUnchecked')}</span>
      </>
    );
  return (
    <>
      {check.stamps.map((stamp) => (
        <div key={`${stamp.authority} ${stamp.time}`}>
          {stamp.authority} · <Times at={stamp.time * 1000} />
        </div>
      ))}
      <span class="hint">{t('auditor.monitor.tsaVerified')}</span>
    </>
  );
}
