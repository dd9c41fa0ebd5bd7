// Declaring a filing's AI labels (GB 45438-2025): the explicit label's words, placement and figures for the work's
// modality, and the implicit AIGC label's production fields; the ledger assigns the propagation fields itself.
import { useEffect, useRef, useState } from 'preact/hooks';
import { ProblemMessage } from '../../components/problem.js';
import { AIGC_MAX_LENGTH, AIGC_VALUE } from '../../domain-rules.js';
import type { MessageKey } from '../../i18n/en.js';
import { useI18n } from '../../i18n/i18n.js';
import { declareLabels, type DeclaredLabels, type Filing } from './creator-api.js';

const TEXT_PLACEMENTS = ['start', 'middle', 'end'];
const IMAGE_PLACEMENTS = ['top-left', 'top', 'top-right', 'left', 'center', 'right', 'bottom-left', 'bottom', 'bottom-right'];

type Modality = 'text' | 'image' | 'video' | 'audio' | 'virtual-scene' | null;
/** The modality the ledger derives from the content type; null when the type decides none (then only a virtual scene). */
function modalityOf(contentType: string): Modality {
  const top = contentType.split('/')[0];
  const byType: Record<string, Modality> = { text: 'text', image: 'image', video: 'video', audio: 'audio', model: 'virtual-scene' };
  return byType[top] ?? null;
}

/** A field of the implicit AIGC label: its input, described by the hint on the characters it takes (`data-aigc`: checked by LabelsForm). */
function AigcField(props: { id: string; label: string; hint: string; value: string; set: (v: string) => void; required?: boolean }) {
  return (
    <>
      <label for={props.id}>{props.label}</label>
      <input
        id={props.id}
        type="text"
        required={props.required}
        maxLength={AIGC_MAX_LENGTH}
        spellcheck={false}
        aria-describedby={props.hint}
        value={props.value}
        data-aigc
        onInput={(e) => props.set(e.currentTarget.value)}
      />
    </>
  );
}

export function LabelsForm({ filing, onDeclared }: { filing: Filing; onDeclared: () => void }) {
  const { t } = useI18n();
  const derived = modalityOf(filing.contentType);
  const modality = derived ?? 'virtual-scene';
  const placements = modality === 'image' ? IMAGE_PLACEMENTS : TEXT_PLACEMENTS;
  const id = (name: string) => `lb-${filing.filingId}-${name}`;
  const [text, setText] = useState('AI生成');
  const [placement, setPlacement] = useState<string[]>([modality === 'image' ? 'bottom-right' : 'start']);
  const [ratio, setRatio] = useState('0.05');
  const [seconds, setSeconds] = useState('2');
  const [audioCue, setAudioCue] = useState<'voice' | 'rhythm'>('voice');
  const [aigcLabel, setAigcLabel] = useState('1');
  const [producer, setProducer] = useState('');
  const [produceId, setProduceId] = useState('');
  const [reserved1, setReserved1] = useState('');
  const [reserved2, setReserved2] = useState('');
  const [busy, setBusy] = useState(false);
  // The browser holds the form back, saying why in the page's language (again when it changes), while an AIGC field has
  // a character the label cannot carry: the ledger would refuse it.
  const form = useRef<HTMLFormElement>(null);
  useEffect(() => {
    for (const input of form.current?.querySelectorAll<HTMLInputElement>('input[data-aigc]') ?? [])
      input.setCustomValidity(AIGC_VALUE.test(input.value.trim()) ? '' : t('creator.labels.aigcChars'));
  }, [producer, produceId, reserved1, reserved2, t]);
  const [error, setError] = useState<unknown>(null);
  const [declared, setDeclared] = useState<DeclaredLabels | null>(null);

  const toggle = (p: string, on: boolean) => setPlacement((ps) => (on ? [...ps.filter((x) => x !== p), p] : ps.filter((x) => x !== p)));

  const submit = async (e: Event) => {
    e.preventDefault();
    const explicit: Record<string, unknown> = { placement };
    if (modality !== 'audio' || audioCue === 'voice') explicit.text = text.trim();
    if (modality === 'image' || modality === 'video') explicit.textHeightRatio = Number(ratio);
    if (modality === 'video' || modality === 'virtual-scene') explicit.displaySeconds = Number(seconds);
    if (modality === 'audio') {
      explicit.audioCue = audioCue;
      if (audioCue === 'rhythm') explicit.rhythm = 'short-long-short-short';
    }
    const body: Record<string, unknown> = {
      explicit,
      implicit: {
        AIGC: {
          Label: aigcLabel,
          ContentProducer: producer.trim(),
          ProduceID: produceId.trim(),
          ReservedCode1: reserved1.trim(),
          ReservedCode2: reserved2.trim(),
        },
      },
    };
    if (derived === null) body.modality = 'virtual-scene';
    setBusy(true);
    setError(null);
    try {
      setDeclared(await declareLabels(filing.filingId, body));
      onDeclared();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="creator-subform" ref={form} onSubmit={(e) => void submit(e)}>
      <fieldset>
        <legend>{t('creator.labels.legend', { modality: t(`creator.labels.modality.${modality}`) })}</legend>
        {modality !== 'audio' || audioCue === 'voice' ? (
          <>
            <label for={id('text')}>{t('creator.labels.text')}</label>
            <input id={id('text')} type="text" required maxLength={200} value={text} onInput={(e) => setText(e.currentTarget.value)} />
          </>
        ) : null}
        <fieldset class="inline-choice">
          <legend>{t('creator.labels.placement')}</legend>
          {placements.map((p) => (
            <label class="check" key={p}>
              <input type="checkbox" checked={placement.includes(p)} onChange={(e) => toggle(p, e.currentTarget.checked)} />
              {t(`creator.labels.place.${p}` as MessageKey)}
            </label>
          ))}
        </fieldset>
        {modality === 'image' || modality === 'video' ? (
          <>
            <label for={id('ratio')}>{t('creator.labels.ratio')}</label>
            <input
              id={id('ratio')}
              type="number"
              min={0}
              max={1}
              step={0.01}
              required
              value={ratio}
              onInput={(e) => setRatio(e.currentTarget.value)}
            />
          </>
        ) : null}
        {modality === 'video' || modality === 'virtual-scene' ? (
          <>
            <label for={id('seconds')}>{t('creator.labels.seconds')}</label>
            <input
              id={id('seconds')}
              type="number"
              min={0}
              max={86400}
              step={0.1}
              required
              value={seconds}
              onInput={(e) => setSeconds(e.currentTarget.value)}
            />
          </>
        ) : null}
        {modality === 'audio' ? (
          <>
            <label for={id('cue')}>{t('creator.labels.audioCue')}</label>
            <select id={id('cue')} value={audioCue} onChange={(e) => setAudioCue(e.currentTarget.value as 'voice' | 'rhythm')}>
              <option value="voice">{t('creator.labels.cueVoice')}</option>
              <option value="rhythm">{t('creator.labels.cueRhythm')}</option>
            </select>
          </>
        ) : null}
        <fieldset>
          <legend>{t('creator.labels.implicit')}</legend>
          <label for={id('aigc-label')}>{t('creator.labels.aigcLabel')}</label>
          <select id={id('aigc-label')} value={aigcLabel} onChange={(e) => setAigcLabel(e.currentTarget.value)}>
            <option value="1">{t('creator.labels.aigc1')}</option>
            <option value="2">{t('creator.labels.aigc2')}</option>
            <option value="3">{t('creator.labels.aigc3')}</option>
          </select>
          <AigcField
            id={id('producer')}
            label={t('creator.labels.producer')}
            hint={id('aigc-chars')}
            value={producer}
            set={setProducer}
            required
          />
          <AigcField
            id={id('produce-id')}
            label={t('creator.labels.produceId')}
            hint={id('aigc-chars')}
            value={produceId}
            set={setProduceId}
            required
          />
          <AigcField
            id={id('reserved1')}
            label={t('creator.labels.reserved1')}
            hint={id('aigc-chars')}
            value={reserved1}
            set={setReserved1}
          />
          <AigcField
            id={id('reserved2')}
            label={t('creator.labels.reserved2')}
            hint={id('aigc-chars')}
            value={reserved2}
            set={setReserved2}
          />
          <p class="hint" id={id('aigc-chars')}>
            {t('creator.labels.aigcChars')}
          </p>
          <p class="hint">{t('creator.labels.assigned')}</p>
        </fieldset>
        <button type="submit" disabled={busy}>
          {t('creator.labels.submit')}
        </button>
      </fieldset>
      <ProblemMessage error={error} />
      {declared ? (
        <div role="status" class="ok">
          <p>{t('creator.labels.declared', { version: declared.version, leaf: declared.leafIndex })}</p>
          <label for={id('aigc-json')}>{t('creator.labels.embed')}</label>
          <textarea id={id('aigc-json')} readOnly rows={3} value={declared.aigcJson} />
        </div>
      ) : null}
    </form>
  );
}
