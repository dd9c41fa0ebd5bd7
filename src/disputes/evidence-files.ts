// The evidence of a complaint with the files uploaded with it: each item names its file, each file is described. Pure.
import { DomainError, invalid } from '../common/domain-error.js';
import { inspectionRecord, provenanceSignals, type FileInspection } from '../inspection/file-inspection.js';
import type { EvidenceItem } from './dispute.events.js';

/** What the complainant says of one piece of evidence: its hash, or the filename of the file uploaded for it. */
export type DescribedEvidence = { sha256?: string; file?: string; description: string; declaredAiGenerated: boolean };
export type UploadedEvidence = { filename: string; inspection: FileInspection };

const refused = (code: string, field: string, message: string) => invalid(code, message, { errors: [{ field, message }] });

/** The filenames the complaint's evidence items name (`file`), in their order. */
export const namedFiles = (described: DescribedEvidence[]): string[] => described.flatMap((e) => (e.file === undefined ? [] : [e.file]));

/**
 * An uploaded file that no evidence item names, refused as its part arrives (before it is read): the metadata says
 * which files it describes, and this is not one of them.
 */
export function undescribedFile(filename: string, named: string[]): DomainError {
  const expected = named.length ? `its evidence items name ${named.map((n) => `"${n}"`).join(', ')}` : 'no evidence item names a file';
  return refused(
    'evidence-file-undescribed',
    'evidence',
    `the evidence file "${filename}" is not one the metadata names (${expected}): give each uploaded file an evidence item whose file is its filename`,
  );
}

/**
 * Each item with `file` gets the upload of that filename, its hash and its inspection (the signals its own metadata
 * gives); refused: a file named but not uploaded, named twice, uploaded twice or not described (400), and a declared
 * hash that is not the file's (422 evidence-hash-mismatch).
 */
export function evidenceItems(described: DescribedEvidence[], uploads: UploadedEvidence[]): EvidenceItem[] {
  const byName = new Map<string, UploadedEvidence>();
  for (const u of uploads) {
    if (byName.has(u.filename))
      throw refused('duplicate-evidence-file', 'evidence', `two evidence files are named "${u.filename}": give each its own filename`);
    byName.set(u.filename, u);
  }
  const named = new Set<string>();
  const items = described.map((e, i): EvidenceItem => {
    const base = { description: e.description, declaredAiGenerated: e.declaredAiGenerated };
    if (e.file === undefined) return { sha256: e.sha256!, ...base };
    const field = `evidence.${i}.file`;
    const upload = byName.get(e.file);
    if (!upload)
      throw refused(
        'evidence-file-missing',
        field,
        `no evidence file "${e.file}" was uploaded: send it as a part "evidence" with that filename (multipart)`,
      );
    if (named.has(e.file)) throw refused('duplicate-evidence', field, `the evidence file "${e.file}" is described twice`);
    named.add(e.file);
    const { inspection } = upload;
    if (e.sha256 !== undefined && e.sha256 !== inspection.sha256) {
      const message = `the file "${e.file}" has SHA-256 ${inspection.sha256}, not the declared ${e.sha256}`;
      throw new DomainError('unprocessable', 'evidence-hash-mismatch', message, { errors: [{ field: `evidence.${i}.sha256`, message }] });
    }
    return {
      sha256: inspection.sha256,
      ...base,
      inspection: { ...inspectionRecord(inspection), filename: e.file, signals: provenanceSignals(inspection.provenance) },
    };
  });
  const undescribed = uploads.filter((u) => !named.has(u.filename)).map((u) => u.filename);
  if (undescribed.length) {
    throw refused(
      'evidence-file-undescribed',
      'evidence',
      `describe every uploaded file with an evidence item naming it (file): ${undescribed.map((n) => `"${n}"`).join(', ')}`,
    );
  }
  return items;
}
