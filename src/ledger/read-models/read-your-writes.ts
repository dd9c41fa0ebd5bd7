// Read-your-writes by log position. A write is answered once its events are durable, with the log size it reached in
// `Ledger-Position`; the read models follow the log behind it. A request that reads them first waits (bounded) until they
// cover the position it needs: the `Min-Position` it names (header, or `minPosition` in the query), and by default the log
// as it was when the request arrived (`LEDGER_READ_AFTER=log`) or only the principal's own last write (`own`).
import { Inject, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Principal } from '../../common/access.js';
import { DomainError, invalid } from '../../common/domain-error.js';
import { APP_CONFIG, type AppConfig } from '../../config.js';
import type { EventStore } from '../event-store/event-store.port.js';
import { EVENT_STORE } from '../ledger.tokens.js';
import { writtenPosition } from '../write/request-writes.js';
import { ProjectionRunner } from './projection-runner.js';

export const POSITION_HEADER = 'ledger-position';
export const MIN_POSITION_HEADER = 'min-position';
export const MIN_POSITION_QUERY = 'minPosition';
const READS_NO_READ_MODELS = 'ledger:reads-no-read-models';
/** Principals whose last write is remembered (`own`): the oldest are forgotten first. */
const REMEMBERED_PRINCIPALS = 100_000;

/**
 * The route decides and answers from the event store and the pure rules alone: it does not wait for the read models
 * unless the request names a `Min-Position` (the filing path: its answer never reads them).
 */
export const ReadsNoReadModels = () => SetMetadata(READS_NO_READ_MODELS, true);

/** The read models are behind the position asked for after the bounded wait: 503, retry shortly. */
export class ReadModelsBehindError extends DomainError {
  readonly name = 'ReadModelsBehindError';
  readonly retryAfterSeconds = 1;
  constructor(position: number, reached: number) {
    super('unavailable', 'read-models-behind', `the read models cover ${reached} events of the log, not yet the ${position} asked for`, {
      position,
      reached,
    });
  }
}

/**
 * The request's URL without its `minPosition` parameters: what a request asks of the ledger, whatever position it waits
 * for first (an Idempotency-Key's retry may name the position of a later answer).
 */
export function withoutMinPosition(url: string): string {
  const at = url.indexOf('?');
  if (at < 0 || !url.includes(MIN_POSITION_QUERY, at)) return url;
  const kept = url
    .slice(at + 1)
    .split('&')
    .filter((pair) => decodeURIComponent(pair.split('=')[0].replace(/\+/g, ' ')) !== MIN_POSITION_QUERY);
  return kept.length > 0 ? `${url.slice(0, at)}?${kept.join('&')}` : url.slice(0, at);
}

/** Digits beyond these are a position no log reaches (and past what a number holds exactly): beyond the log, not malformed. */
const POSITION_DIGITS = 15;

/** A position named by the request: null when it names none; Infinity when it names a position no log reaches. */
function parsePosition(value: unknown, name: string, header = false): number | null {
  if (value === undefined) return null;
  // A parameter given twice is a list; a header sent twice, one value with ", " between them (Node joins them).
  if (Array.isArray(value) || (header && typeof value === 'string' && value.includes(',')))
    throw invalid('invalid-min-position', `${name} is given more than once; give it once`);
  if (typeof value !== 'string' || !/^\d+$/.test(value))
    throw invalid('invalid-min-position', `${name} must be a log position: a non-negative integer`);
  const digits = value.replace(/^0+(?=\d)/, '');
  return digits.length > POSITION_DIGITS ? Infinity : Number(digits);
}

/** What the request gates read of a request: its headers, query and body, and the principal authentication found. */
export type GatedRequest = FastifyRequest & { principal?: Principal };

/**
 * Read-your-writes around a request, without an interceptor: `before` runs in LedgerRequestGuard once the principal is
 * known, `answered` in the server's onSend hook (a guard and a hook rather than an interceptor: ledger-request.guard.ts).
 */
@Injectable()
export class ReadYourWrites {
  /** Each principal's last write in this process: the log size it reached (`own`). */
  private readonly lastWrite = new Map<string, number>();

  constructor(
    private readonly reflector: Reflector,
    private readonly runner: ProjectionRunner,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Before the route's handler (`handler`): waits until the read models cover the position the request needs. */
  async before(request: GatedRequest, handler: object): Promise<void> {
    const query = request.query as Record<string, unknown> | undefined;
    let asked = parsePosition(request.headers[MIN_POSITION_HEADER], 'Min-Position', true);
    if (query && typeof query === 'object' && MIN_POSITION_QUERY in query) {
      // Not a field of any route's query DTO, which refuses unknown fields.
      asked = Math.max(asked ?? 0, parsePosition(query[MIN_POSITION_QUERY], MIN_POSITION_QUERY)!);
      delete query[MIN_POSITION_QUERY];
    }
    const readsNone = this.reflector.get<boolean>(READS_NO_READ_MODELS, handler as never) === true;
    await this.catchUp(asked ?? 0, readsNone ? null : request.principal?.principalId);
  }

  /**
   * Once the request is answered: a request that wrote and succeeded answers the log position its commits reached (the
   * command records it: LedgerWriter, by way of the controller's CurrentWrites), remembered for the principal's reads.
   */
  answered(request: GatedRequest, reply: FastifyReply): void {
    const position = writtenPosition(request);
    if (position === 0 || reply.statusCode >= 400) return;
    void reply.header(POSITION_HEADER, String(position));
    const principalId = request.principal?.principalId;
    if (principalId) this.remember(principalId, position);
  }

  /**
   * Waits until the read models cover `asked` and, unless the route reads none (`principalId` null), the default
   * position: the log size now, or the principal's own last write.
   */
  private async catchUp(asked: number, principalId: string | null | undefined): Promise<void> {
    let position = asked;
    if (principalId !== null) {
      if (this.config.readAfter === 'log') {
        position = Math.max(position, await this.store.count());
      } else if (principalId) position = Math.max(position, this.lastWrite.get(principalId) ?? 0);
    }
    if (position <= this.runner.position) return;
    if (asked > this.runner.position) {
      const size = await this.store.count();
      if (asked > size)
        throw invalid(
          'min-position-ahead',
          `Min-Position ${Number.isFinite(asked) ? `${asked} ` : ''}is beyond the end of the log (${size} events)`,
        );
    }
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<'expired'>((resolve) => {
      timer = setTimeout(() => resolve('expired'), this.config.readWaitMs);
    });
    try {
      // A batch that failed to apply (the runner tries again a second later) leaves the read models behind as a timeout
      // does: the reader is told to retry, not handed the runner's error.
      const reached = this.runner.waitFor(position - 1).then(
        () => 'reached' as const,
        () => 'failed' as const,
      );
      const outcome = await Promise.race([reached, expired]);
      if (outcome !== 'reached') throw new ReadModelsBehindError(position, this.runner.position);
    } finally {
      clearTimeout(timer);
    }
  }

  private remember(principalId: string, position: number): void {
    const before = this.lastWrite.get(principalId) ?? 0;
    this.lastWrite.delete(principalId); // re-inserted last: the Map's order is the order of last writes
    this.lastWrite.set(principalId, Math.max(before, position));
    if (this.lastWrite.size > REMEMBERED_PRINCIPALS) this.lastWrite.delete(this.lastWrite.keys().next().value!);
  }
}
