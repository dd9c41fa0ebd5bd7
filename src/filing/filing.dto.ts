// Request bodies of the filing endpoints: whitelisted, every unknown field rejected.
import { ApiProperty, IntersectionType, OmitType, PartialType, PickType } from '@nestjs/swagger';
import { IsIn, IsInt, IsString, Length, Matches, Max, MaxLength, Min, registerDecorator, type ValidationArguments } from 'class-validator';
import {
  IsInstant,
  IsNotBlank,
  IsOneLineText,
  IsParameterMap,
  IsPrintableText,
  IsSeed,
  IsShownText,
  IsSha256Hex,
  LowerHex,
  MeOrId,
  NestedArray,
  NestedObject,
  QueryInteger,
  OptionalField,
} from '../common/validation.js';
import { DIGITAL_SOURCE_TYPES, IPTC_DIGITAL_SOURCE_TYPE } from '../domain-rules/digital-source-types.js';

export const EVIDENCE_KINDS = [
  'prompt',
  'negative-prompt',
  'parameters',
  'draft',
  'iteration',
  'selection',
  'edit',
  'reference',
  'other',
] as const;
export const PERCEPTUAL_SCHEMES = { phash64: 16, pdq256: 64, simhash64: 16 } as const;

export class ToolDto {
  @IsString() @Length(1, 200) @IsOneLineText() @IsShownText() name: string;
  @OptionalField() @IsString() @Length(1, 100) @IsOneLineText() @IsShownText() version?: string;
  @OptionalField() @IsString() @Length(1, 200) @IsOneLineText() @IsShownText() provider?: string;
}

export class GenerationDto {
  /** IPTC digital source type URI, e.g. http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia */
  @IsIn(DIGITAL_SOURCE_TYPES, { message: `digitalSourceType must be an IPTC digital source type URI (${IPTC_DIGITAL_SOURCE_TYPE}<code>)` })
  digitalSourceType: string;
  @NestedObject(() => ToolDto) tool: ToolDto;
  @IsSha256Hex() promptHash: string;
  @OptionalField() @IsSha256Hex() negativePromptHash?: string;
  @OptionalField() @IsSha256Hex() parametersHash?: string;
  @OptionalField() @IsParameterMap() parameters?: Record<string, string | number | boolean>;
  /** A non-negative integer, or a token of at most 128 characters (seeds often exceed 2^53); recorded as a string. */
  @ApiProperty({
    oneOf: [
      { type: 'integer', minimum: 0 },
      { type: 'string', pattern: '^[0-9A-Za-z_.:-]{1,128}$' },
    ],
    required: false,
  })
  @OptionalField()
  @IsSeed()
  seed?: string | number;
  @ApiProperty({ type: 'integer', minimum: 1, maximum: 1_000_000, required: false })
  @OptionalField()
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  iterations?: number;
  /** The creator's own statement of what they contributed (selection, editing, prompting). */
  @IsString() @Length(1, 5000) @IsPrintableText() @IsNotBlank() humanContribution: string;
}

export class ProcessEvidenceDto {
  @IsSha256Hex() sha256: string;
  @IsIn(EVIDENCE_KINDS) kind: string;
  @OptionalField() @IsString() @MaxLength(1000) @IsPrintableText() @IsNotBlank() description?: string;
  /** When the evidence was made: an ISO-8601 instant with a time zone, recorded in UTC to the millisecond (toISOString's form). */
  @OptionalField() @IsInstant() createdAt?: string;
}

/** The hex length of a scheme's value; undefined for a name that is not a scheme (`constructor` among them). */
const schemeLength = (scheme: unknown): number | undefined =>
  typeof scheme === 'string' && Object.hasOwn(PERCEPTUAL_SCHEMES, scheme)
    ? PERCEPTUAL_SCHEMES[scheme as keyof typeof PERCEPTUAL_SCHEMES]
    : undefined;

/** The value's length follows its scheme; a scheme that is none is the scheme's own rule (IsIn) to refuse. */
function HexOfSchemeLength() {
  return (target: object, propertyName: string) =>
    registerDecorator({
      name: 'hexOfSchemeLength',
      target: target.constructor,
      propertyName,
      options: {
        message: (a: ValidationArguments) =>
          `value must be ${schemeLength((a.object as PerceptualHashDto).scheme)} hex characters for scheme ${(a.object as PerceptualHashDto).scheme}`,
      },
      validator: {
        validate: (v: unknown, a: ValidationArguments) => {
          const len = schemeLength((a.object as PerceptualHashDto).scheme);
          return len === undefined || (typeof v === 'string' && v.length === len && /^[0-9a-f]+$/.test(v));
        },
      },
    });
}

export class PerceptualHashDto {
  @IsIn(Object.keys(PERCEPTUAL_SCHEMES)) scheme: keyof typeof PERCEPTUAL_SCHEMES;
  @LowerHex() @HexOfSchemeLength() value: string;
}

export class FileWorkDto {
  /** SHA-256 of the work's bytes. */
  @IsSha256Hex() contentHash: string;
  @IsString()
  @MaxLength(255)
  @Matches(/^[a-z0-9][a-z0-9!#$&^_.+-]{0,126}\/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}$/, {
    message: 'contentType must be a lowercase MIME type such as image/png',
  })
  contentType: string;
  @IsString() @Length(1, 500) @IsOneLineText() @IsShownText() title: string;
  @NestedObject(() => GenerationDto) generation: GenerationDto;
  @OptionalField() @NestedArray(() => ProcessEvidenceDto, 100) processEvidence?: ProcessEvidenceDto[];
  @OptionalField() @NestedObject(() => PerceptualHashDto) perceptualHash?: PerceptualHashDto;
}

/** The `metadata` part of a filing by upload: the same fields, but contentHash may be left out (the ledger takes the file's). */
export class FileWorkUploadDto extends IntersectionType(
  OmitType(FileWorkDto, ['contentHash'] as const),
  PartialType(PickType(FileWorkDto, ['contentHash'] as const)),
) {}

/** What an amendment may change: never the content, the generation record's hashes, the filing time or its priority. */
export class AmendFilingDto {
  /** The corrected title. */
  @OptionalField() @IsString() @Length(1, 500) @IsOneLineText() @IsShownText() title?: string;
  /** Process evidence to add (drafts, sketches, intermediate files). */
  @OptionalField() @NestedArray(() => ProcessEvidenceDto, 100) processEvidence?: ProcessEvidenceDto[];
  /** A note on the human contribution, added to the one given when filing. */
  @OptionalField() @IsString() @Length(1, 5000) @IsPrintableText() @IsNotBlank() humanContributionNote?: string;
}

export class WithdrawFilingDto {
  @OptionalField() @IsString() @MaxLength(1000) @IsPrintableText() @IsNotBlank() reason?: string;
}

export class ListFilingsQuery {
  /** The filing of this content (SHA-256, either case), live or withdrawn. */
  @OptionalField() @IsSha256Hex() contentHash?: string;
  /** This principal's filings (`me`) or another's, by id; a creator may ask only for themself. */
  @OptionalField() @MeOrId('creator') creator?: string;
  @OptionalField() @IsIn(['active', 'withdrawn']) status?: 'active' | 'withdrawn';
  @OptionalField() @IsString() @MaxLength(255) contentType?: string;
  @OptionalField() @QueryInteger(1, 100) limit?: number;
  @OptionalField() @Matches(/^[0-9]{1,15}$/, { message: 'cursor must be a nextCursor value from a previous page' }) cursor?: string;
}
