// Filing a work: the file is hashed in this browser; the generation record is typed here, the prompt hashed here. The
// file itself is sent only when the creator ticks "upload for inspection".
import { useRef, useState } from 'preact/hooks';
import { FileDrop } from '../../components/file-drop.js';
import { ProblemMessage } from '../../components/problem.js';
import { sha256OfFile } from '../../hash-file.js';
import { useI18n } from '../../i18n/i18n.js';
import { fileWork, IPTC, MIME, sha256OfText, SOURCE_TYPES, type Filed } from './creator-api.js';
import { oneLine } from '../../one-line.js';
import { isHex64 } from '../../verifier.js';

interface Draft {
  title: string;
  contentType: string;
  sourceType: string;
  toolName: string;
  toolVersion: string;
  toolProvider: string;
  promptMode: 'text' | 'hash';
  prompt: string;
  promptHash: string;
  seed: string;
  iterations: string;
  humanContribution: string;
  upload: boolean;
  /** The creator typed the title: a file chosen after it proposes none in its place. */
  titleTyped: boolean;
  /** The creator typed the content type: a file chosen after it gives none in its place. */
  contentTypeTyped: boolean;
}

const EMPTY: Draft = {
  title: '',
  contentType: '',
  sourceType: SOURCE_TYPES[0],
  toolName: '',
  toolVersion: '',
  toolProvider: '',
  promptMode: 'text',
  prompt: '',
  promptHash: '',
  seed: '',
  iterations: '',
  humanContribution: '',
  upload: false,
  titleTyped: false,
  contentTypeTyped: false,
};

/** The title a chosen file proposes: its name without the extension, on one line. */
const titleOf = (fileName: string): string => oneLine(fileName.replace(/\.[^.]*$/, ''));

/**
 * The draft once `file` is chosen: its title and content type proposed in place of those the creator did not type. A
 * file the browser gives no type (or none the ledger takes) leaves the content type empty for the creator to fill: the
 * type of a file chosen before it is not this file's.
 */
const proposedBy = (d: Draft, file: File): Draft => ({
  ...d,
  contentType: d.contentTypeTyped ? d.contentType : MIME.test(file.type) ? file.type : '',
  title: d.titleTyped ? d.title : titleOf(file.name),
});

/** What the creator changed in the form since `sent` was sent: the next work's, kept when the form is emptied. */
const changedSince = (sent: Draft, now: Draft): Partial<Draft> =>
  Object.fromEntries(Object.entries(now).filter(([key, value]) => sent[key as keyof Draft] !== value));

/** The FileWorkDto body from the form; optional fields left empty are left out. */
export function filingBody(d: Draft, contentHash: string, promptHash: string): Record<string, unknown> {
  const tool: Record<string, string> = { name: d.toolName.trim() };
  if (d.toolVersion.trim()) tool.version = d.toolVersion.trim();
  if (d.toolProvider.trim()) tool.provider = d.toolProvider.trim();
  const generation: Record<string, unknown> = {
    digitalSourceType: IPTC + d.sourceType,
    tool,
    promptHash,
    humanContribution: d.humanContribution.trim(),
  };
  if (d.seed.trim()) generation.seed = d.seed.trim();
  if (d.iterations.trim()) generation.iterations = Number(d.iterations);
  return { contentHash, contentType: d.contentType.trim(), title: oneLine(d.title), generation };
}

export function FileWorkForm({ onFiled }: { onFiled: (filed: Filed, title: string) => void }) {
  const { t } = useI18n();
  const [draft, setDraft] = useState<Draft>(EMPTY);
  const [file, setFile] = useState<File | null>(null);
  const [hash, setHash] = useState<string | null>(null);
  const [progress, setProgress] = useState<number | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [filed, setFiled] = useState<Filed | null>(null);
  // Bumped after each filing: the file zone is drawn afresh, without the name of the file just filed.
  const [round, setRound] = useState(0);
  const set =
    <K extends keyof Draft>(key: K) =>
    (value: Draft[K]) =>
      setDraft((d) => ({ ...d, [key]: value }));
  const text = (key: keyof Draft) => (e: { currentTarget: { value: string } }) => set(key)(e.currentTarget.value as never);

  // Only the latest file chosen may write its hash, progress or error: a large file hashed before it would overwrite them.
  const chosen = useRef(0);
  const latestFile = useRef<File | null>(null);
  // The hashing of a file chosen before is stopped: its hash is not wanted, and a large one would hold the machine.
  const hashing = useRef<AbortController | null>(null);
  const onFile = async (f: File) => {
    const id = ++chosen.current;
    latestFile.current = f;
    hashing.current?.abort();
    const stop = (hashing.current = new AbortController());
    setFile(f);
    setHash(null);
    setFiled(null);
    setDraft((d) => proposedBy(d, f));
    setProgress(0);
    setError(null);
    const latest = () => chosen.current === id;
    try {
      const h = await sha256OfFile(
        f,
        (done, total) => latest() && setProgress(total ? Math.floor((done * 100) / total) : 100),
        stop.signal,
      );
      if (latest()) setHash(h);
    } catch (err) {
      // A file that cannot be read (moved or changed since it was chosen) is said so, not left hashing at 0 % for good.
      if (latest()) setError(err);
    } finally {
      if (latest()) setProgress(null);
    }
  };

  const promptHash = draft.promptMode === 'text' ? (draft.prompt ? sha256OfText(draft.prompt) : '') : draft.promptHash.trim().toLowerCase();
  const problems: string[] = [];
  if (!hash) problems.push(t('creator.file.needFile'));
  if (draft.promptMode === 'hash' && draft.promptHash && !isHex64(promptHash)) problems.push(t('creator.file.badPromptHash'));

  const submit = async (e: Event) => {
    e.preventDefault();
    if (!hash || problems.length) return;
    setBusy(true);
    setError(null);
    setFiled(null);
    const sent = chosen.current;
    const sentDraft = draft;
    try {
      const result = await fileWork(filingBody(draft, hash, promptHash), draft.upload && file ? file : undefined);
      setFiled(result);
      onFiled(result, draft.title.trim());
      // The next filing is another work: it starts from an empty form, not from this one's file and record. What was
      // typed or chosen while this one was being sent is the next work's: the form keeps it, a file with its hash and
      // what it proposes.
      const next = chosen.current === sent ? null : latestFile.current;
      setDraft((now) => {
        const kept = { ...EMPTY, ...changedSince(sentDraft, now) };
        return next ? proposedBy(kept, next) : kept;
      });
      if (!next) {
        setFile(null);
        setHash(null);
        setRound((n) => n + 1);
      }
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="creator-form" onSubmit={(e) => void submit(e)} aria-labelledby="file-work-heading">
      <h2 id="file-work-heading">{t('creator.file.heading')}</h2>
      <FileDrop key={round} id="creator-file" onFile={(f) => void onFile(f)} label={t('creator.file.drop')} />
      <p class="hint">{t('creator.file.local')}</p>
      {progress !== null ? <p role="status">{t('creator.file.hashing', { n: progress })}</p> : null}
      {hash ? (
        <p>
          {t('file.hash')}: <code data-testid="creator-file-hash">{hash}</code>
        </p>
      ) : null}
      <label class="check">
        <input type="checkbox" checked={draft.upload} onChange={(e) => set('upload')(e.currentTarget.checked)} />
        {t('creator.file.upload')}
      </label>
      <p class="hint">{t('creator.file.uploadHint')}</p>

      <label for="cf-title">{t('creator.file.title')}</label>
      <input
        id="cf-title"
        type="text"
        required
        maxLength={500}
        value={draft.title}
        onInput={(e) => {
          const title = e.currentTarget.value;
          setDraft((d) => ({ ...d, title, titleTyped: title.trim() !== '' }));
        }}
      />
      <label for="cf-type">{t('creator.file.contentType')}</label>
      <input
        id="cf-type"
        type="text"
        required
        maxLength={255}
        placeholder="image/png"
        aria-describedby="cf-type-hint"
        value={draft.contentType}
        onInput={(e) => {
          const contentType = e.currentTarget.value;
          setDraft((d) => ({ ...d, contentType, contentTypeTyped: contentType.trim() !== '' }));
        }}
      />
      <p id="cf-type-hint" class="hint">
        {t('creator.file.contentTypeHint')}
      </p>

      <fieldset>
        <legend>{t('creator.gen.legend')}</legend>
        <label for="cf-source">{t('creator.gen.sourceType')}</label>
        <select id="cf-source" value={draft.sourceType} onChange={text('sourceType')}>
          {SOURCE_TYPES.map((s) => (
            <option value={s} key={s}>
              {t(`creator.gen.source.${s}`)} ({s})
            </option>
          ))}
        </select>
        <label for="cf-tool">{t('creator.gen.toolName')}</label>
        <input id="cf-tool" type="text" required maxLength={200} value={draft.toolName} onInput={text('toolName')} />
        <label for="cf-tool-version">{t('creator.gen.toolVersion')}</label>
        <input id="cf-tool-version" type="text" maxLength={100} value={draft.toolVersion} onInput={text('toolVersion')} />
        <label for="cf-tool-provider">{t('creator.gen.toolProvider')}</label>
        <input id="cf-tool-provider" type="text" maxLength={200} value={draft.toolProvider} onInput={text('toolProvider')} />

        <fieldset class="inline-choice">
          <legend>{t('creator.gen.promptMode')}</legend>
          <label class="check">
            <input type="radio" name="prompt-mode" checked={draft.promptMode === 'text'} onChange={() => set('promptMode')('text')} />
            {t('creator.gen.promptModeText')}
          </label>
          <label class="check">
            <input type="radio" name="prompt-mode" checked={draft.promptMode === 'hash'} onChange={() => set('promptMode')('hash')} />
            {t('creator.gen.promptModeHash')}
          </label>
        </fieldset>
        {draft.promptMode === 'text' ? (
          <>
            <label for="cf-prompt">{t('creator.gen.prompt')}</label>
            <textarea id="cf-prompt" rows={3} required value={draft.prompt} onInput={text('prompt')} aria-describedby="cf-prompt-hint" />
            <p id="cf-prompt-hint" class="hint">
              {promptHash ? (
                <>
                  {t('creator.gen.promptHint')} <code data-testid="creator-prompt-hash">{promptHash}</code>
                </>
              ) : (
                t('creator.gen.promptHintEmpty')
              )}
            </p>
          </>
        ) : (
          <>
            <label for="cf-prompt-hash">{t('creator.gen.promptHash')}</label>
            <input
              id="cf-prompt-hash"
              type="text"
              required
              spellcheck={false}
              pattern="[0-9a-fA-F]{64}"
              value={draft.promptHash}
              onInput={text('promptHash')}
            />
          </>
        )}
        <label for="cf-seed">{t('creator.gen.seed')}</label>
        <input id="cf-seed" type="text" maxLength={128} value={draft.seed} onInput={text('seed')} />
        <label for="cf-iterations">{t('creator.gen.iterations')}</label>
        <input id="cf-iterations" type="number" min={1} max={1000000} step={1} value={draft.iterations} onInput={text('iterations')} />
        <label for="cf-human">{t('creator.gen.human')}</label>
        <textarea
          id="cf-human"
          rows={4}
          required
          maxLength={5000}
          value={draft.humanContribution}
          onInput={text('humanContribution')}
          aria-describedby="cf-human-hint"
        />
        <p id="cf-human-hint" class="hint">
          {t('creator.gen.humanHint')}
        </p>
      </fieldset>
      {problems.length && hash ? (
        <p class="bad" role="alert">
          {problems.join(' ')}
        </p>
      ) : null}
      <button type="submit" disabled={busy || !hash}>
        {busy ? t('creator.file.filing') : t('creator.file.submit')}
      </button>
      {!hash ? <p class="hint">{t('creator.file.needFile')}</p> : null}
      <ProblemMessage error={error} />
      {filed ? (
        <p class="ok" role="status" data-testid="creator-filed">
          {t(filed.alreadyHeld ? 'creator.file.alreadyHeld' : 'creator.file.filed', { id: filed.filingId, leaf: filed.leafIndex })}
        </p>
      ) : null}
    </form>
  );
}
