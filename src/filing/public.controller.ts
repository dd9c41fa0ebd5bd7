import { Controller, Get, Param, ParseUUIDPipe } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Public } from '../common/access.js';
import { DomainError } from '../common/domain-error.js';
import { SHA256_HEX } from '../common/validation.js';
import { FilingQueries } from './filing.queries.js';

@ApiTags('public')
@Public()
@Controller('v1/public')
export class PublicContentController {
  constructor(private readonly queries: FilingQueries) {}

  /**
   * Is this content filed? Status, time, leaf index and label tier; a registered copy's hash names its filing
   * (`match: "copy"`). Rate-limited per client.
   */
  @Get('content/:sha256')
  content(@Param('sha256') sha256: string) {
    if (!SHA256_HEX.test(sha256)) throw new DomainError('invalid', 'invalid-hash', 'sha256 must be 64 lowercase hex characters');
    return this.queries.publicStatus(sha256);
  }

  /**
   * A filing's public summary: content, time, status, labels, perceptual hash, provenance signals, copies, holder;
   * rate-limited per client.
   */
  @Get('filings/:id')
  filing(@Param('id', new ParseUUIDPipe()) id: string) {
    return this.queries.publicSummary(id);
  }
}
