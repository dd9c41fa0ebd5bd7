// Labels of a filing: declared by whoever holds its right (its creator, or the complainant a final `transfer` gave it to),
// checked against the uploaded file. State is folded from the whole filing stream; the holder is a fact the handler reads.
import { conflict, DomainError, forbidden, notFound } from '../common/domain-error.js';
import { AI_DIGITAL_SOURCE_TYPES, AI_SOURCE_TYPE_CODES } from '../domain-rules/digital-source-types.js';
import type { FieldError } from '../common/problem.js';
import { perceptualHashSource, type FilingEvent } from '../filing/filing.events.js';
import { hammingDistanceHex } from '../inspection/phash.js';
import type { FileReading } from '../inspection/metadata-reader.js';
import type { Decider } from '../ledger/decider.js';
import { canonicalJson } from '../verifier/envelope.js';
import {
  AIGC_FIELDS,
  labelStateAfterCheck,
  TIER_DECLARED_ONLY,
  type Aigc,
  type AigcField,
  type ExplicitLabel,
  type FoundLabel,
  type LabelDifference,
  type LabelEvent,
  type LabelFileCheckedData,
  type LabelsDeclaredData,
  type LabelState,
  type LabelTier,
  type Modality,
} from './labeling.events.js';
import { aigcProblems, article6Tier, explicitLabelProblems, modalityOf } from './labeling.rules.js';

export type FilingStreamEvent = FilingEvent | LabelEvent;

export interface LabelingState {
  filing: 'none' | 'active' | 'withdrawn';
  filingId: string | null;
  creator: string | null;
  contentHash: string | null;
  contentType: string | null;
  /** The filing's own IPTC digital source type: the default for the label declaration. */
  digitalSourceType: string | null;
  declaration: LabelsDeclaredData | null;
  lastCheck: LabelFileCheckedData | null;
  /**
   * The first check that found the declaration in force in a file (null: none yet, or the declaration changed since). A
   * later check of another file without it (the filed original, which cannot carry the filing's id) does not undo it.
   */
  verifiedBy: LabelFileCheckedData | null;
  /** The perceptual hash the ledger computed from the filed file; null for a filing by JSON. */
  computedHash: { scheme: 'phash64'; value: string } | null;
  /** Every implicit label declared for the filing (canonical JSON): a copy may carry any of them. */
  handedOut: string[];
  /** SHA-256 of the registered distribution copies. */
  copies: string[];
}

/** What the creator sends; the ledger fills the propagation elements. */
export type LabelsInput = {
  modality: Modality | null;
  explicit: ExplicitLabel;
  aigc: Partial<Record<AigcField, string | null>>;
  digitalSourceType: string | null;
  c2paManifestHash: string | null;
};

/** What the upload yielded: the hash of every byte and the raw values under the label's key `AIGC`. */
export type { FileReading };

/** `holder`: who holds the filing's right at `now` (a fact read by the handler); absent or null, its creator. */
export type DeclareLabelsCommand = {
  type: 'DeclareLabels';
  filingId: string;
  actor: string;
  holder?: string | null;
  labels: LabelsInput;
  platformCode: string;
  now: Date;
};
/** `reviewer`: the actor holds the reviewer role, and may check the file of any filing. */
export type CheckLabelFileCommand = {
  type: 'CheckLabelFile';
  filingId: string;
  actor: string;
  holder?: string | null;
  reviewer?: boolean;
  file: FileReading;
  now: Date;
};
/** The copy as inspected, the platform code the ledger hands out, and the similarity threshold of the policy in force. */
export type RegisterCopyCommand = {
  type: 'RegisterCopy';
  filingId: string;
  actor: string;
  holder?: string | null;
  platformCode: string;
  threshold: number;
  policyVersion: number;
  now: Date;
  copy: {
    sha256: string;
    size: number;
    sniffedType: string | null;
    perceptualHash: { scheme: 'phash64'; value: string } | null;
    values: FileReading['values'];
    /**
     * What the ledger holds of these bytes (their reservation stream): the filing they were filed as (live or withdrawn
     * since), and the filing whose registered copy they are.
     */
    filedAs?: string | null;
    copyOf?: string | null;
  };
};
export type LabelingCommand = DeclareLabelsCommand | CheckLabelFileCommand | RegisterCopyCommand;

/** Propagation elements: assigned by the distributing platform, so a file filed before distribution may carry them empty. */
const PROPAGATION: ReadonlySet<AigcField> = new Set(['ContentPropagator', 'PropagateID', 'ReservedCode2']);
const EXCERPT = 120;

/**
 * The refusals every label command shares: unknown filing 404; withdrawn 409; the labels are the right holder's, so
 * anyone else 403 (a reviewer may check any file), and a creator whose right a final decision transferred 409.
 */
export function assertLabelable(
  state: LabelingState,
  c: { filingId: string; actor: string; holder?: string | null; reviewer?: boolean },
): void {
  if (state.filing === 'none') throw notFound('filing-not-found', `no filing ${c.filingId}`);
  const holder = c.holder ?? state.creator;
  if (c.actor !== holder && !c.reviewer) {
    if (c.actor === state.creator) {
      throw conflict(
        'right-transferred',
        `the right in filing ${c.filingId} was transferred to ${holder} by a final dispute decision; its labels are the holder's to declare`,
        { holder },
      );
    }
    throw forbidden(
      'not-owner',
      "only the holder of the filing's right (its creator, unless a dispute transferred it) may declare its labels, check files against them or register its copies (a reviewer may check any filing's files)",
    );
  }
  if (state.filing === 'withdrawn')
    throw conflict('filing-withdrawn', `filing ${c.filingId} is withdrawn: its labels can no longer change`);
}

/** Label state and tier as the read model shows them. */
export function labelStatus(state: LabelingState): { state: LabelState; tier: LabelTier | null } {
  const { declaration, lastCheck, verifiedBy } = state;
  if (declaration && verifiedBy) return { state: 'verified', tier: verifiedBy.tier };
  if (lastCheck && (declaration === null || lastCheck.declarationVersion === declaration.version))
    return { state: labelStateAfterCheck(lastCheck), tier: lastCheck.tier };
  if (declaration) return { state: 'declared', tier: TIER_DECLARED_ONLY };
  return { state: 'none', tier: null };
}

const rulesNotMet = (errors: FieldError[]) =>
  new DomainError('unprocessable', 'label-rules-not-met', errors.map((e) => `${e.field}: ${e.message}`).join('; '), { errors });

function decideDeclareLabels(c: DeclareLabelsCommand, state: LabelingState): LabelEvent[] {
  assertLabelable(state, c);
  const errors: FieldError[] = [];
  const m = modalityOf(state.contentType!, c.labels.modality);
  if ('error' in m) errors.push(m.error);
  else errors.push(...explicitLabelProblems(m.modality, c.labels.explicit));

  const given = c.labels.aigc;
  const assigned = { ContentPropagator: c.platformCode, PropagateID: c.filingId };
  for (const [field, value] of Object.entries(assigned) as Array<[AigcField, string]>) {
    const sent = given[field];
    // PropagateID is the filing's UUID, taken in either case as every UUID in a body is; the label holds it as the ledger writes it.
    const same = field === 'PropagateID' ? sent?.toLowerCase() === value : sent === value;
    if (sent !== undefined && sent !== null && !same) {
      errors.push({ field: `implicit.AIGC.${field}`, message: `${field} is assigned by the ledger: omit it or send "${value}"` });
    }
  }
  const complete: Record<string, unknown> = Object.fromEntries(
    AIGC_FIELDS.map((f) => [f, f in assigned ? assigned[f as keyof typeof assigned] : given[f]]),
  );
  errors.push(...aigcProblems(complete).map((p) => ({ field: `implicit.AIGC.${p.field}`, message: p.message })));
  // The label says what the filing says: a work filed as AI-generated is not labelled as a camera's (or a human's) work.
  const labelType = c.labels.digitalSourceType;
  if (labelType && AI_DIGITAL_SOURCE_TYPES.has(state.digitalSourceType!) && !AI_DIGITAL_SOURCE_TYPES.has(labelType)) {
    errors.push({
      field: 'digitalSourceType',
      message: `the work was filed as ${state.digitalSourceType}: its label's digitalSourceType must be an AI-generated type too (${AI_SOURCE_TYPE_CODES.join(', ')})`,
    });
  }
  if (errors.length || 'error' in m) throw rulesNotMet(errors);

  const declaration = {
    modality: m.modality,
    explicit: c.labels.explicit,
    implicit: { AIGC: complete as Aigc },
    digitalSourceType: c.labels.digitalSourceType ?? state.digitalSourceType!,
    c2paManifestHash: c.labels.c2paManifestHash,
  };
  if (state.declaration) {
    const { modality, explicit, implicit, digitalSourceType, c2paManifestHash } = state.declaration;
    if (canonicalJson({ modality, explicit, implicit, digitalSourceType, c2paManifestHash }) === canonicalJson(declaration)) {
      throw conflict('labels-unchanged', `these labels are already declared as version ${state.declaration.version}`);
    }
  }
  const version = (state.declaration?.version ?? 0) + 1;
  return [{ type: 'LabelsDeclared', data: { filingId: c.filingId, version, ...declaration, declaredAt: c.now.toISOString() } }];
}

function readLabel(location: string, value: string): FoundLabel {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    return { location, aigc: null, problems: ['the value is not valid JSON'], excerpt: value.slice(0, EXCERPT) };
  }
  const problems = aigcProblems(parsed);
  if (problems.length) return { location, aigc: null, problems: problems.map((p) => p.message), excerpt: value.slice(0, EXCERPT) };
  const label = parsed as Aigc;
  return { location, aigc: Object.fromEntries(AIGC_FIELDS.map((f) => [f, label[f]])) as Aigc, problems: [], excerpt: null };
}

/** Field by field; against a declaration, empty propagation elements are accepted: the filed bytes predate the ledger's assignment. */
function differences(found: FoundLabel & { aigc: Aigc }, expected: Aigc, againstDeclaration: boolean): LabelDifference[] {
  return AIGC_FIELDS.filter(
    (f) => found.aigc[f] !== expected[f] && !(againstDeclaration && PROPAGATION.has(f) && found.aigc[f] === ''),
  ).map((f) => ({ location: found.location, field: f, expected: expected[f], found: found.aigc[f] }));
}

function decideCheckLabelFile(c: CheckLabelFileCommand, state: LabelingState): LabelEvent[] {
  assertLabelable(state, c);
  const { file } = c;
  const registeredCopy = state.copies.includes(file.sha256);
  if (file.sha256 !== state.contentHash && !registeredCopy) {
    const message = `the file's SHA-256 ${file.sha256} is not this filing's contentHash ${state.contentHash}`;
    throw new DomainError('unprocessable', 'content-hash-mismatch', message, {
      expected: state.contentHash,
      actual: file.sha256,
      errors: [{ field: 'file', message }],
    });
  }
  const labels = file.values.map((v) => readLabel(v.location, v.value));
  const wellFormed = labels.filter((l): l is FoundLabel & { aigc: Aigc } => l.aigc !== null);
  const declared = state.declaration?.implicit.AIGC ?? null;
  const reference = declared ?? wellFormed[0]?.aigc ?? null;
  const diffs = reference ? wellFormed.flatMap((l) => differences(l, reference, declared !== null)) : [];
  const traces = [...file.traces, ...labels.filter((l) => l.aigc === null).map((l) => `malformed implicit label at ${l.location}`)];

  const outcome: LabelFileCheckedData['outcome'] =
    labels.length === 0
      ? file.format === 'other'
        ? 'unsupported-format'
        : 'not-found'
      : wellFormed.length < labels.length
        ? 'invalid'
        : diffs.length
          ? 'differs'
          : 'found';
  const tier = article6Tier(wellFormed.length > 0, state.declaration !== null, traces.length > 0);
  return [
    {
      type: 'LabelFileChecked',
      data: {
        filingId: c.filingId,
        file: { sha256: file.sha256, size: file.size, format: file.format, ...(registeredCopy ? { registeredCopy: true as const } : {}) },
        outcome,
        labels,
        differences: diffs,
        traces,
        unread: file.unread,
        declarationVersion: state.declaration?.version ?? null,
        tier,
        checkedAt: c.now.toISOString(),
      },
    },
  ];
}

const copyRefused = (code: string, message: string, extensions: Record<string, unknown> = {}) =>
  new DomainError('unprocessable', code, message, { ...extensions, errors: [{ field: 'file', message }] });

/** What a filing must hold before any copy of it is looked at: a label to carry, and a perceptual hash to compare with. */
export function assertCopyable(
  state: LabelingState,
  c: { filingId: string; actor: string; holder?: string | null },
): asserts state is LabelingState & { [K in 'declaration' | 'computedHash']: NonNullable<LabelingState[K]> } {
  assertLabelable(state, c);
  if (state.declaration === null)
    throw conflict('labels-not-declared', 'declare the labels first: a copy must carry the implicit label the ledger hands out');
  if (state.computedHash === null) {
    throw conflict(
      'no-computed-hash',
      'the filing has no perceptual hash computed from its file: file the work with its file (multipart) to register copies of it',
    );
  }
}

/**
 * A distribution copy is registered when it is an image the ledger decodes, its embedded label is one the ledger handed
 * out for this filing (PropagateID the filing id, ContentPropagator the platform) and it is perceptually the filed work
 * (within the policy's threshold of the hash computed from the filed file).
 */
function decideRegisterCopy(c: RegisterCopyCommand, state: LabelingState): LabelEvent[] {
  assertCopyable(state, c);
  const { copy } = c;
  if (copy.sha256 === state.contentHash) throw conflict('copy-is-filed-content', 'this file is the filed content itself, not a copy of it');
  if (copy.filedAs)
    throw conflict('copy-is-filed-content', `this file was filed as a work of its own (filing ${copy.filedAs}), not a copy of this one`, {
      filingId: copy.filedAs,
    });
  if (state.copies.includes(copy.sha256))
    throw conflict('copy-already-registered', `the copy ${copy.sha256} is already registered for this filing`);
  if (copy.copyOf && copy.copyOf !== c.filingId)
    throw conflict('copy-already-registered', `the copy ${copy.sha256} is already registered for filing ${copy.copyOf}`, {
      filingId: copy.copyOf,
    });
  // Before the label: a file that is not an image (text, an empty file) can never be the work, labelled or not.
  if (copy.perceptualHash === null)
    throw copyRefused('copy-not-an-image', 'the copy is not an image the ledger decodes, so it cannot be compared with the filed work');
  const all = copy.values.map((v) => readLabel(v.location, v.value));
  const labels = all.filter((l): l is FoundLabel & { aigc: Aigc } => l.aigc !== null);
  const naming = labels.filter((l) => l.aigc.PropagateID === c.filingId);
  if (naming.length === 0) {
    // Every value under the key AIGC, as the label check records it: a malformed one with its problems and its start.
    const found = all.map((l) => ({
      location: l.location,
      PropagateID: l.aigc?.PropagateID ?? null,
      problems: l.problems,
      excerpt: l.excerpt,
    }));
    const malformed = all.filter((l) => l.aigc === null);
    if (malformed.length > 0) {
      const where = malformed.map((l) => `${l.location} (${l.problems.join('; ')})`).join(', ');
      throw copyRefused(
        'copy-label-malformed',
        `no well-formed AIGC label in the file names this filing (${c.filingId}), and a value under the key AIGC is not a well-formed label: ${where}; embed the label the ledger handed out (aigcJson) as it is`,
        { found },
      );
    }
    throw copyRefused('copy-label-missing', `the file carries no well-formed AIGC label whose PropagateID is this filing (${c.filingId})`, {
      found,
    });
  }
  const handedOut = naming.find((l) => l.aigc.ContentPropagator === c.platformCode && state.handedOut.includes(canonicalJson(l.aigc)));
  if (!handedOut) {
    const expected = state.declaration.implicit.AIGC;
    throw copyRefused('copy-label-differs', 'the label in the file names this filing but is not one the ledger handed out for it', {
      differences: differences(naming[0], expected, false),
    });
  }
  const distance = hammingDistanceHex(copy.perceptualHash.value, state.computedHash.value);
  if (distance > c.threshold) {
    throw copyRefused(
      'copy-not-the-same-work',
      `the copy is ${distance} bits from the filed work's perceptual hash (at most ${c.threshold}): it is not the same work`,
      { distance, threshold: c.threshold },
    );
  }
  return [
    {
      type: 'CopyRegistered',
      data: {
        filingId: c.filingId,
        copy: { sha256: copy.sha256, size: copy.size, sniffedType: copy.sniffedType, perceptualHash: copy.perceptualHash },
        label: handedOut.aigc,
        location: handedOut.location,
        distance,
        threshold: c.threshold,
        policyVersion: c.policyVersion,
        registeredAt: c.now.toISOString(),
      },
    },
  ];
}

export const labelingDecider: Decider<LabelingCommand, FilingStreamEvent, LabelingState> = {
  initialState: () => ({
    filing: 'none',
    filingId: null,
    creator: null,
    contentHash: null,
    contentType: null,
    digitalSourceType: null,
    declaration: null,
    lastCheck: null,
    verifiedBy: null,
    computedHash: null,
    handedOut: [],
    copies: [],
  }),

  evolve(state, event) {
    switch (event.type) {
      case 'WorkFiled': {
        const d = event.data;
        const computed = d.perceptualHash && d.perceptualHash.scheme === 'phash64' && perceptualHashSource(d.perceptualHash) === 'computed';
        return {
          ...state,
          filing: 'active',
          filingId: d.filingId,
          creator: d.creator,
          contentHash: d.contentHash,
          contentType: d.contentType,
          digitalSourceType: d.generation.digitalSourceType,
          computedHash: computed ? { scheme: 'phash64', value: d.perceptualHash!.value } : null,
        };
      }
      case 'FilingWithdrawn':
        return { ...state, filing: 'withdrawn' };
      case 'LabelsDeclared':
        return {
          ...state,
          declaration: event.data,
          verifiedBy: null,
          handedOut: [...state.handedOut, canonicalJson(event.data.implicit.AIGC)],
        };
      case 'CopyRegistered':
        return { ...state, copies: [...state.copies, event.data.copy.sha256] };
      case 'LabelFileChecked':
        return {
          ...state,
          lastCheck: event.data,
          verifiedBy: state.verifiedBy ?? (labelStateAfterCheck(event.data) === 'verified' ? event.data : null),
        };
      default:
        // Events other contexts add to the filing stream do not change labels.
        return state;
    }
  },

  decide(command, state) {
    switch (command.type) {
      case 'DeclareLabels':
        return decideDeclareLabels(command, state);
      case 'CheckLabelFile':
        return decideCheckLabelFile(command, state);
      case 'RegisterCopy':
        return decideRegisterCopy(command, state);
    }
  },
};
