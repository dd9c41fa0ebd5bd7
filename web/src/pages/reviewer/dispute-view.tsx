import { useEffect, useState } from 'preact/hooks';
import { api } from '../../api.js';
import { ProblemMessage } from '../../components/problem.js';
import { Times } from '../../components/times.js';
import { useI18n } from '../../i18n/i18n.js';
import { AppealDecisionForm, AssignForm, DecideForm } from './forms.js';
import { AppealForm, RespondForm, WithdrawComplaintForm } from './party-forms.js';
import { awaitingLabel, outcomeLabel, remedyLabel, rulingDone, statusLabel, typeLabel } from './queue.js';
import { partyActions, type Dispute, type EvidenceItem, type Party } from './rules.js';

const nameOf = (p: Party | null) => (p === null ? '—' : (p.name ?? p.id));

/**
 * One dispute: parties by name, claim, evidence with what its inspection found, deadlines, timeline, and the forms its
 * state allows to the key: a reviewer's (assign, decide, decide the appeal) and a party's (answer, appeal, withdraw).
 */
export function DisputeView({ disputeId, onChanged }: { disputeId: string; onChanged: () => void }) {
  const { t } = useI18n();
  const [dispute, setDispute] = useState<Dispute | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const [me, setMe] = useState<{ principalId: string; name: string; roles: string[] } | null>(null);
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
    void load();
    api<{ principalId: string; name: string; roles: string[] }>('/v1/me').then(setMe, () => setMe(null));
  }, [disputeId]);
  const written = (what: string) => () => {
    setSaved(what);
    onChanged();
    void load();
  };
  if (error && !dispute) return <ProblemMessage error={error} />;
  if (!dispute) return <p>{t('reviewer.loading')}</p>;
  const d = dispute;
  // Names of everyone the dispute involves, for the timeline's actors.
  const names = new Map<string, string>();
  if (me) names.set(me.principalId, t('reviewer.you', { name: me.name }));
  for (const p of [d.parties.complainant, d.parties.respondent, d.parties.assignee]) if (p?.name) names.set(p.id, p.name);
  const actor = (id: string | null) => (id === null ? '—' : (names.get(id) ?? id));
  const reviewer = me?.roles.includes('reviewer') ?? false;
  const canAssign =
    (reviewer || (me?.roles.includes('admin') ?? false)) && (d.status === 'opened' || (d.status === 'assigned' && d.decision === null));
  const canDecide = reviewer && d.status === 'assigned' && d.decision === null;
  const canDecideAppeal = reviewer && d.status === 'appealed';
  const party = me ? partyActions(d, me.principalId, new Date()) : { respond: false, appeal: false, withdraw: false };
  return (
    <article class="rv-dispute" aria-labelledby="dispute-heading" data-testid="dispute">
      <h2 id="dispute-heading">{t('reviewer.dispute.title', { type: typeLabel(t, d.type) })}</h2>
      {saved ? (
        <p class="ok" role="status" data-testid="saved">
          {saved}
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
        <dd data-testid="complainant">{nameOf(d.parties.complainant)}</dd>
        <dt>{t('reviewer.dispute.respondent')}</dt>
        <dd data-testid="respondent">{nameOf(d.parties.respondent)}</dd>
        <dt>{t('reviewer.dispute.assignee')}</dt>
        <dd data-testid="assignee">{nameOf(d.parties.assignee)}</dd>
        <dt>{t('reviewer.dispute.filing')}</dt>
        <dd class="mono">{d.filingId}</dd>
        {d.basisFilingId ? (
          <>
            <dt>{t('reviewer.dispute.basis')}</dt>
            <dd class="mono">{d.basisFilingId}</dd>
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

      <h3>{t('reviewer.deadlines')}</h3>
      <dl class="facts">
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

      <h3>{t('reviewer.response')}</h3>
      {d.response ? (
        <div>
          <p class="hint">
            {nameOf(d.parties.respondent)} · <Times at={d.response.respondedAt} />
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
      ) : (
        <p>{t('reviewer.response.none')}</p>
      )}

      {d.decision ? (
        <>
          <h3>{t('reviewer.decision')}</h3>
          <p>
            {outcomeLabel(t, d.decision.outcome)}
            {d.decision.remedy ? ` · ${remedyLabel(t, d.decision.remedy)}` : ''} — {actor(d.decision.decidedBy)},{' '}
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
                {actor(a.appellant)} (<Times at={a.appealedAt} />
                ): {a.grounds}
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
            {d.appealDecision.remedy ? ` · ${remedyLabel(t, d.appealDecision.remedy)}` : ''} — {actor(d.appealDecision.decidedBy)},{' '}
            <Times at={d.appealDecision.decidedAt} />
          </p>
          <blockquote class="rv-statement">{d.appealDecision.reasoning}</blockquote>
        </>
      ) : null}

      <h3>{t('reviewer.timeline')}</h3>
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
              <td>{e.leafIndex}</td>
              <td>{e.type}</td>
              <td>
                <Times at={e.at} />
              </td>
              <td>{actor(e.actor)}</td>
              <td>
                <code title={e.hash}>{e.hash.slice(0, 16)}…</code>
              </td>
            </tr>
          ))}
        </tbody>
      </table>

      {canAssign ? <AssignForm dispute={d} onDone={written(t('reviewer.saved.assigned'))} /> : null}
      {canDecide ? <DecideForm dispute={d} onDone={written(t('reviewer.saved.decided'))} /> : null}
      {canDecideAppeal ? <AppealDecisionForm dispute={d} onDone={written(t('reviewer.saved.appealDecided'))} /> : null}
      {party.respond ? <RespondForm dispute={d} onDone={written(t('reviewer.saved.responded'))} /> : null}
      {party.appeal ? <AppealForm dispute={d} onDone={written(t('reviewer.saved.appealed'))} /> : null}
      {party.withdraw ? <WithdrawComplaintForm dispute={d} onDone={written(t('reviewer.saved.withdrawn'))} /> : null}
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
          <dd>{i.signals.length === 0 ? t('reviewer.inspection.noSignal') : i.signals.map((s) => s.signal).join('; ')}</dd>
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
