// What an inspection finds in a file, and which of it says the file is AI-generated. Pure: the types events record and
// the rules that read them.
import type { C2paSummary } from './c2pa.js';
import { aiSourceTypesOf } from './c2pa.js';
import { isGenerativeAiSourceType, type FileReading } from './metadata-reader.js';

export type PerceptualHash64 = { scheme: 'phash64'; value: string };

/** A value found under the label's key `AIGC`: where, its `Label` field when the value is a JSON object that has one. */
export type FoundAigcValue = { location: string; label: string | null; value: string };

/** What the file says about its own making, as recorded with a filing or a piece of evidence. */
export type Provenance = {
  labels: FoundAigcValue[];
  /** The C2PA manifest store: its summary, `{ unreadable }` when the SDK could not read it, null when there is none. */
  c2pa: C2paSummary | { unreadable: string } | null;
  /** IPTC digital source types in the XMP metadata. */
  digitalSourceTypes: Array<{ location: string; value: string }>;
  /**
   * Metadata left unread (over a size limit, a second XMP packet) and keys containing `AIGC` that are not the label's:
   * "nothing found" is only as good as this is empty.
   */
  unread: string[];
};

export type FileInspection = {
  sha256: string;
  size: number;
  /** The type the file's signature names; null when it names none the ledger knows. */
  sniffedType: string | null;
  image: { width: number; height: number } | null;
  /** Computed from the decoded pixels, for the images the ledger decodes (PNG, JPEG, GIF, WebP, TIFF, AVIF). */
  perceptualHash: PerceptualHash64 | null;
  provenance: Provenance;
  /** The label values as the label check reads them (the file's own record, not kept in events). */
  reading: FileReading;
};

/** The part of an inspection events record: everything but the label check's working copy. */
export type InspectionRecord = Omit<FileInspection, 'reading'>;
export const inspectionRecord = ({ reading: _reading, ...record }: FileInspection): InspectionRecord => record;

/** One reason to hold a file AI-generated. */
export type AiSignal =
  | { signal: 'aigc-label'; location: string; label: string }
  | { signal: 'c2pa-digital-source-type'; digitalSourceType: string; manifest: string; assertion: string; validationState: string }
  | { signal: 'iptc-digital-source-type'; digitalSourceType: string; location: string }
  | { signal: 'near-duplicate-of-ai-filing'; filingId: string; distance: number; threshold: number };

/** Label values that say AI-generated: "1" (generated) and "2" (possibly); "3" (suspected) is the platform's own tier. */
export const AI_LABEL_VALUES: ReadonlySet<string> = new Set(['1', '2']);
const RECORDED_VALUE = 2048;

/** The `Label` of a value under the key `AIGC`, when it is a JSON object with a string `Label`; otherwise null. */
export function labelOf(value: string): string | null {
  try {
    const parsed: unknown = JSON.parse(value);
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return null;
    const label = (parsed as Record<string, unknown>).Label;
    return typeof label === 'string' ? label.slice(0, 16) : null;
  } catch {
    return null;
  }
}

export const foundAigcValue = (location: string, value: string): FoundAigcValue => ({
  location,
  label: labelOf(value),
  value: value.slice(0, RECORDED_VALUE),
});

/**
 * The signals the file's own metadata gives (labels, C2PA, IPTC in XMP), each once; a near-duplicate needs the filings and
 * is found elsewhere.
 */
export function provenanceSignals(p: Provenance): AiSignal[] {
  const signals = new Map<string, AiSignal>();
  for (const s of metadataSignals(p)) signals.set(JSON.stringify(s), s);
  return [...signals.values()];
}

function metadataSignals(p: Provenance): AiSignal[] {
  const signals: AiSignal[] = [];
  for (const l of p.labels)
    if (l.label !== null && AI_LABEL_VALUES.has(l.label)) signals.push({ signal: 'aigc-label', location: l.location, label: l.label });
  if (p.c2pa && 'validationState' in p.c2pa) {
    for (const d of aiSourceTypesOf(p.c2pa)) {
      signals.push({
        signal: 'c2pa-digital-source-type',
        digitalSourceType: d.value,
        manifest: d.manifest,
        assertion: d.assertion,
        validationState: p.c2pa.validationState,
      });
    }
  }
  for (const d of p.digitalSourceTypes) {
    if (isGenerativeAiSourceType(d.value))
      signals.push({ signal: 'iptc-digital-source-type', digitalSourceType: d.value, location: d.location });
  }
  return signals;
}
