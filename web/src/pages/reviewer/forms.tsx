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

/** Upheld with one of the remedies the dispute's type allows, or rejected without one; with reasoning. */
export function DecideForm({ dispute, onDone, onRefused }: FormProps) {
  const { t } = useI18n();
  const remedies = remediesFor(dispute.type);
  const [outcome, setOutcome] = useState<Outcome>('upheld');
  const [remedy, setRemedy] = useState<Remedy>(remedies[0]);
  const [reasoning, setReasoning] = useState('');
  const { busy, error, send } = useWrite(dispute.disputeId, 'decision', onDone, onRefused);
  return (
    <form
      class="action-form"
      onSubmit={(e) => {
        e.preventDefault();
        void send(outcome === 'upheld' ? { outcome, remedy, reasoning } : { outcome, reasoning });
      }}
    >
      <fieldset disabled={busy}>
        <legend>{t('reviewer.decide.legend')}</legend>
        <fieldset class="choices">
          <legend>{t('reviewer.decide.outcome')}</legend>
          {(['upheld', 'rejected'] as const).map((o) => (
            <label class="choice" key={o}>
              <input type="radio" name="outcome" value={o} checked={outcome === o} onChange={() => setOutcome(o)} /> {outcomeLabel(t, o)}
            </label>
          ))}
        </fieldset>
        {outcome === 'upheld' ? (
          <>
            <label for="decide-remedy">{t('reviewer.decide.remedy')}</label>
            <select id="decide-remedy" value={remedy} onChange={(e) => setRemedy(e.currentTarget.value as Remedy)}>
              {remedies.map((r) => (
                <option value={r} key={r}>
                  {remedyLabel(t, r)}
                </option>
              ))}
            </select>
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

/** Affirm, reverse or vary the first decision, each with only the remedies the rules allow for it. */
export function AppealDecisionForm({ dispute, onDone, onRefused }: FormProps) {
  const { t } = useI18n();
  const first = dispute.decision ?? { outcome: dispute.outcome ?? 'rejected', remedy: dispute.remedy };
  const choices = appealChoices(dispute.type, first);
  const [ruling, setRuling] = useState<Ruling>('affirm');
  const remedies = choices.find((c) => c.ruling === ruling)?.remedies ?? [];
  const [remedy, setRemedy] = useState<Remedy | ''>('');
  const chosen = remedies.includes(remedy as Remedy) ? (remedy as Remedy) : (remedies[0] ?? null);
  const [reasoning, setReasoning] = useState('');
  const { busy, error, send } = useWrite(dispute.disputeId, 'appeal-decision', onDone, onRefused);
  return (
    <form
      class="action-form"
      onSubmit={(e) => {
        e.preventDefault();
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
              <input type="radio" name="ruling" value={c.ruling} checked={ruling === c.ruling} onChange={() => setRuling(c.ruling)} />{' '}
              {rulingLabel(t, c.ruling)}
            </label>
          ))}
        </fieldset>
        {remedies.length > 0 ? (
          <>
            <label for="appeal-remedy">{t('reviewer.decide.remedy')}</label>
            <select id="appeal-remedy" value={chosen ?? ''} onChange={(e) => setRemedy(e.currentTarget.value as Remedy)}>
              {remedies.map((r) => (
                <option value={r} key={r}>
                  {remedyLabel(t, r)}
                </option>
              ))}
            </select>
          </>
        ) : null}
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
