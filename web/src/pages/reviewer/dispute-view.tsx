import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ApiError, serverNow } from '../../api.js';
import { ProblemMessage } from '../../components/problem.js';
import { Times } from '../../components/times.js';
import type { MessageKey } from '../../i18n/en.js';
import { useI18n } from '../../i18n/i18n.js';
import { AppealDecisionForm, AssignForm, DecideForm } from './forms.js';
import { AppealForm, RespondForm, WithdrawComplaintForm } from './party-forms.js';
import { awaitingLabel, eventLabel, outcomeLabel, remedyLabel, rulingDone, statusLabel, typeLabel } from './queue.js';
import { Link } from '../../router.js';
import {
  answerState,
  CLOSED_STATUSES,
  partyActions,
  reviewerActions,
  type Dispute,
  type EvidenceItem,
  type InspectionSignal,
  type Party,
} from './rules.js';

const nameOf = (p: Party | null) => (p === null ? '—' : (p.name ?? p.id));

/**
 * A filing named by its title, read from its public certificate (whoever holds a filing's id may read it there), with
 * its id and a link to the certificate; the id alone while the title loads or when it cannot be read.
 */
function FilingRef({ filingId, testId }: { filingId: string; testId: string }) {
  const { t } = useI18n();
  const [title, setTitle] = useState<string | null>(null);
  useEffect(() => {
    const abort = new AbortController();
    setTitle(null);
    api<{ title: string }>(`/v1/public/filings/${encodeURIComponent(filingId)}`, { auth: false, signal: abort.signal }).then(
      (f) => setTitle(f.title),
      () => undefined, // the id and the certificate's link still name it
    );
    return () => abort.abort();
  }, [filingId]);
  return (
    <>
      {title !== null ? <span data-testid={testId}>{title}</span> : null}
      {title !== null ? <br /> : null}
      <span class="mono">{filingId}</span> · <Link href={`/certificate/${filingId}`}>{t('reviewer.dispute.certificate')}</Link>
    </>
  );
}

/**
 * One dispute: parties by name, claim, evidence with what its inspection found, deadlines, timeline, and the forms its
 * state allows to the key: a reviewer's (assign, decide, decide the appeal) and a party's (answer, appeal, withdraw).
 */
export function DisputeView({ disputeId, onChanged }: { disputeId: string; onChanged: () => void }) {
  const { t } = useI18n();
  const [dispute, setDispute] = useState<Dispute | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState<MessageKey | null>(null);
  // A refusal for the dispute's state, kept here: the reload after it removes the form that showed it.
  const [stateRefusal, setStateRefusal] = useState<unknown>(null);
  const [me, setMe] = useState<{ principalId: string; name: string; roles: string[] } | null>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  const load = () =>
    api<Dispute>(`/v1/disputes/${disputeId}`).then(
      (d) => {
        setDispute(d);
        setError(null);
      },
      (e: unknown) => setError(e),
    );
  useEffect(() => {
    setDispute(null);
    setSaved(null);
    setStateRefusal(null);
    void load();
    api<{ principalId: string; name: string; roles: string[] }>('/v1/me').then(setMe, () => setMe(null));
  }, [disputeId]);
  // Drawn again when its next deadline passes, so a page left open stops offering what the ledger would now refuse.
  const [tick, setTick] = useState(0);
  useEffect(() => {
    if (!dispute) return;
    const now = serverNow().getTime();
    const next = Object.values(dispute.deadlines)
      .map((at) => (at === null ? NaN : Date.parse(at)))
      .filter((at) => at > now)
      .sort((a, b) => a - b)[0];
    if (next === undefined) return;
    const timer = setTimeout(() => setTick((n) => n + 1), Math.min(next - now + 1_000, 2 ** 31 - 1));
    return () => clearTimeout(timer);
  }, [dispute, tick]);
  // Opened from the list: shown and focused, so the click visibly does something and a screen reader reads its heading.
  const shown = dispute?.disputeId ?? null;
  useEffect(() => {
    if (shown === null) return;
    heading.current?.scrollIntoView({ block: 'start' });
    heading.current?.focus({ preventScroll: true });
  }, [shown]);
  const written = (what: MessageKey) => () => {
    setSaved(what);
    setStateRefusal(null);
    onChanged();
    void load();
  };
  // A refusal for the dispute's state (409: answered, appealed, withdrawn or decided elsewhere meanwhile, or a deadline
  // passed) shows the dispute as it is now, and the refusal above the forms that remain.
  const refused = (err: unknown) => {
    if (err instanceof ApiError && err.status === 409) {
      setSaved(null);
      setStateRefusal(err);
      onChanged();
      void load();
    }
  };
  if (error && !dispute) return <ProblemMessage error={error} />;
  if (!dispute) return <p>{t('reviewer.loading')}</p>;
  const d = dispute;
  // Names of everyone the dispute involves, for the timeline's actors.
  const names = new Map<string, string>();
  for (const p of [d.parties.complainant, d.parties.respondent, d.parties.assignee, ...(d.people ?? [])])
    if (p?.name) names.set(p.id, p.name);
  if (me) names.set(me.principalId, t('reviewer.you', { name: me.name })); // a party too is told which entries are their own
  const actor = (id: string | null) => (id === null ? '—' : (names.get(id) ?? id));
  const partyName = (p: Party | null) => (p === null ? '—' : actor(p.id));
  const now = serverNow();
  const review = me ? reviewerActions(d, me, now) : { assign: false, decide: false, decideAppeal: false, note: null };
  const party = me ? partyActions(d, me.principalId, now) : { respond: false, appeal: false, withdraw: false };
  const over = (CLOSED_STATUSES as readonly string[]).includes(d.status);
  const answer = answerState(d, now);
  return (
    <article class="rv-dispute" aria-labelledby="dispute-heading" data-testid="dispute">
      <h2 id="dispute-heading" tabIndex={-1} ref={heading}>
        {t('reviewer.dispute.title', { type: typeLabel(t, d.type) })}
      </h2>
      {saved ? (
        <p class="ok" role="status" data-testid="saved">
          {t(saved)}
        </p>
      ) : null}
      <dl class="facts">
        <dt>{t('reviewer.dispute.id')}</dt>
        <dd class="mono">{d.disputeId}</dd>
        <dt>{t('reviewer.dispute.status')}</dt>
        <dd data-testid="dispute-status">
          {statusLabel(t, d.status)}
          {d.awaiting ? ` · ${t('reviewer.awaiting', { what: awaitingLabel(t, d.awaiting) })}` : ''}
          {d.overdue ? <span class="rv-flag bad"> {t('reviewer.overdue')}</span> : null}
        </dd>
        <dt>{t('reviewer.dispute.complainant')}</dt>
        <dd data-testid="complainant">{partyName(d.parties.complainant)}</dd>
        <dt>{t('reviewer.dispute.respondent')}</dt>
        <dd data-testid="respondent">{partyName(d.parties.respondent)}</dd>
        <dt>{t('reviewer.dispute.assignee')}</dt>
        <dd data-testid="assignee">{partyName(d.parties.assignee)}</dd>
        <dt>{t('reviewer.dispute.filing')}</dt>
        <dd data-testid="dispute-filing">
          <FilingRef filingId={d.filingId} testId="filing-title" />
        </dd>
        {d.basisFilingId ? (
          <>
            <dt>{t('reviewer.dispute.basis')}</dt>
            <dd data-testid="dispute-basis">
              <FilingRef filingId={d.basisFilingId} testId="basis-title" />
            </dd>
          </>
        ) : null}
        <dt>{t('reviewer.dispute.opened')}</dt>
        <dd>
          <Times at={d.openedAt} />
        </dd>
        {d.outcome ? (
          <>
            <dt>{t('reviewer.dispute.outcome')}</dt>
            <dd data-testid="outcome">
              {outcomeLabel(t, d.outcome)}
              {d.remedy ? ` · ${remedyLabel(t, d.remedy)}` : ''}
            </dd>
          </>
        ) : null}
      </dl>

      {d.returned ? <Returned returned={d.returned} /> : null}
      {d.withdrawal ? (
        <section data-testid="withdrawal">
          <h3>{t('reviewer.withdrawal')}</h3>
          <p>
            {partyName(d.parties.complainant)} · <Times at={d.withdrawal.withdrawnAt} />
          </p>
          {d.withdrawal.reason ? <blockquote class="rv-statement">{d.withdrawal.reason}</blockquote> : null}
        </section>
      ) : null}

      {over ? null : (
        <>
          <h3>{t('reviewer.deadlines')}</h3>
          <dl class="facts" data-testid="deadlines">
            {(
              [
                ['responseDueAt', d.deadlines.responseDueAt],
                ['decisionDueAt', d.deadlines.decisionDueAt],
                ['appealUntil', d.deadlines.appealUntil],
                ['appealDecisionDueAt', d.deadlines.appealDecisionDueAt],
              ] as const
            ).map(([k, v]) =>
              v ? (
                <>
                  <dt>{t(`reviewer.deadline.${k}`)}</dt>
                  <dd>
                    <Times at={v} />
                  </dd>
                </>
              ) : null,
            )}
          </dl>
        </>
      )}

      <h3>{t('reviewer.claim')}</h3>
      <blockquote class="rv-statement">{d.claim}</blockquote>
      <h3>{t('reviewer.evidence')}</h3>
      {d.evidence.length === 0 ? (
        <p>{t('reviewer.evidence.none')}</p>
      ) : (
        <ul class="rv-evidence">
          {d.evidence.map((e) => (
            <Evidence item={e} key={e.sha256} />
          ))}
        </ul>
      )}

      {/* A dispute over without an answer (returned at once, withdrawn, final unanswered) awaits none: no section. */}
      {answer === 'none' ? null : <h3>{t('reviewer.response')}</h3>}
      {d.response ? (
        <div>
          <p class="hint">
            {partyName(d.parties.respondent)} · <Times at={d.response.respondedAt} />
          </p>
          <blockquote class="rv-statement">{d.response.statement}</blockquote>
          {d.response.evidence.length > 0 ? (
            <ul class="rv-evidence">
              {d.response.evidence.map((e) => (
                <li key={e.sha256}>
                  {e.description} — <code>{e.sha256}</code>
                </li>
              ))}
            </ul>
          ) : null}
        </div>
      ) : answer === 'awaited' ? (
        <p>{t('reviewer.response.none')}</p>
      ) : answer === 'missed' ? (
        <p>{t('reviewer.response.missed')}</p>
      ) : null}

      {d.decision ? (
        <>
          <h3>{t('reviewer.decision')}</h3>
          <p data-testid="decision">
            {outcomeLabel(t, d.decision.outcome)}
            {d.decision.remedy ? ` · ${remedyLabel(t, d.decision.remedy)}` : ''} — {actor(d.decision.decidedBy)}
            {t('list.comma')}
            <Times at={d.decision.decidedAt} />
          </p>
          <blockquote class="rv-statement">{d.decision.reasoning}</blockquote>
        </>
      ) : null}
      {d.appeals.length > 0 ? (
        <>
          <h3>{t('reviewer.appeals')}</h3>
          <ul>
            {d.appeals.map((a) => (
              <li key={a.appellant}>
                <p class="hint">
                  {actor(a.appellant)} · <Times at={a.appealedAt} />
                </p>
                <blockquote class="rv-statement">{a.grounds}</blockquote>
              </li>
            ))}
          </ul>
        </>
      ) : null}

      {d.appealDecision ? (
        <>
          <h3>{t('reviewer.appealDecision')}</h3>
          <p data-testid="appeal-decision">
            {rulingDone(t, d.appealDecision.ruling)} · {outcomeLabel(t, d.appealDecision.outcome)}
            {d.appealDecision.remedy ? ` · ${remedyLabel(t, d.appealDecision.remedy)}` : ''} — {actor(d.appealDecision.decidedBy)}
            {t('list.comma')}
            <Times at={d.appealDecision.decidedAt} />
          </p>
          <blockquote class="rv-statement">{d.appealDecision.reasoning}</blockquote>
        </>
      ) : null}

      <h3>{t('reviewer.timeline')}</h3>
      <div class="rv-scroll">
        <table class="rv-timeline" data-testid="timeline">
          <thead>
            <tr>
              <th scope="col">{t('reviewer.timeline.leaf')}</th>
              <th scope="col">{t('reviewer.timeline.event')}</th>
              <th scope="col">{t('reviewer.timeline.at')}</th>
              <th scope="col">{t('reviewer.timeline.actor')}</th>
              <th scope="col">{t('reviewer.timeline.hash')}</th>
            </tr>
          </thead>
          <tbody>
            {(d.timeline ?? []).map((e) => (
              <tr key={e.revision}>
                <td data-label={t('reviewer.timeline.leaf')}>{e.leafIndex}</td>
                <td data-label={t('reviewer.timeline.event')} title={e.type}>
                  {eventLabel(t, e.type)}
                </td>
                <td data-label={t('reviewer.timeline.at')}>
                  <Times at={e.at} />
                </td>
                <td data-label={t('reviewer.timeline.actor')}>
                  {/* Returned by the ledger's rule in the complaint's own commit, not by the complainant. */}
                  {e.type === 'ComplaintReturned' ? t('reviewer.timeline.byLedger') : actor(e.actor)}
                </td>
                <td data-label={t('reviewer.timeline.hash')}>
                  <code title={e.hash}>{e.hash.slice(0, 16)}…</code>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>

      {stateRefusal ? (
        <div data-testid="state-refusal">
          <ProblemMessage error={stateRefusal} />
        </div>
      ) : null}
      {review.note ? (
        <p class="hint" data-testid="reviewer-note">
          {t(`reviewer.note.${review.note}`, { name: nameOf(d.parties.assignee) })}
        </p>
      ) : null}
      {review.assign ? <AssignForm dispute={d} onDone={written('reviewer.saved.assigned')} onRefused={refused} /> : null}
      {review.decide ? <DecideForm dispute={d} onDone={written('reviewer.saved.decided')} onRefused={refused} /> : null}
      {review.decideAppeal ? <AppealDecisionForm dispute={d} onDone={written('reviewer.saved.appealDecided')} onRefused={refused} /> : null}
      {party.respond ? <RespondForm dispute={d} onDone={written('reviewer.saved.responded')} onRefused={refused} /> : null}
      {party.appeal ? <AppealForm dispute={d} onDone={written('reviewer.saved.appealed')} onRefused={refused} /> : null}
      {party.withdraw ? <WithdrawComplaintForm dispute={d} onDone={written('reviewer.saved.withdrawn')} onRefused={refused} /> : null}
    </article>
  );
}

function Evidence({ item }: { item: EvidenceItem }) {
  const { t } = useI18n();
  const i = item.inspection;
  return (
    <li>
      <p>
        {item.description}
        {item.declaredAiGenerated ? <span class="rv-flag bad"> {t('reviewer.evidence.declaredAi')}</span> : null}
      </p>
      <p class="hint">
        {t('file.hash')}: <code>{item.sha256}</code>
      </p>
      {i ? (
        <dl class="facts rv-inspection">
          <dt>{t('reviewer.inspection.file')}</dt>
          <dd>
            {i.filename} · {i.sniffedType ?? t('reviewer.inspection.unknownType')} · {t('reviewer.inspection.bytes', { n: i.size })}
            {i.image ? ` · ${i.image.width}×${i.image.height}` : ''}
          </dd>
          <dt>{t('reviewer.inspection.labels')}</dt>
          <dd>
            {i.provenance.labels.length === 0
              ? t('reviewer.none')
              : i.provenance.labels.map((l) => `${l.location}: ${l.label ?? '?'}`).join('; ')}
          </dd>
          <dt>{t('reviewer.inspection.sourceTypes')}</dt>
          <dd>
            {i.provenance.digitalSourceTypes.length === 0
              ? t('reviewer.none')
              : i.provenance.digitalSourceTypes.map((s) => s.value).join('; ')}
          </dd>
          <dt>{t('reviewer.inspection.c2pa')}</dt>
          <dd>{i.provenance.c2pa === null ? t('reviewer.none') : t('reviewer.inspection.c2paPresent')}</dd>
          <dt>{t('reviewer.inspection.signals')}</dt>
          <dd>{i.signals.length === 0 ? t('reviewer.inspection.noSignal') : signalsText(t, i.signals)}</dd>
          {i.provenance.unread.length > 0 ? (
            <>
              <dt>{t('reviewer.inspection.unread')}</dt>
              <dd>{i.provenance.unread.join('; ')}</dd>
            </>
          ) : null}
        </dl>
      ) : (
        <p class="hint">{t('reviewer.inspection.hashOnly')}</p>
      )}
    </li>
  );
}

type T = ReturnType<typeof useI18n>['t'];
const sourceType = (uri: unknown) => String(uri).split('/').pop() ?? String(uri);

/** What each AI signal found, in words, once each (a manifest may state the same source type in several assertions). */
export function signalsText(t: T, signals: InspectionSignal[]): string {
  const texts = signals.map((s) => {
    switch (s.signal) {
      case 'aigc-label':
        return t('reviewer.signal.aigcLabel', { label: String(s.label), location: String(s.location) });
      case 'c2pa-digital-source-type':
        return t('reviewer.signal.c2pa', { type: sourceType(s.digitalSourceType) });
      case 'iptc-digital-source-type':
        return t('reviewer.signal.iptc', { type: sourceType(s.digitalSourceType) });
      case 'near-duplicate-of-ai-filing':
        return t('reviewer.signal.nearAiFiling', { filingId: String(s.filingId) });
      default:
        return s.signal;
    }
  });
  return [...new Set(texts)].join('; ');
}

/** A complaint returned at once: why, and which evidence made it so. */
function Returned({ returned }: { returned: NonNullable<Dispute['returned']> }) {
  const { t } = useI18n();
  return (
    <section data-testid="returned">
      <h3>{t('reviewer.returned')}</h3>
      <p>
        {returned.reason === 'ai-generated-evidence' ? t('reviewer.returned.aiEvidence') : returned.reason} ·{' '}
        <Times at={returned.returnedAt} />
      </p>
      <ul>
        {returned.evidence.map((e) => (
          <li key={e.sha256}>
            <code>{e.sha256.slice(0, 16)}…</code>:{' '}
            {[
              ...(e.declaredAiGenerated ? [t('reviewer.evidence.declaredAi')] : []),
              ...(e.aiFilingId ? [t('reviewer.returned.aiFiling', { filingId: e.aiFilingId })] : []),
              ...(e.signals && e.signals.length > 0 ? [signalsText(t, e.signals)] : []),
            ].join('; ')}
          </li>
        ))}
      </ul>
    </section>
  );
}
