// Request body of POST /v1/filings/:id/labels: shapes and characters here; the per-modality rules live in labeling.rules.ts.
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsIn,
  IsNumber,
  IsString,
  Length,
  Matches,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import { IsPrintableText, IsSha256Hex, NestedObject, OptionalField } from '../common/validation.js';
import { DIGITAL_SOURCE_TYPES, IPTC_DIGITAL_SOURCE_TYPE } from '../domain-rules/digital-source-types.js';
import { AIGC_LABEL_VALUES, AIGC_MAX_LENGTH, AIGC_VALUE, AIGC_VALUE_MESSAGE, PLACEMENTS } from './labeling.rules.js';

const aigcValue = () => Matches(AIGC_VALUE, { message: `$property ${AIGC_VALUE_MESSAGE}` });
const finite = { allowNaN: false, allowInfinity: false };

/** The GB 45438-2025 implicit label: exactly these seven string fields (unknown ones are refused by the whitelist). */
export class AigcDto {
  @IsIn(AIGC_LABEL_VALUES, { message: 'Label must be "1" (AI-generated), "2" (possibly) or "3" (suspected)' }) Label: string;
  @IsString() @Length(1, AIGC_MAX_LENGTH) @aigcValue() ContentProducer: string;
  @IsString() @Length(1, AIGC_MAX_LENGTH) @aigcValue() ProduceID: string;
  @IsString() @MaxLength(AIGC_MAX_LENGTH) @aigcValue() ReservedCode1: string;
  /** Assigned by the ledger (its platform code): omit it, or send exactly that value. */
  @OptionalField() @IsString() @MaxLength(AIGC_MAX_LENGTH) @aigcValue() ContentPropagator?: string;
  /** Assigned by the ledger (the filing id): omit it, or send exactly that value. */
  @OptionalField() @IsString() @MaxLength(AIGC_MAX_LENGTH) @aigcValue() PropagateID?: string;
  @IsString() @MaxLength(AIGC_MAX_LENGTH) @aigcValue() ReservedCode2: string;
}

export class ImplicitLabelDto {
  @NestedObject(() => AigcDto) AIGC: AigcDto;
}

export class ExplicitLabelDto {
  /** The words of the label, e.g. "AI生成" or "AI-generated"; for audio with a voice label, the words spoken. */
  @OptionalField() @IsString() @Length(1, 200) @IsPrintableText() text?: string;
  /** start / middle / end for text, audio, video and virtual scenes; a position such as bottom-right for images. */
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(PLACEMENTS.length)
  @ArrayUnique()
  @IsIn(PLACEMENTS, { each: true, message: `each placement must be one of ${PLACEMENTS.join(', ')}` })
  placement: string[];
  /** Video and virtual scenes: how long the label is shown, at least 2 s. */
  @OptionalField() @IsNumber(finite) @Min(0) @Max(86_400) displaySeconds?: number;
  /** Images and video: label text height over the shortest side of the picture, at least 0.05. */
  @OptionalField() @IsNumber(finite) @Min(0) @Max(1) textHeightRatio?: number;
  /** Audio: a spoken label or the rhythm cue. */
  @OptionalField() @IsIn(['voice', 'rhythm']) audioCue?: 'voice' | 'rhythm';
  /** Audio with audioCue "rhythm": must be "short-long-short-short" (Morse "AI"). */
  @OptionalField() @IsString() @MaxLength(64) rhythm?: string;
}

export class DeclareLabelsDto {
  /** Only "virtual-scene", for a work whose content type does not say (e.g. application/*); model/* is one already. */
  @OptionalField()
  @IsIn(['virtual-scene'], { message: 'modality may only be "virtual-scene"; the others follow from the content type' })
  modality?: 'virtual-scene';
  @NestedObject(() => ExplicitLabelDto) explicit: ExplicitLabelDto;
  @NestedObject(() => ImplicitLabelDto) implicit: ImplicitLabelDto;
  /** IPTC digital source type URI; the filing's own one when omitted. */
  @OptionalField()
  @IsIn(DIGITAL_SOURCE_TYPES, { message: `digitalSourceType must be an IPTC digital source type URI (${IPTC_DIGITAL_SOURCE_TYPE}<code>)` })
  digitalSourceType?: string;
  /** SHA-256 of the work's C2PA manifest store, when it has one. */
  @OptionalField() @IsSha256Hex() c2paManifestHash?: string;
}
