// Request bodies of the identity endpoints: whitelisted, every unknown field rejected.
import { ArrayMaxSize, ArrayNotEmpty, ArrayUnique, IsArray, IsIn, IsString, Length } from 'class-validator';
import { IsId, IsInstant, IsOneLineText, IsShownText, OptionalField, QueryInteger } from '../common/validation.js';
import { ROLES, type Role } from './identity.events.js';

export class CreatePrincipalDto {
  /** Display name of the person or organisation. */
  @IsString()
  @Length(1, 200)
  // An empty name is Length's to report.
  @IsOneLineText()
  @IsShownText()
  name: string;

  /** What the principal may do: one to four of creator, reviewer, auditor, admin. */
  @IsArray({ message: `roles must be an array of roles, e.g. ["creator"] (${ROLES.join(', ')})` })
  @ArrayNotEmpty({ message: `roles must name at least one role (${ROLES.join(', ')})` })
  @ArrayUnique({ message: 'roles must not name a role twice' })
  @ArrayMaxSize(ROLES.length)
  @IsIn(ROLES, { each: true, message: `each of roles must be one of ${ROLES.join(', ')}` })
  roles: Role[];
}

export class IssueKeyDto {
  /** When the key stops working (ISO-8601 instant with a time zone, in the future); no expiry when left out. */
  @OptionalField()
  @IsInstant()
  expiresAt?: string;
}

export class ListPrincipalsQuery {
  /** Only the principals that hold this role. */
  @OptionalField() @IsIn(ROLES, { message: `role must be one of ${ROLES.join(', ')}` }) role?: Role;
  @OptionalField() @QueryInteger(1, 100) limit?: number;
  /** The `nextCursor` of the page before. */
  @OptionalField() @IsId({ message: 'cursor must be a nextCursor value from a previous page' }) cursor?: string;
}
