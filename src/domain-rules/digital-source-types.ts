// The IPTC digital source types (cv.iptc.org/newscodes/digitalsourcetype) a filing or a label may declare, and which of
// them make a filing an AI work. Pure and framework-free: the filing and labelling requests are validated against this
// list, the dispute and inspection rules read the AI ones, and the creator's page of the console (web/) offers it.

export const IPTC_DIGITAL_SOURCE_TYPE = 'http://cv.iptc.org/newscodes/digitalsourcetype/';

/** The codes of the digital source types of AI-generated material. */
export const AI_SOURCE_TYPE_CODES = [
  'trainedAlgorithmicMedia',
  'compositeWithTrainedAlgorithmicMedia',
  'algorithmicMedia',
  'compositeSynthetic',
] as const;

/** The codes the ledger accepts, AI-generated ones first. */
export const SOURCE_TYPE_CODES = [
  ...AI_SOURCE_TYPE_CODES,
  'algorithmicallyEnhanced',
  'digitalCapture',
  'computationalCapture',
  'multiFrameComputationalCapture',
  'negativeFilm',
  'positiveFilm',
  'print',
  'minorHumanEdits',
  'humanEdits',
  'compositeCapture',
  'dataDrivenMedia',
  'digitalArt',
  'virtualRecording',
  'screenCapture',
] as const;
export type SourceTypeCode = (typeof SOURCE_TYPE_CODES)[number];

/** The full URIs the ledger accepts as `digitalSourceType`. */
export const DIGITAL_SOURCE_TYPES: readonly string[] = SOURCE_TYPE_CODES.map((code) => IPTC_DIGITAL_SOURCE_TYPE + code);

/** The URIs of AI-generated material: a filing of one of these is an AI work. */
export const AI_DIGITAL_SOURCE_TYPES: ReadonlySet<string> = new Set(AI_SOURCE_TYPE_CODES.map((code) => IPTC_DIGITAL_SOURCE_TYPE + code));
