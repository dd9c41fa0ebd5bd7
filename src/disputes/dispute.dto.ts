// Request bodies and queries of the dispute endpoints: whitelisted, every unknown field rejected.
import { IsBoolean, IsIn, IsString, Length, Matches, MaxLength, ValidateIf } from 'class-validator';
import {
  IsId,
  IsNotBlank,
  NullAsLeftOut,
  IsPrintableText,
  IsSha256Hex,
  MeOrId,
  NestedArray,
  QueryInteger,
  OptionalField,
} from '../common/validation.js';
import { DISPUTE_TYPES, OUTCOMES, REMEDIES, RULINGS, type DisputeType, type Outcome, type Remedy, type Ruling } from './dispute.events.js';

const Text = (max: number) => (target: object, property: string) => {
  IsString()(target, property);
  Length(1, max)(target, property);
  IsPrintableText()(target, property);
  IsNotBlank()(target, property);
};

export class EvidenceDto {
  /**
   * SHA-256 of the evidence file's bytes; may be left out (or null, as every optional field) for a file uploaded with
   * the complaint (`file`). Not an OptionalField: IsOptional would skip its check when no file is given either.
   */
  @NullAsLeftOut()
  @ValidateIf((e: EvidenceDto) => e.file === undefined || e.sha256 !== undefined)
  @IsSha256Hex()
  sha256?: string;
  /** Multipart only: the filename of the `evidence` part this item describes (the ledger hashes and inspects it). */
  @OptionalField() @IsString() @Length(1, 255) @IsPrintableText() file?: string;
  @Text(1000) description: string;
  /** The complainant's own declaration; AI-generated material cannot prove a right to a human-made work. */
  @IsBoolean() declaredAiGenerated: boolean;
}

export class ResponseEvidenceDto {
  @IsSha256Hex() sha256: string;
  @Text(1000) description: string;
}

export class FileComplaintDto {
  @IsIn(DISPUTE_TYPES) type: DisputeType;
  /** The filing complained about. */
  @IsId() filingId: string;
  @Text(10_000) claim: string;
  /** The complainant's own earlier filing the complaint rests on. */
  @OptionalField() @IsId() basisFilingId?: string;
  @OptionalField() @NestedArray(() => EvidenceDto, 50) evidence?: EvidenceDto[];
}

export class AssignDisputeDto {
  /** A principal holding the reviewer role; a reviewer may name only themself. Absent: the caller assigns themself. */
  @OptionalField() @IsId() reviewerId?: string;
}

export class SubmitResponseDto {
  @Text(10_000) statement: string;
  @OptionalField() @NestedArray(() => ResponseEvidenceDto, 50) evidence?: ResponseEvidenceDto[];
}

export class DecideDisputeDto {
  @IsIn(OUTCOMES) outcome: Outcome;
  /** Required when upheld, absent when rejected. */
  @OptionalField() @IsIn(REMEDIES) remedy?: Remedy;
  @Text(10_000) reasoning: string;
}

export class FileAppealDto {
  @Text(10_000) grounds: string;
}

export class DecideAppealDto {
  /** `affirm` keeps the first decision; `reverse` turns its outcome around; `vary` keeps an upheld outcome with another remedy. */
  @IsIn(RULINGS) ruling: Ruling;
  /** When reversing a rejection: the remedy the upheld complaint now gets; when varying: the new remedy (another than the first). */
  @OptionalField() @IsIn(REMEDIES) remedy?: Remedy;
  @Text(10_000) reasoning: string;
}

export class WithdrawComplaintDto {
  @OptionalField() @IsString() @MaxLength(1000) @IsPrintableText() reason?: string;
}

export const LISTED_STATUSES = ['opened', 'assigned', 'decided', 'appealed', 'final', 'returned', 'withdrawn'] as const;
export type ListedStatus = (typeof LISTED_STATUSES)[number];

export class ListDisputesQuery {
  /** Status as of now: `decided` while the appeal window is open, `final` after it or after an appeal decision. */
  @OptionalField() @IsIn(LISTED_STATUSES) status?: ListedStatus;
  /** Disputes assigned to this reviewer: `me` or a principal id. */
  @OptionalField() @MeOrId('assignee') assignee?: string;
  /** Complaints against this principal's filings: `me` or a principal id; a creator may ask only for themself. */
  @OptionalField() @MeOrId('respondent') respondent?: string;
  /** Disputes awaiting a (first or appeal) decision past its due time. */
  @OptionalField() @IsIn(['true', 'false']) overdue?: 'true' | 'false';
  @OptionalField() @IsIn(DISPUTE_TYPES) type?: DisputeType;
  @OptionalField() @IsId() filingId?: string;
  @OptionalField() @QueryInteger(1, 100) limit?: number;
  @OptionalField() @Matches(/^[0-9]{1,15}$/, { message: 'cursor must be a nextCursor value from a previous page' }) cursor?: string;
}
