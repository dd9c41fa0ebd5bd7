import { useState } from 'preact/hooks';
import { api } from '../../api.js';
import { ProblemMessage } from '../../components/problem.js';
import { useI18n } from '../../i18n/i18n.js';
import { outcomeLabel, remedyLabel, rulingLabel } from './queue.js';
import { appealChoices, remediesFor, type Dispute, type Outcome, type Remedy, type Ruling } from './rules.js';

/** What every dispute form is given: the dispute, and what to do once it is written or refused. */
export interface FormProps {
  dispute: Dispute;
  onDone: (d: Dispute) => void;
  onRefused?: (err: unknown) => void;
}

/** A write to the dispute: shows the ledger's problem on a refusal (and tells `onRefused`), reports the dispute as it now stands on success. */
export function useWrite(disputeId: string, action: string, onDone: (d: Dispute) => void, onRefused?: (err: unknown) => void) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const send = async (body: unknown) => {
    setBusy(true);
    setError(null);
    try {
      onDone(await api<Dispute>(`/v1/disputes/${disputeId}/${action}`, { method: 'POST', body }));
    } catch (err) {
      setError(err);
      onRefused?.(err);
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, send };
}

/** A reviewer takes the dispute (empty field); an admin may name any reviewer. */
export function AssignForm({ dispute, onDone, onRefused }: FormProps) {
  const { t } = useI18n();
  const [reviewerId, setReviewerId] = useState('');
  const { busy, error, send } = useWrite(dispute.disputeId, 'assign', onDone, onRefused);
  return (
    <form
      class="action-form"
      onSubmit={(e) => {
        e.preventDefault();
        void send(reviewerId.trim() ? { reviewerId: reviewerId.trim() } : {});
      }}
    >
      <fieldset disabled={busy}>
        <legend>{t('reviewer.assign.legend')}</legend>
        <label for="assign-reviewer">{t('reviewer.assign.reviewer')}</label>
        <input
          id="assign-reviewer"
          type="text"
          spellcheck={false}
          value={reviewerId}
          onInput={(e) => setReviewerId(e.currentTarget.value)}
        />
        <p class="hint">{t('reviewer.assign.hint')}</p>
        <button type="submit">{t('reviewer.assign.submit')}</button>
        <ProblemMessage error={error} />
      </fieldset>
    </form>
  );
}

/** A choice of remedy that starts on none: the reviewer names one (the browser asks for it before the form is sent). */
function RemedySelect({
  id,
  remedies,
  value,
  onChange,
}: {
  id: string;
  remedies: readonly Remedy[];
  value: Remedy | null;
  onChange: (r: Remedy) => void;
}) {
  const { t } = useI18n();
  return (
    <>
      <label for={id}>{t('reviewer.decide.remedy')}</label>
      <select id={id} required value={value ?? ''} onChange={(e) => onChange(e.currentTarget.value as Remedy)}>
        <option value="" disabled>
          {t('reviewer.decide.chooseRemedy')}
        </option>
        {remedies.map((r) => (
          <option value={r} key={r}>
            {remedyLabel(t, r)}
          </option>
        ))}
      </select>
    </>
  );
}

/**
 * Upheld with one of the remedies the dispute's type allows, or rejected without one; with reasoning. Nothing is chosen
 * beforehand: a decision is final once its appeal window closes, and a form sent in haste must not uphold a complaint.
 */
export function DecideForm({ dispute, onDone, onRefused }: FormProps) {
  const { t } = useI18n();
  const remedies = remediesFor(dispute.type);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const [remedy, setRemedy] = useState<Remedy | null>(null);
  const [reasoning, setReasoning] = useState('');
  const { busy, error, send } = useWrite(dispute.disputeId, 'decision', onDone, onRefused);
  return (
    <form
      class="action-form"
      onSubmit={(e) => {
        e.preventDefault();
        if (outcome === 'rejected') void send({ outcome, reasoning });
        else if (outcome === 'upheld' && remedy) void send({ outcome, remedy, reasoning });
      }}
    >
      <fieldset disabled={busy}>
        <legend>{t('reviewer.decide.legend')}</legend>
        <fieldset class="choices">
          <legend>{t('reviewer.decide.outcome')}</legend>
          {(['upheld', 'rejected'] as const).map((o) => (
            <label class="choice" key={o}>
              <input type="radio" name="outcome" value={o} required checked={outcome === o} onChange={() => setOutcome(o)} />{' '}
              {outcomeLabel(t, o)}
            </label>
          ))}
        </fieldset>
        {outcome === 'upheld' ? (
          <>
            <RemedySelect id="decide-remedy" remedies={remedies} value={remedy} onChange={setRemedy} />
            {!remedies.includes('transfer') ? <p class="hint">{t('reviewer.decide.noTransfer')}</p> : null}
          </>
        ) : null}
        <label for="decide-reasoning">{t('reviewer.reasoning')}</label>
        <textarea id="decide-reasoning" rows={4} required value={reasoning} onInput={(e) => setReasoning(e.currentTarget.value)} />
        <div>
          <button type="submit">{t('reviewer.decide.submit')}</button>
        </div>
        <ProblemMessage error={error} />
      </fieldset>
    </form>
  );
}

/**
 * Affirm, reverse or vary the first decision, each with only the remedies the rules allow for it; nothing chosen
 * beforehand, as in DecideForm (the appeal decision makes the dispute final).
 */
export function AppealDecisionForm({ dispute, onDone, onRefused }: FormProps) {
  const { t } = useI18n();
  const first = dispute.decision ?? { outcome: dispute.outcome ?? 'rejected', remedy: dispute.remedy };
  const choices = appealChoices(dispute.type, first);
  const [ruling, setRuling] = useState<Ruling | null>(null);
  const remedies = choices.find((c) => c.ruling === ruling)?.remedies ?? [];
  const [remedy, setRemedy] = useState<Remedy | null>(null);
  // A remedy chosen under another ruling that this one does not offer is no choice.
  const chosen = remedy !== null && remedies.includes(remedy) ? remedy : null;
  const [reasoning, setReasoning] = useState('');
  const { busy, error, send } = useWrite(dispute.disputeId, 'appeal-decision', onDone, onRefused);
  return (
    <form
      class="action-form"
      onSubmit={(e) => {
        e.preventDefault();
        if (ruling === null || (remedies.length > 0 && chosen === null)) return;
        void send(chosen ? { ruling, remedy: chosen, reasoning } : { ruling, reasoning });
      }}
    >
      <fieldset disabled={busy}>
        <legend>{t('reviewer.appeal.legend')}</legend>
        <p class="hint">
          {t('reviewer.appeal.first', {
            outcome: outcomeLabel(t, first.outcome),
            remedy: first.remedy ? remedyLabel(t, first.remedy) : t('reviewer.none'),
          })}
        </p>
        <p class="hint">{t('reviewer.appeal.final')}</p>
        <fieldset class="choices">
          <legend>{t('reviewer.appeal.ruling')}</legend>
          {choices.map((c) => (
            <label class="choice" key={c.ruling}>
              <input
                type="radio"
                name="ruling"
                value={c.ruling}
                required
                checked={ruling === c.ruling}
                onChange={() => setRuling(c.ruling)}
              />{' '}
              {rulingLabel(t, c.ruling)}
            </label>
          ))}
        </fieldset>
        {remedies.length > 0 ? <RemedySelect id="appeal-remedy" remedies={remedies} value={chosen} onChange={setRemedy} /> : null}
        <label for="appeal-reasoning">{t('reviewer.reasoning')}</label>
        <textarea id="appeal-reasoning" rows={4} required value={reasoning} onInput={(e) => setReasoning(e.currentTarget.value)} />
        <div>
          <button type="submit">{t('reviewer.appeal.submit')}</button>
        </div>
        <ProblemMessage error={error} />
      </fieldset>
    </form>
  );
}
