// A creator files a complaint about someone else's filing: its type, the filing, the claim, optionally the complainant's
// own earlier filing it rests on, and evidence files uploaded with it for the ledger to hash and inspect (multipart:
// `metadata` first, then each file as a part `evidence` that an evidence item names). The ledger decides the rest.
import { useState } from 'preact/hooks';
import { api } from '../../api.js';
import { ProblemMessage } from '../../components/problem.js';
import { DISPUTE_TYPES } from '../../domain-rules.js';
import { useI18n } from '../../i18n/i18n.js';
import { typeLabel } from './queue.js';
import { FileChooser } from '../../components/file-chooser.js';
import { evidenceNames } from './rules.js';

interface EvidenceRow {
  key: number;
  file: File | null;
  description: string;
  declaredAiGenerated: boolean;
}

const UUID = '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}';

/** The filing named by the page's `?filing=` (a link from a certificate or a filing), to complain about it. */
const filingFromUrl = () => new URLSearchParams(location.search).get('filing') ?? '';

export function ComplaintForm({ onFiled }: { onFiled: (dispute: { disputeId: string; status: string }) => void }) {
  const { t } = useI18n();
  const [type, setType] = useState<string>(DISPUTE_TYPES[0]);
  const [filingId, setFilingId] = useState(filingFromUrl);
  const [basisFilingId, setBasisFilingId] = useState('');
  const [claim, setClaim] = useState('');
  const [rows, setRows] = useState<EvidenceRow[]>([]);
  const [nextKey, setNextKey] = useState(0);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const update = (key: number, change: Partial<EvidenceRow>) => setRows((all) => all.map((r) => (r.key === key ? { ...r, ...change } : r)));

  const submit = async () => {
    const complaint: Record<string, unknown> = { type, filingId: filingId.trim(), claim };
    if (basisFilingId.trim()) complaint.basisFilingId = basisFilingId.trim();
    const files = rows.filter((r): r is EvidenceRow & { file: File } => r.file !== null);
    const names = evidenceNames(files.map((r) => r.file.name));
    if (files.length > 0)
      complaint.evidence = files.map((r, i) => ({
        file: names[i],
        description: r.description,
        declaredAiGenerated: r.declaredAiGenerated,
      }));
    let body: unknown = complaint;
    if (files.length > 0) {
      const form = new FormData();
      form.append('metadata', JSON.stringify(complaint));
      files.forEach((r, i) => form.append('evidence', r.file, names[i]));
      body = form;
    }
    setBusy(true);
    setError(null);
    try {
      const filed = await api<{ disputeId: string; status: string }>('/v1/disputes', { method: 'POST', body });
      setClaim('');
      setRows([]);
      onFiled(filed);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form
      class="action-form"
      data-testid="complaint-form"
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      <fieldset disabled={busy}>
        {/* The fold-out's summary above shows the same words. */}
        <legend class="visually-hidden">{t('complaint.legend')}</legend>
        <p class="hint">{t('complaint.hint')}</p>
        <label for="complaint-type">{t('complaint.type')}</label>
        <select id="complaint-type" value={type} onChange={(e) => setType(e.currentTarget.value)}>
          {DISPUTE_TYPES.map((d) => (
            <option value={d} key={d}>
              {typeLabel(t, d)}
            </option>
          ))}
        </select>
        <p class="hint">{t(`complaint.typeHint.${type as (typeof DISPUTE_TYPES)[number]}`)}</p>
        <label for="complaint-filing">{t('complaint.filing')}</label>
        <input
          id="complaint-filing"
          class="mono"
          type="text"
          required
          spellcheck={false}
          pattern={UUID}
          value={filingId}
          onInput={(e) => setFilingId(e.currentTarget.value)}
        />
        <label for="complaint-basis">{t('complaint.basis')}</label>
        <input
          id="complaint-basis"
          class="mono"
          type="text"
          spellcheck={false}
          pattern={UUID}
          value={basisFilingId}
          onInput={(e) => setBasisFilingId(e.currentTarget.value)}
        />
        <p class="hint">{t('complaint.basisHint')}</p>
        <label for="complaint-claim">{t('complaint.claim')}</label>
        <textarea id="complaint-claim" rows={4} required value={claim} onInput={(e) => setClaim(e.currentTarget.value)} />
        <fieldset class="choices">
          <legend>{t('complaint.evidence')}</legend>
          <p class="hint">{t('complaint.evidenceHint')}</p>
          {rows.map((r, i) => (
            <div class="rv-evidence-row" key={r.key} data-testid="complaint-evidence">
              <label for={`complaint-file-${r.key}`}>{t('party.respond.file', { n: i + 1 })}</label>
              <FileChooser
                id={`complaint-file-${r.key}`}
                required
                onFile={(file) =>
                  setRows((all) => all.map((x) => (x.key === r.key ? { ...x, file, description: x.description || (file?.name ?? '') } : x)))
                }
              />
              <label for={`complaint-description-${r.key}`}>{t('party.respond.description', { n: i + 1 })}</label>
              <input
                id={`complaint-description-${r.key}`}
                type="text"
                required
                maxLength={1000}
                value={r.description}
                onInput={(e) => update(r.key, { description: e.currentTarget.value })}
              />
              <label class="choice">
                <input
                  type="checkbox"
                  checked={r.declaredAiGenerated}
                  onChange={(e) => update(r.key, { declaredAiGenerated: e.currentTarget.checked })}
                />{' '}
                {t('complaint.declaredAi', { n: i + 1 })}
              </label>
              <div>
                <button type="button" onClick={() => setRows((all) => all.filter((x) => x.key !== r.key))}>
                  {t('party.respond.remove', { n: i + 1 })}
                </button>
              </div>
            </div>
          ))}
          <button
            type="button"
            onClick={() => {
              setRows((all) => [...all, { key: nextKey, file: null, description: '', declaredAiGenerated: false }]);
              setNextKey((k) => k + 1);
            }}
          >
            {t('party.respond.addEvidence')}
          </button>
        </fieldset>
        <div>
          <button type="submit">{t('complaint.submit')}</button>
          {busy ? (
            <span role="status" class="hint">
              {' '}
              {t('complaint.sending')}
            </span>
          ) : null}
        </div>
        <ProblemMessage error={error} />
      </fieldset>
    </form>
  );
}
