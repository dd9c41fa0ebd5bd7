import { Controller, Get, Param, ParseUUIDPipe } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { ApiRoute } from '../common/api-docs.js';
import { PublicContentDto, PublicFilingDto } from './filing-responses.dto.js';
import { Public } from '../common/access.js';
import { DomainError } from '../common/domain-error.js';
import { lowerHex, SHA256_HEX, SHA256_MESSAGE } from '../common/validation.js';
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
  @ApiRoute({ summary: 'Is this content filed?', answer: PublicContentDto, problems: ['invalid-hash', 'not-filed'] })
  @Get('content/:sha256')
  content(@Param('sha256') sha256: string) {
    const hash = lowerHex(sha256) as string;
    if (!SHA256_HEX.test(hash)) throw new DomainError('invalid', 'invalid-hash', `sha256 ${SHA256_MESSAGE} (either case)`);
    return this.queries.publicStatus(hash);
  }

  /**
   * A filing's public summary: content, time, status, labels, perceptual hash, provenance signals, copies, holder;
   * rate-limited per client.
   */
  @ApiRoute({ summary: "A filing's public summary", answer: PublicFilingDto, problems: ['filing-not-found'] })
  @Get('filings/:id')
  filing(@Param('id', new ParseUUIDPipe()) id: string) {
    return this.queries.publicSummary(id);
  }
}
