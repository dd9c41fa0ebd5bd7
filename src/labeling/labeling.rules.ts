// The rules of GB 45438-2025 and the Measures (Articles 4 to 6) as pure functions: shared by the decider, the DTOs and the file check.
import type { FieldError } from '../common/problem.js';
import { AIGC_MAX_LENGTH, AIGC_VALUE } from '../domain-rules/aigc-values.js';
import { AIGC_FIELDS, type Aigc, type ExplicitLabel, type LabelTier, type Modality } from './labeling.events.js';

export { AIGC_MAX_LENGTH, AIGC_VALUE };
export const AIGC_VALUE_MESSAGE = 'may contain only printable ASCII without space, " and \\ (0x21, 0x23-0x5B, 0x5D-0x7E)';
export const AIGC_LABEL_VALUES = ['1', '2', '3'] as const;
/** Fields that must not be empty; the reserved codes may be. */
const REQUIRED_NON_EMPTY = new Set(['Label', 'ContentProducer', 'ProduceID']);

/** Why a value is not a well-formed AIGC object (exactly seven string fields, allowed characters); empty when it is. */
export function aigcProblems(value: unknown): FieldError[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return [{ field: 'AIGC', message: 'AIGC must be a JSON object' }];
  const problems: FieldError[] = [];
  for (const key of Object.keys(value)) {
    if (!(AIGC_FIELDS as readonly string[]).includes(key))
      problems.push({ field: key, message: `${key} is not one of the seven AIGC fields` });
  }
  for (const field of AIGC_FIELDS) {
    const v = (value as Record<string, unknown>)[field];
    if (v === undefined) problems.push({ field, message: `${field} is missing` });
    else if (typeof v !== 'string') problems.push({ field, message: `${field} must be a string` });
    else if (field === 'Label' && !(AIGC_LABEL_VALUES as readonly string[]).includes(v))
      problems.push({ field, message: 'Label must be "1" (AI-generated), "2" (possibly) or "3" (suspected)' });
    else if (!AIGC_VALUE.test(v)) problems.push({ field, message: `${field} ${AIGC_VALUE_MESSAGE}` });
    else if (v.length > AIGC_MAX_LENGTH) problems.push({ field, message: `${field} must be at most ${AIGC_MAX_LENGTH} characters` });
    else if (v === '' && REQUIRED_NON_EMPTY.has(field)) problems.push({ field, message: `${field} must not be empty` });
  }
  return problems;
}

/** The label as a JSON string in the standard's field order, ready to embed. */
export const aigcJson = (a: Aigc): string => JSON.stringify(Object.fromEntries(AIGC_FIELDS.map((f) => [f, a[f]])));

/** Modality from the filing's content type; `virtual-scene` may be asked for only where the type does not already decide it. */
export function modalityOf(contentType: string, requested: Modality | null): { modality: Modality } | { error: FieldError } {
  const top = contentType.split('/')[0];
  const byType: Record<string, Modality> = { text: 'text', image: 'image', video: 'video', audio: 'audio', model: 'virtual-scene' };
  // Own keys only: a content type `constructor/x` is well-formed, and its top level named Object's constructor.
  const derived = Object.hasOwn(byType, top) ? byType[top] : undefined;
  if (requested === null || requested === derived) {
    return derived
      ? { modality: derived }
      : {
          error: {
            field: 'modality',
            message: `content type ${contentType} has no labelling rule: set modality "virtual-scene" if the work is a virtual scene`,
          },
        };
  }
  if (requested !== 'virtual-scene')
    return { error: { field: 'modality', message: 'modality may only be "virtual-scene"; the others follow from the content type' } };
  if (derived)
    return {
      error: {
        field: 'modality',
        message: `content type ${contentType} is ${derived === 'image' ? 'an' : 'a'} ${derived}: its labels follow the ${derived} rules`,
      },
    };
  return { modality: 'virtual-scene' };
}

export const TEXT_PLACEMENTS = ['start', 'middle', 'end'] as const;
export const IMAGE_PLACEMENTS = [
  'top-left',
  'top',
  'top-right',
  'left',
  'center',
  'right',
  'bottom-left',
  'bottom',
  'bottom-right',
] as const;
export const PLACEMENTS = [...TEXT_PLACEMENTS, ...IMAGE_PLACEMENTS] as const;
/** Morse "AI" (·− ··): the audio rhythm cue of GB 45438-2025. */
export const AUDIO_RHYTHM = 'short-long-short-short';
export const MIN_DISPLAY_SECONDS = 2;
export const MIN_TEXT_HEIGHT_RATIO = 0.05;

/**
 * A text label must say it is AI (AI / 人工智能) and generated or synthesised (生成 / 合成, generated / synthesized). "AI"
 * (or AIGC, A.I.) is a word of its own: not the letters inside PAINTED or MAIL; next to Chinese characters it stands alone.
 */
const NAMES_AI = /(?<![A-Za-z])(?:AIGC|AI|A\.I\.)(?![A-Za-z])|人工智能/i;
const NAMES_GENERATED = /生成|合成|generat|synthes/i;
/** Read as compatibility characters fold (NFKC): full-width ＡＩ, as Chinese typesetting writes it, is AI. */
const namesAiGenerated = (text: string) => {
  const folded = text.normalize('NFKC');
  return NAMES_AI.test(folded) && NAMES_GENERATED.test(folded);
};

type Rule = {
  placements: readonly string[];
  mustInclude?: string;
  display: 'required' | 'absent';
  height: 'required' | 'optional' | 'absent';
  audio: boolean;
};
const RULES: Record<Modality, Rule> = {
  text: { placements: TEXT_PLACEMENTS, display: 'absent', height: 'absent', audio: false },
  image: { placements: IMAGE_PLACEMENTS, display: 'absent', height: 'required', audio: false },
  video: { placements: TEXT_PLACEMENTS, mustInclude: 'start', display: 'required', height: 'required', audio: false },
  audio: { placements: TEXT_PLACEMENTS, display: 'absent', height: 'absent', audio: true },
  'virtual-scene': { placements: TEXT_PLACEMENTS, mustInclude: 'start', display: 'required', height: 'optional', audio: false },
};
const WHERE: Record<Modality, string> = {
  text: 'text',
  image: 'an image',
  video: 'a video',
  audio: 'audio',
  'virtual-scene': 'a virtual scene',
};

/** Field-level breaches of the explicit-label rules for one modality (field names relative to `explicit`). */
export function explicitLabelProblems(modality: Modality, e: ExplicitLabel): FieldError[] {
  const rule = RULES[modality];
  const where = WHERE[modality];
  const problems: FieldError[] = [];
  const add = (field: string, message: string) => problems.push({ field, message });

  const badPlaces = e.placement.filter((p) => !rule.placements.includes(p));
  if (badPlaces.length) add('placement', `placement ${badPlaces.join(', ')} does not apply to ${where}: use ${rule.placements.join(', ')}`);
  if (rule.mustInclude && !e.placement.includes(rule.mustInclude)) {
    add(
      'placement',
      `the label of ${where} must be shown at the ${modality === 'video' ? 'opening frame' : 'opening screen'} (placement "start")`,
    );
  }

  if (rule.display === 'required') {
    if (e.displaySeconds === null) add('displaySeconds', `displaySeconds is required for ${where}`);
    else if (e.displaySeconds < MIN_DISPLAY_SECONDS)
      add('displaySeconds', `the label of ${where} must be shown for at least ${MIN_DISPLAY_SECONDS} s`);
  } else if (e.displaySeconds !== null) add('displaySeconds', `displaySeconds does not apply to ${where}`);

  if (rule.height === 'absent') {
    if (e.textHeightRatio !== null) add('textHeightRatio', `textHeightRatio does not apply to ${where}`);
  } else if (e.textHeightRatio === null) {
    if (rule.height === 'required') add('textHeightRatio', `textHeightRatio is required for ${where}`);
  } else if (e.textHeightRatio < MIN_TEXT_HEIGHT_RATIO) {
    add(
      'textHeightRatio',
      `the label text of ${where} must be at least ${MIN_TEXT_HEIGHT_RATIO * 100} % of the shortest side (textHeightRatio >= ${MIN_TEXT_HEIGHT_RATIO})`,
    );
  }

  if (rule.audio) {
    if (e.audioCue === null) add('audioCue', 'audio needs audioCue "voice" (a spoken label) or "rhythm" (the cue short-long-short-short)');
    if (e.audioCue === 'rhythm' && e.rhythm !== AUDIO_RHYTHM) add('rhythm', `the rhythm cue must be "${AUDIO_RHYTHM}" (Morse "AI")`);
    if (e.audioCue === 'voice' && e.rhythm !== null) add('rhythm', 'rhythm applies only to audioCue "rhythm"');
  } else {
    if (e.audioCue !== null) add('audioCue', `audioCue does not apply to ${where}`);
    if (e.rhythm !== null) add('rhythm', `rhythm does not apply to ${where}`);
  }

  const needsText = !(rule.audio && e.audioCue === 'rhythm');
  if (e.text === null) {
    if (needsText) add('text', `text is required for ${where}${rule.audio ? ' with a voice label (the words spoken)' : ''}`);
  } else if (!namesAiGenerated(e.text)) {
    add(
      'text',
      'the label must say that the content is AI-generated: name "AI" (as a word of its own) or "人工智能" and "生成" or "合成" (or "generated" / "synthesized")',
    );
  }
  return problems.map((p) => ({ field: `explicit.${p.field}`, message: p.message }));
}

/**
 * Article 6: an implicit label in the file's metadata → "1"; no label but the creator declared one → "2";
 * neither, but other traces of AI generation in the file → "3"; otherwise no tier.
 */
export function article6Tier(labelInFile: boolean, declared: boolean, detected: boolean): LabelTier | null {
  if (labelInFile) return '1';
  if (declared) return '2';
  if (detected) return '3';
  return null;
}
