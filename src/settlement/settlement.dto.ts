// Request bodies and queries of the settlement endpoints: whitelisted, every unknown field rejected.
import { ApiProperty } from '@nestjs/swagger';
import { IsIn, IsInt, IsString, Length, Matches, Max, Min } from 'class-validator';
import { IsInstant, IsNotBlank, IsPrintableText, MeOrId, NestedObject, QueryInteger, OptionalField } from '../common/validation.js';
import {
  REVIEW_DECISIONS,
  REVIEWABLE_FLAGS,
  RIGHT_FLAGS,
  RIGHT_STATUSES,
  type ReviewableFlag,
  type ReviewDecision,
} from '../verifier/rights-rules.js';

/** An optional whole number from `min` to `max` (days, counts, distances), so described in the OpenAPI document too. */
const Days = (min: number, max: number) => (target: object, property: string) => {
  ApiProperty({ type: 'integer', minimum: min, maximum: max, required: false })(target, property);
  OptionalField()(target, property);
  IsInt()(target, property);
  Min(min)(target, property);
  Max(max)(target, property);
};

export class SimilarityThresholdsDto {
  /** Hamming distance out of 64 bits. */
  @Days(0, 16) phash64?: number;
  /** Hamming distance out of 256 bits. */
  @Days(0, 64) pdq256?: number;
  /** Hamming distance out of 64 bits. */
  @Days(0, 16) simhash64?: number;
}

export class RepeatInfringerDto {
  @Days(1, 100) upheld?: number;
  @Days(1, 3650) windowDays?: number;
}

/** Parameters left out keep the latest version's values. */
export class PolicyParametersDto {
  @Days(1, 365) labelGraceDays?: number;
  @Days(1, 365) objectionWindowDays?: number;
  @Days(1, 90) responseDays?: number;
  @Days(1, 365) decisionSlaDays?: number;
  @Days(1, 90) appealDays?: number;
  @Days(1, 36500) termDays?: number;
  @OptionalField() @NestedObject(() => SimilarityThresholdsDto) similarity?: SimilarityThresholdsDto;
  @OptionalField() @NestedObject(() => RepeatInfringerDto) repeatInfringer?: RepeatInfringerDto;
}

export class PublishPolicyDto {
  /** When the version takes effect: in the future, after the latest version's. */
  @IsInstant() effectiveFrom: string;
  @NestedObject(() => PolicyParametersDto) parameters: PolicyParametersDto;
}

export class PolicyQuery {
  /** The instant to report the version in force for (default now). */
  @OptionalField() @IsInstant() at?: string;
}

export class RightQuery {
  /** Any instant, past or future (default now). */
  @OptionalField() @IsInstant() asOf?: string;
}

export class ListRightsQuery {
  @OptionalField() @IsIn(RIGHT_STATUSES) status?: string;
  /** The rights this principal holds (`me`) or another's, by id. */
  @OptionalField() @MeOrId('holder') holder?: string;
  /** The rights of the works this principal filed (`me`) or another's, by id. */
  @OptionalField() @MeOrId('creator') creator?: string;
  @OptionalField() @IsIn(RIGHT_FLAGS) flag?: string;
  @OptionalField() @QueryInteger(1, 100) limit?: number;
  @OptionalField() @Matches(/^[0-9]{1,15}$/, { message: 'cursor must be a nextCursor value from a previous page' }) cursor?: string;
}

export class SettleDto {
  /** The instant to settle as of: not in the future, not before the previous settlement's (default now). */
  @OptionalField() @IsInstant() asOf?: string;
}

export class ListSettlementsQuery {
  @OptionalField() @QueryInteger(1, 100) limit?: number;
  @OptionalField() @Matches(/^[0-9]{1,15}$/, { message: 'cursor must be a nextCursor value from a previous page' }) cursor?: string;
}

export class ReviewFlagDto {
  @IsIn(REVIEWABLE_FLAGS) flag: ReviewableFlag;
  /** `cleared`: the right may be confirmed; `confirmed`: the concern stands and keeps it provisional. */
  @IsIn(REVIEW_DECISIONS) decision: ReviewDecision;
  @IsString() @Length(1, 5000) @IsPrintableText() @IsNotBlank() reasoning: string;
}
