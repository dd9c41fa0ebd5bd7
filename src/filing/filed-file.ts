// A work filed with its file: what the creator declared is checked against what the ledger found in the file. Pure.
import { DomainError } from '../common/domain-error.js';
import { inspectionRecord, provenanceSignals, type FileInspection } from '../inspection/file-inspection.js';
import { hammingDistanceHex } from '../inspection/phash.js';
import { typeMismatch } from '../inspection/sniff.js';
import type { FiledFile, PerceptualHash } from './filing.events.js';
import { refuseEmptyContent } from './filing.decider.js';

/** What the metadata part declared about the file; the content hash may be left to the ledger. */
export type DeclaredFile = { contentHash: string | null; contentType: string; perceptualHash: PerceptualHash | null };

/** The filing's content hash and perceptual hash, and the record of the file, as the ledger will file them. */
export type CheckedFile = { contentHash: string; perceptualHash: PerceptualHash | null; file: FiledFile };

const refused = (code: string, message: string, extensions: Record<string, unknown> = {}) =>
  new DomainError('unprocessable', code, message, { ...extensions, errors: [{ field: 'file', message }] });

/**
 * Refuses a file of no bytes (422 empty-content), a file whose SHA-256 is not the declared content hash (422
 * content-hash-mismatch), whose bytes are not the declared content type (422 content-type-mismatch), or whose perceptual
 * hash is further than `threshold` bits from the declared one (422 perceptual-hash-mismatch). The computed perceptual hash is the one filed; without one (not an image
 * the ledger decodes), the declared one is.
 */
export function checkFiledFile(declared: DeclaredFile, inspection: FileInspection, threshold: number): CheckedFile {
  // A file of no bytes is refused as empty before anything is compared with it (it is no image of any type either).
  refuseEmptyContent(inspection.sha256, 'file');
  if (declared.contentHash !== null && declared.contentHash !== inspection.sha256) {
    throw refused(
      'content-hash-mismatch',
      `the file's SHA-256 ${inspection.sha256} is not the declared contentHash ${declared.contentHash}`,
      { expected: declared.contentHash, actual: inspection.sha256 },
    );
  }
  const mismatch = typeMismatch(declared.contentType, inspection.sniffedType);
  if (mismatch)
    throw refused('content-type-mismatch', `the file is not ${declared.contentType}: ${mismatch}`, {
      declared: declared.contentType,
      sniffed: inspection.sniffedType,
    });
  const computed = inspection.perceptualHash;
  const stated = declared.perceptualHash;
  if (computed && stated) {
    if (stated.scheme !== computed.scheme) {
      throw refused(
        'perceptual-hash-mismatch',
        `the ledger computes ${computed.scheme} for this file; declare ${computed.scheme} or no perceptual hash`,
        { computed: computed.value, declaredScheme: stated.scheme },
      );
    }
    const distance = hammingDistanceHex(stated.value, computed.value);
    if (distance > threshold) {
      throw refused(
        'perceptual-hash-mismatch',
        `the declared perceptual hash is ${distance} bits from the one computed from the file (at most ${threshold} allowed)`,
        { computed: computed.value, declared: stated.value, distance, threshold },
      );
    }
  }
  const perceptualHash = computed
    ? { ...computed, source: 'computed' as const }
    : stated
      ? { ...stated, source: 'declared' as const }
      : null;
  const declaredPerceptualHash = computed && stated ? { scheme: stated.scheme, value: stated.value, source: 'declared' as const } : null;
  return {
    contentHash: inspection.sha256,
    perceptualHash,
    file: { ...inspectionRecord(inspection), declaredPerceptualHash, aiSignals: provenanceSignals(inspection.provenance) },
  };
}
