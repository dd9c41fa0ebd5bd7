import { Controller, Get, Inject, Param } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { ApiRoute } from '../common/api-docs.js';
import { PublicContentDto, PublicFilingDto, PublicReceiptDto } from './filing-responses.dto.js';
import { Public } from '../common/access.js';
import { DomainError } from '../common/domain-error.js';
import { IdPipe, lowerHex, SHA256_HEX, SHA256_MESSAGE } from '../common/validation.js';
import { LOG_KEYS, MERKLE_LOG } from '../ledger/ledger.tokens.js';
import type { LogKeys } from '../ledger/log/attestors.js';
import type { MerkleLog } from '../ledger/log/merkle-log.js';
import type { PublicReceipt } from '../verifier/public-receipt.js';
import { FilingQueries } from './filing.queries.js';

/** The hash in the path, in either case, as the lowercase hex the read models hold. */
const validHash = (sha256: string) => {
  const hash = lowerHex(sha256) as string;
  if (!SHA256_HEX.test(hash)) throw new DomainError('invalid', 'invalid-hash', `sha256 ${SHA256_MESSAGE} (either case)`);
  return hash;
};

@ApiTags('public')
@Public()
@Controller('v1/public')
export class PublicContentController {
  constructor(
    private readonly queries: FilingQueries,
    @Inject(MERKLE_LOG) private readonly log: MerkleLog,
    @Inject(LOG_KEYS) private readonly keys: LogKeys,
  ) {}

  /**
   * Is this content filed? Status, time, leaf index and label tier; a registered copy's hash names its filing
   * (`match: "copy"`). Rate-limited per client.
   */
  @ApiRoute({ summary: 'Is this content filed?', answer: PublicContentDto, problems: ['invalid-hash', 'not-filed', 'ruleset-unknown'] })
  @Get('content/:sha256')
  content(@Param('sha256') sha256: string) {
    return this.queries.publicStatus(validHash(sha256));
  }

  /**
   * Proof anyone can check that this content is in the log: the receipt (entry, inclusion proof, signed checkpoint
   * with its cosignatures and time-stamps) of the event tying the content to its filing (ContentReserved, or a copy's
   * CopyRegistered), and the ledger's public keys. Rate-limited per client.
   */
  @ApiRoute({ summary: 'Public proof that this content is in the log', answer: PublicReceiptDto, problems: ['invalid-hash', 'not-filed'] })
  @Get('content/:sha256/receipt')
  async receipt(@Param('sha256') sha256: string): Promise<PublicReceipt> {
    const { status, entry } = await this.queries.publicProofEntry(validHash(sha256));
    const receipt = await this.log.receipt(entry);
    return {
      contentHash: status.contentHash,
      match: status.match,
      filingId: status.filingId,
      receipt,
      keys: {
        log: this.keys.log,
        logMlDsa44: this.keys.logMlDsa44,
        witnesses: this.keys.witnesses,
        witnessQuorum: this.keys.witnessQuorum,
        tsaCertificates: receipt.timestamps?.length ? this.keys.tsaCertificates : null,
      },
    };
  }

  /**
   * A filing's public summary: content, time, status, labels, perceptual hash, provenance signals, copies, holder;
   * rate-limited per client.
   */
  @ApiRoute({ summary: "A filing's public summary", answer: PublicFilingDto, problems: ['filing-not-found', 'ruleset-unknown'] })
  @Get('filings/:id')
  filing(@Param('id', new IdPipe()) id: string) {
    return this.queries.publicSummary(id);
  }
}
