import { useEffect, useRef, useState } from 'preact/hooks';
import { api, apiText } from '../../api.js';
import { ProblemMessage } from '../../components/problem.js';
import { Times } from '../../components/times.js';
import { useI18n } from '../../i18n/i18n.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { checkNext, type LogKeys, type Observed } from './monitor.js';

const POLL_MS = 15_000;
type Stamped = Observed & { tsaTimes: number[]; seenAt: number };
type HistoryItem = { treeSize: number; timestamps?: Array<{ time?: number }> };

/**
 * Polls the log's checkpoint; each new one is verified in this browser (signatures, witnesses, consistency with the
 * last one accepted) and listed; a failure raises an alarm that stays until the page is reloaded.
 */
export function CheckpointMonitor() {
  const { t } = useI18n();
  const [keys, setKeys] = useState<LogKeys | null>(null);
  const [seen, setSeen] = useState<Stamped[]>([]);
  const [alarm, setAlarm] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [lastPoll, setLastPoll] = useState<number | null>(null);
  const latest = useRef<Stamped | null>(null);
  const busy = useRef(false);

  const poll = async (k: LogKeys) => {
    if (busy.current) return;
    busy.current = true;
    try {
      const note = await apiText('/v1/ledger/checkpoint', { auth: false });
      setError(null);
      setLastPoll(Date.now());
      if (latest.current && note === latest.current.note) return;
      const checked = await checkNext(note, k, latest.current, async (from, to) => {
        const proof = await api<{ hashes: string[] }>(`/v1/ledger/proof/consistency?from=${from}&to=${to}`, { auth: false });
        return proof.hashes;
      });
      if (!checked.ok) {
        setAlarm(checked.reason);
        return;
      }
      const size = checked.observed.checkpoint.treeSize;
      // TSA times are listed with the checkpoint in the history; their tokens are not checked in the browser.
      const history = await api<{ items: HistoryItem[] }>('/v1/ledger/checkpoints?limit=5', { auth: false }).catch(() => ({ items: [] }));
      const tsaTimes = (history.items.find((i) => i.treeSize === size)?.timestamps ?? [])
        .map((s) => s.time)
        .filter((x): x is number => typeof x === 'number');
      const stamped: Stamped = { ...checked.observed, tsaTimes, seenAt: Date.now() };
      latest.current = stamped;
      setSeen((list) => [stamped, ...list].slice(0, 20));
    } catch (err) {
      setError(err);
    } finally {
      busy.current = false;
    }
  };

  useEffect(() => {
    let timer: ReturnType<typeof setInterval> | undefined;
    let live = true;
    api<LogKeys>('/v1/ledger/keys', { auth: false }).then(
      (k) => {
        if (!live) return;
        setKeys(k);
        void poll(k);
        timer = setInterval(() => void poll(k), POLL_MS);
      },
      (e: unknown) => live && setError(e),
    );
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, []);

  return (
    <section aria-labelledby="monitor-heading">
      <h2 id="monitor-heading">{t('auditor.monitor.title')}</h2>
      <p class="hint">{t('auditor.monitor.hint', { seconds: POLL_MS / 1000 })}</p>
      {alarm ? (
        <div class="monitor-alarm" role="alert" data-testid="monitor-alarm">
          <strong>{t('auditor.monitor.alarm')}</strong>
          <p>{alarm}</p>
        </div>
      ) : null}
      <ProblemMessage error={error} />
      <p>
        <button type="button" disabled={!keys} onClick={() => keys && void poll(keys)}>
          {t('auditor.monitor.now')}
        </button>{' '}
        {lastPoll ? (
          <span class="hint">
            {t('auditor.monitor.lastPoll')} <Times at={lastPoll} />
          </span>
        ) : null}
      </p>
      {keys ? (
        <p class="hint">
          {keys.witnesses.length === 0
            ? t('auditor.monitor.keysNoWitness')
            : t('auditor.monitor.keys', { witnesses: keys.witnesses.length, quorum: keys.witnessQuorum })}
        </p>
      ) : null}
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
                <dd>
                  {s.tsaTimes.length === 0 ? (
                    t('auditor.monitor.noTsa')
                  ) : (
                    <>
                      {s.tsaTimes.map((time) => (
                        <div key={time}>
                          <Times at={time * 1000} />
                        </div>
                      ))}
                      <span class="hint">{t('auditor.monitor.tsaUnchecked')}</span>
                    </>
                  )}
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
