// What the parties to a dispute write: the respondent's answer, either party's appeal, the complainant's withdrawal. Each
// is offered only while the decider would accept it (rules.ts, partyActions); a refusal shows the ledger's problem.
import { useState } from 'preact/hooks';
import { sha256OfFile } from '../../hash-file.js';
import { ProblemMessage } from '../../components/problem.js';
import { FileChooser } from '../../components/file-chooser.js';
import { useI18n } from '../../i18n/i18n.js';
import { useWrite, type FormProps } from './forms.js';

interface EvidenceRow {
  key: number;
  sha256: string;
  description: string;
  /** The file being hashed: a result for any other (one chosen before it in the same row) is dropped. */
  hashing: File | null;
  /** The chosen file could not be read (the browser's reason is English only: the page says it in its own words). */
  unreadable: boolean;
}

/** The respondent's answer: a statement and, optionally, evidence recorded by its SHA-256 (hashed here; the file stays on this machine). */
export function RespondForm({ dispute, onDone, onRefused }: FormProps) {
  const { t } = useI18n();
  const [statement, setStatement] = useState('');
  const [rows, setRows] = useState<EvidenceRow[]>([]);
  const [nextKey, setNextKey] = useState(0);
  const { busy, error, send } = useWrite(dispute.disputeId, 'response', onDone, onRefused);
  const update = (key: number, change: Partial<EvidenceRow>) => setRows((all) => all.map((r) => (r.key === key ? { ...r, ...change } : r)));
  const hash = async (key: number, file: File | undefined) => {
    if (!file) return;
    update(key, { hashing: file, unreadable: false });
    let done: Partial<EvidenceRow>;
    try {
      done = { sha256: await sha256OfFile(file) };
    } catch {
      done = { sha256: '', unreadable: true };
    }
    // The file's name describes it until the party writes a description of their own.
    setRows((all) =>
      all.map((r) => (r.key === key && r.hashing === file ? { ...r, ...done, hashing: null, description: r.description || file.name } : r)),
    );
  };
  const hashing = rows.some((r) => r.hashing !== null);
  return (
    <form
      class="action-form"
      data-testid="respond-form"
      onSubmit={(e) => {
        e.preventDefault();
        const evidence = rows.map((r) => ({ sha256: r.sha256.trim().toLowerCase(), description: r.description }));
        void send(evidence.length > 0 ? { statement, evidence } : { statement });
      }}
    >
      <fieldset disabled={busy}>
        <legend>{t('party.respond.legend')}</legend>
        <p class="hint">{t('party.respond.hint')}</p>
        <label for="respond-statement">{t('party.respond.statement')}</label>
        <textarea id="respond-statement" rows={4} required value={statement} onInput={(e) => setStatement(e.currentTarget.value)} />
        <fieldset class="choices">
          <legend>{t('party.respond.evidence')}</legend>
          <p class="hint">{t('party.respond.evidenceHint')}</p>
          {rows.map((r, i) => (
            <div class="rv-evidence-row" key={r.key} data-testid="respond-evidence">
              <label for={`respond-file-${r.key}`}>{t('party.respond.file', { n: i + 1 })}</label>
              <FileChooser id={`respond-file-${r.key}`} onFile={(file) => void hash(r.key, file ?? undefined)} />
              {r.unreadable ? (
                <p class="bad" role="alert">
                  {t('party.respond.unreadable')}
                </p>
              ) : null}
              <label for={`respond-sha-${r.key}`}>{t('party.respond.sha256', { n: i + 1 })}</label>
              <input
                id={`respond-sha-${r.key}`}
                class="mono"
                type="text"
                required
                spellcheck={false}
                pattern="[0-9a-fA-F]{64}"
                value={r.hashing !== null ? '' : r.sha256}
                placeholder={r.hashing !== null ? t('party.respond.hashing') : ''}
                onInput={(e) => update(r.key, { sha256: e.currentTarget.value })}
              />
              <label for={`respond-description-${r.key}`}>{t('party.respond.description', { n: i + 1 })}</label>
              <input
                id={`respond-description-${r.key}`}
                type="text"
                required
                maxLength={1000}
                value={r.description}
                onInput={(e) => update(r.key, { description: e.currentTarget.value })}
              />
              <button type="button" onClick={() => setRows((all) => all.filter((x) => x.key !== r.key))}>
                {t('party.respond.remove', { n: i + 1 })}
              </button>
            </div>
          ))}
          <button
            type="button"
            onClick={() => {
              setRows((all) => [...all, { key: nextKey, sha256: '', description: '', hashing: null, unreadable: false }]);
              setNextKey((k) => k + 1);
            }}
          >
            {t('party.respond.addEvidence')}
          </button>
        </fieldset>
        <div>
          <button type="submit" disabled={hashing}>
            {t('party.respond.submit')}
          </button>
        </div>
        <ProblemMessage error={error} />
      </fieldset>
    </form>
  );
}

/** A party's appeal of a decision against it (`mayAppeal`), with its grounds; each party appeals once. */
export function AppealForm({ dispute, onDone, onRefused }: FormProps) {
  const { t } = useI18n();
  const [grounds, setGrounds] = useState('');
  const { busy, error, send } = useWrite(dispute.disputeId, 'appeal', onDone, onRefused);
  return (
    <form
      class="action-form"
      data-testid="appeal-form"
      onSubmit={(e) => {
        e.preventDefault();
        void send({ grounds });
      }}
    >
      <fieldset disabled={busy}>
        <legend>{t('party.appeal.legend')}</legend>
        <p class="hint">{t('party.appeal.hint')}</p>
        <label for="appeal-grounds">{t('party.appeal.grounds')}</label>
        <textarea id="appeal-grounds" rows={4} required value={grounds} onInput={(e) => setGrounds(e.currentTarget.value)} />
        <div>
          <button type="submit">{t('party.appeal.submit')}</button>
        </div>
        <ProblemMessage error={error} />
      </fieldset>
    </form>
  );
}

/** The complainant withdraws the complaint, with an optional reason; asked once more before it is sent. */
export function WithdrawComplaintForm({ dispute, onDone, onRefused }: FormProps) {
  const { t } = useI18n();
  const [reason, setReason] = useState('');
  const [sure, setSure] = useState(false);
  const { busy, error, send } = useWrite(dispute.disputeId, 'withdraw', onDone, onRefused);
  return (
    <form
      class="action-form"
      data-testid="withdraw-form"
      onSubmit={(e) => {
        e.preventDefault();
        void send(reason.trim() ? { reason: reason.trim() } : {});
      }}
    >
      <fieldset disabled={busy}>
        <legend>{t('party.withdraw.legend')}</legend>
        <p class="hint">{t('party.withdraw.hint')}</p>
        <label for="withdraw-reason">{t('party.withdraw.reason')}</label>
        <input id="withdraw-reason" type="text" maxLength={1000} value={reason} onInput={(e) => setReason(e.currentTarget.value)} />
        <div>
          <label class="choice">
            <input type="checkbox" checked={sure} onChange={(e) => setSure(e.currentTarget.checked)} /> {t('party.withdraw.confirm')}
          </label>
        </div>
        <div>
          <button type="submit" disabled={!sure}>
            {t('party.withdraw.submit')}
          </button>
        </div>
        <ProblemMessage error={error} />
      </fieldset>
    </form>
  );
}
