import { Readable } from 'node:stream';
import { Controller, Get, Header, Inject, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { ApiRoute } from '../common/api-docs.js';
import { CheckpointPageDto, ConsistencyProofDto, EntriesDto, InclusionProofDto, LogKeysDto } from './ledger-responses.dto.js';
import type { FastifyReply } from 'fastify';
import { Public, Roles } from '../common/access.js';
import { invalid } from '../common/domain-error.js';
import { CheckpointsQuery, ConsistencyQuery, EntriesQuery, InclusionQuery } from './ledger.dto.js';
import { formatVkey } from '../verifier/note.js';
import type { EventStore } from './event-store/event-store.port.js';
import { EVENT_STORE, LOG_KEYS, MERKLE_LOG, SIGNING_KEY } from './ledger.tokens.js';
import type { LogKeys } from './log/attestors.js';
import type { MerkleLog } from './log/merkle-log.js';
import type { SigningKey } from './log/signing-key.js';
import { exportText } from '../verifier/envelope.js';

const MAX_ENTRIES = 1000;
@ApiTags('ledger')
@Controller('v1/ledger')
export class LedgerController {
  constructor(
    @Inject(MERKLE_LOG) private readonly log: MerkleLog,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(SIGNING_KEY) private readonly signingKey: SigningKey,
    @Inject(LOG_KEYS) private readonly logKeys: LogKeys,
  ) {}

  /** The latest checkpoint (C2SP tlog-checkpoint signed note) covering every event committed so far. */
  @Public()
  @ApiRoute({
    summary: 'The latest checkpoint (signed note)',
    answer: { mediaType: 'text/plain', schema: { type: 'string', description: 'A C2SP tlog-checkpoint signed note' } },
    problems: ['unavailable'],
  })
  @Get('checkpoint')
  @Header('content-type', 'text/plain; charset=utf-8')
  async checkpoint() {
    // Signed on demand when the log has grown since the last one (at most one per tree size); with witnesses, the
    // newest one they cosigned, with every cosignature line appended.
    return (await this.log.servedCheckpoint()).note;
  }

  /** Checkpoint history, newest first; `cursor` is the nextCursor of the previous page. */
  @Public()
  @ApiRoute({ summary: 'Checkpoint history', answer: CheckpointPageDto })
  @Get('checkpoints')
  async checkpoints(@Query() q: CheckpointsQuery) {
    const limit = q.limit ?? 100;
    const items = await this.log.attestedCheckpoints(q.cursor ?? Number.MAX_SAFE_INTEGER, limit);
    return { items, nextCursor: items.length === limit ? String(items[items.length - 1].treeSize) : null };
  }

  /** The verifier key, C2SP vkey form: <origin>+<hex key ID>+<base64(0x01 ‖ public key)>. */
  @Public()
  @ApiRoute({
    summary: "The log's verifier key (vkey)",
    answer: { mediaType: 'text/plain', schema: { type: 'string', description: 'C2SP vkey: <origin>+<hex key ID>+<base64 key>' } },
  })
  @Get('key')
  @Header('content-type', 'text/plain; charset=utf-8')
  key() {
    return formatVkey(this.log.origin, this.signingKey.publicKey) + '\n';
  }

  /** Every key a client needs to check what the log serves: its Ed25519 and ML-DSA-44 vkeys, the witnesses and their quorum, the TSAs' CAs. */
  @Public()
  @ApiRoute({ summary: 'Every key needed to check the log', answer: LogKeysDto })
  @Get('keys')
  keys(): LogKeys {
    return this.logKeys;
  }

  @Public()
  @ApiRoute({ summary: 'An inclusion proof', answer: InclusionProofDto, problems: ['out-of-range', 'unavailable'] })
  @Get('proof/inclusion')
  inclusion(@Query() q: InclusionQuery) {
    return this.log.inclusionProof(q.leafIndex, q.treeSize);
  }

  @Public()
  @ApiRoute({ summary: 'A consistency proof', answer: ConsistencyProofDto, problems: ['out-of-range', 'unavailable'] })
  @Get('proof/consistency')
  consistency(@Query() q: ConsistencyQuery) {
    if (q.from > q.to) throw invalid('out-of-range', 'from must not exceed to');
    return this.log.consistencyProof(q.from, q.to);
  }

  /** Envelopes with leaf indexes in [start, end), at most 1000. */
  @ApiBearerAuth()
  @Roles('auditor', 'admin')
  @ApiRoute({ summary: 'Log entries by leaf index', answer: EntriesDto, problems: ['out-of-range'] })
  @Get('entries')
  async entries(@Query() q: EntriesQuery) {
    if (q.end <= q.start || q.end - q.start > MAX_ENTRIES)
      throw invalid('out-of-range', `end must be greater than start and at most ${MAX_ENTRIES} above it`);
    return { items: await this.store.readAll(q.start, { limit: q.end - q.start }) };
  }

  /** The whole log as NDJSON, one envelope per line in leaf order, streamed. */
  @ApiBearerAuth()
  @Roles('auditor', 'admin')
  @ApiRoute({
    summary: 'The whole log as NDJSON',
    answer: {
      mediaType: 'application/x-ndjson',
      schema: { type: 'string', description: 'One event envelope (JSON) per line, in leaf order' },
    },
  })
  @Get('export')
  async export(@Res() reply: FastifyReply) {
    const end = await this.store.count();
    const store = this.store;
    async function* lines() {
      for (let position = 0; position < end;) {
        const batch = await store.readAll(position, { limit: Math.min(MAX_ENTRIES, end - position) });
        if (batch.length === 0) return;
        yield exportText(batch);
        position += batch.length;
      }
    }
    return reply
      .header('content-type', 'application/x-ndjson; charset=utf-8')
      .header('x-log-size', String(end))
      .send(Readable.from(lines()));
  }
}
