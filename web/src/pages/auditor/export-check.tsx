import { useRef, useState } from 'preact/hooks';
import { apiText } from '../../api.js';
import { ProblemMessage } from '../../components/problem.js';
import { FileChooser } from '../../components/file-chooser.js';
import { useI18n } from '../../i18n/i18n.js';
import { verdictText } from '../../i18n/verdicts.js';
import { noteAsSaved, utf8Text, withoutByteOrderMark } from '../../verifier.js';
import type { ExportReply, ExportRequest } from './export.worker.js';
import { loadPin } from './pinned-keys.js';
import type { Verdict } from './verdict.js';

type State =
  { kind: 'idle' } | { kind: 'running'; bytes: number; total: number } | { kind: 'done'; verdict: Verdict; bytes: number; total: number };

/** A file chosen here whose bytes are not well-formed UTF-8: named in the page's language. */
class NotUtf8 extends Error {
  constructor(readonly file: string) {
    super(`${file}: not well-formed UTF-8`);
  }
}

/**
 * An export chosen by the auditor is checked in a Web Worker, streamed from the file, against a checkpoint (the
 * ledger's latest, or a file) and the log's key (a file, else the pinned key, else the one the ledger serves): the verdict
 * is the CLI's, in the page's language (in English, the line the CLI prints).
 */
export function ExportCheck() {
  const { t } = useI18n();
  const [exportFile, setExportFile] = useState<File | null>(null);
  const [checkpointFile, setCheckpointFile] = useState<File | null>(null);
  const [vkeyFile, setVkeyFile] = useState<File | null>(null);
  const [state, setState] = useState<State>({ kind: 'idle' });
  const [error, setError] = useState<unknown>(null);
  const worker = useRef<Worker | null>(null);

  const run = async (e: Event) => {
    e.preventDefault();
    if (!exportFile) return;
    setError(null);
    let notes: string[];
    let vkey: string;
    try {
      [notes, vkey] = await Promise.all([
        checkpointFile
          ? strictText(checkpointFile).then((n) => [noteAsSaved(n)])
          : apiText('/v1/ledger/checkpoint', { auth: false }).then((n) => [n]),
        (vkeyFile ? strictText(vkeyFile) : Promise.resolve(loadPin()?.log ?? apiText('/v1/ledger/key', { auth: false }))).then((k) =>
          k.trim(),
        ),
      ]);
    } catch (err) {
      setError(err);
      return;
    }
    worker.current?.terminate();
    const w = new Worker(new URL('./export.worker.ts', import.meta.url), { type: 'module' });
    worker.current = w;
    setState({ kind: 'running', bytes: 0, total: exportFile.size });
    w.onmessage = (m: MessageEvent<ExportReply>) => {
      const r = m.data;
      if (r.kind === 'progress') setState((s) => (s.kind === 'running' ? { ...s, bytes: r.bytes, total: r.total } : s));
      else {
        if (r.kind === 'done')
          setState((s) => ({
            kind: 'done',
            verdict: r.verdict,
            bytes: s.kind === 'running' ? s.bytes : exportFile.size,
            total: exportFile.size,
          }));
        else {
          setState({ kind: 'idle' });
          setError(Object.assign(new Error(r.message), { name: r.name }));
        }
        w.terminate();
        worker.current = null;
      }
    };
    w.onerror = (ev) => {
      setState({ kind: 'idle' });
      setError(new Error(ev.message));
      w.terminate();
    };
    const request: ExportRequest = { file: exportFile, notes, vkey };
    w.postMessage(request);
  };

  const pct = state.kind === 'idle' || state.total === 0 ? 0 : Math.round((100 * state.bytes) / state.total);
  return (
    <section aria-labelledby="export-heading">
      <h2 id="export-heading">{t('auditor.export.title')}</h2>
      <p class="hint">{t('auditor.export.hint')}</p>
      <form class="export-form" onSubmit={(e) => void run(e)}>
        <label for="export-file">{t('auditor.export.file')}</label>
        <FileChooser id="export-file" accept=".ndjson,.jsonl,application/x-ndjson,text/plain" onFile={setExportFile} />
        <label for="export-checkpoint">{t('auditor.export.checkpoint')}</label>
        <FileChooser id="export-checkpoint" onFile={setCheckpointFile} />
        <label for="export-vkey">{t('auditor.export.vkey')}</label>
        <FileChooser id="export-vkey" onFile={setVkeyFile} />
        <p class="hint">{t('auditor.export.defaults')}</p>
        <button type="submit" disabled={!exportFile || state.kind === 'running'}>
          {t('auditor.export.verify')}
        </button>
      </form>
      {error instanceof NotUtf8 ? (
        <p class="bad" role="alert" data-testid="export-file-error">
          {t('auditor.export.notUtf8', { file: error.file })}
        </p>
      ) : (
        <ProblemMessage error={error} />
      )}
      {state.kind !== 'idle' ? (
        <div class="export-progress">
          <label for="export-progress">
            {/* A failure found once the whole file was read (an event's own fault, held back; a broken chain) stopped nothing. */}
            {state.kind === 'done' && state.verdict.kind !== 'ok' && pct < 100
              ? t('auditor.export.stopped', { pct })
              : t('auditor.export.progress', { pct })}
          </label>
          <progress id="export-progress" max={100} value={pct} />
        </div>
      ) : null}
      {state.kind === 'done' ? <VerdictLine verdict={state.verdict} /> : null}
    </section>
  );
}

/** The verdict, worded in the page's language when it is shown (a switch of language words it again). */
function VerdictLine({ verdict }: { verdict: Verdict }) {
  const { t, lang } = useI18n();
  const ok = verdict.kind === 'ok';
  return (
    <div class={ok ? 'export-verdict ok' : 'export-verdict bad'} role={ok ? 'status' : 'alert'} data-testid="export-verdict">
      <strong>{ok ? t('auditor.export.ok') : t('auditor.export.failed')}</strong>
      <pre class="cli-line" data-testid="export-message">
        {verdictText(lang, verdict)}
      </pre>
    </div>
  );
}

/** A file's text as `File.text()` gives it (a byte-order mark dropped), but refusing bytes that are not well-formed UTF-8. */
async function strictText(file: File): Promise<string> {
  const text = utf8Text(new Uint8Array(await file.arrayBuffer()));
  if (text === undefined) throw new NotUtf8(file.name);
  return withoutByteOrderMark(text);
}
