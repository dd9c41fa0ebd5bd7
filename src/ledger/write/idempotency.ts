// Idempotency-Key on writes: the same key with the same request replays the first response; one event, not two.
// The key is claimed before the command runs and the command's events carry its token, so a crash between the append and
// the kept response does not let a retry append again: the retry is told the request was carried out.
import { createHash } from 'node:crypto';
import { sentMoreThanOnce } from '../../common/raw-headers.js';
import { Inject, Injectable, SetMetadata } from '@nestjs/common';
import { HTTP_CODE_METADATA } from '@nestjs/common/constants.js';
import { Reflector } from '@nestjs/core';
import { InjectDataSource } from '@nestjs/typeorm';
import type { FastifyReply } from 'fastify';
import { IsNull, type DataSource } from 'typeorm';
import type { EventStore } from '../event-store/event-store.port.js';
import { EVENT_STORE } from '../ledger.tokens.js';
import { ProjectionRunner } from '../read-models/projection-runner.js';
import { IdempotencyRecord } from './idempotency-record.entity.js';
import { canonicalJson, type JsonValue } from '../../verifier/envelope.js';
import { conflict, DomainError } from '../../common/domain-error.js';
import { refusedOnPurpose } from '../../common/problem.filter.js';
import { ReplayedResponse } from '../../common/replayed-response.js';
import { idempotencyToken } from '../../common/idempotency-context.js';
import { acceptedBodies, MULTIPART } from '../../common/request-body.js';
import { recordWrite, requestWrites, writtenPosition } from './request-writes.js';
import { type GatedRequest, withoutMinPosition } from '../read-models/read-your-writes.js';

const KEY = /^[\x21-\x7e]{1,255}$/;
const SECRET_RESPONSE = 'ledger:secret-response';
/** What is kept of a response that held a secret (a new API key): this mark, and the answer without the secret. */
const WITHHELD = 'the response held a secret';

/**
 * The route's response holds a secret, at each of `paths` (dotted member names, `apiKey.key`; one at least): with an
 * Idempotency-Key, the secret is never kept, and a repeat is answered 409 idempotency-key-applied with the first answer
 * less the secret (the ids it named, for the client to read what was made).
 */
export const SecretResponse = (path: string, ...paths: string[]) => SetMetadata(SECRET_RESPONSE, [path, ...paths]);

/**
 * The answer as it is kept for a route whose answer holds secrets at `paths`: those members left out. When one is not
 * where it is said to be (the answer took another shape), nothing of the answer is kept: it may hold the secret elsewhere.
 */
export function withheld(payload: unknown, paths: readonly string[]): string {
  let answer: unknown;
  try {
    answer = typeof payload === 'string' ? JSON.parse(payload) : null;
  } catch {
    answer = null;
  }
  for (const path of paths) {
    const names = path.split('.');
    let at: unknown = answer;
    for (const name of names.slice(0, -1)) at = isRecord(at) ? at[name] : undefined;
    const last = names[names.length - 1];
    if (!isRecord(at) || !Object.hasOwn(at, last)) {
      answer = null;
      break;
    }
    delete at[last];
  }
  return JSON.stringify({ withheld: WITHHELD, answer });
}

const isRecord = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

/** The first answer less its secrets, when `body` is one kept so; undefined for any other body. */
export function withheldAnswer(body: string): { answer: unknown } | undefined {
  if (!body.startsWith('{"withheld":')) return undefined;
  const kept = JSON.parse(body) as { withheld?: unknown; answer?: unknown };
  return kept.withheld === WITHHELD ? { answer: kept.answer ?? null } : undefined;
}
/** A claim this old with no events of its request in the log belongs to a request that stopped: it may be taken over. */
const CLAIM_LEASE_MS = 30_000;
/** The `createdAt` of a claim whose lease has ended: the next attempt looks for its events, then takes it over. */
const LEASE_ENDED = new Date(0).toISOString();
const SCAN_BATCH = 1_000;
type RecordKey = Pick<IdempotencyRecord, 'principalId' | 'idempotencyKey'>;
/**
 * The gates of uploads with an Idempotency-Key, waiting for their bodies: a multipart body is read by its route, after
 * the guard, and the key's claim or replay has to know it first.
 */
const awaitingUpload = new WeakMap<object, (upload: JsonValue) => Promise<void>>();

/**
 * Called by a route that takes an upload, once it has read the whole body and before it writes: `upload` is what it read
 * (its fields as parsed, and each file's name, type and SHA-256), which a request repeating the key must repeat. Claims
 * the key, or throws as the guard does for a JSON body: the first answer replayed, a different request refused.
 */
export async function uploadRead(request: object, upload: JsonValue): Promise<void> {
  const gate = awaitingUpload.get(request);
  if (!gate) return;
  awaitingUpload.delete(request);
  await gate(upload);
}

/**
 * A request whose body its route reads as an upload: its gate waits for uploadRead. Only a route that accepts
 * multipart (@Accepts) reads one and says so; on any other the request's own body (none, for a multipart type with an
 * empty body, which no hook refuses) is compared at once.
 */
function takesUpload(request: GatedRequest): boolean {
  return request.isMultipart() && Object.hasOwn(acceptedBodies(request), MULTIPART);
}

const inProgress = () =>
  conflict('idempotency-key-in-progress', 'a request with this Idempotency-Key is still being carried out; retry later');

/**
 * What a repeated Idempotency-Key must repeat: the method, the URL (less the position it waits for) and the body
 * (canonical JSON); for an upload, what the route read of it (`uploadRead`).
 */
export const requestFingerprint = (method: string, url: string, body: unknown): string =>
  createHash('sha256')
    .update(`${method} ${url}\n${canonicalJson(body ?? null)}`)
    .digest('hex');

/** A request under way with an Idempotency-Key, from its gate to its answer. */
interface Pending {
  key: RecordKey;
  slot: string;
  /** Whether the request holds the key's claim (so its answer is kept, or the claim freed): not while it waits or is refused. */
  claimed: boolean;
  /** Where the route's answer holds secrets (SecretResponse); null when it holds none. */
  secrets: string[] | null;
  /** Resolves `finished`, which a concurrent request with the same key waits for. */
  finish: () => void;
  finished: Promise<void>;
}

/**
 * Idempotency-Key around a write, without an interceptor (see ReadYourWrites): `before` runs in LedgerRequestGuard once
 * the principal is known, `answered` in the server's onSend hook, which every answer sent through Fastify goes through
 * (the handler's, a refusal's problem, a replay's). Answers are JSON: what was sent is kept as it was sent.
 */
@Injectable()
export class Idempotency {
  /** Requests under way per principal and key: a concurrent retry waits for the first one. */
  private readonly inFlight = new Map<string, Promise<void>>();
  private readonly pending = new WeakMap<object, Pending>();

  constructor(
    private readonly reflector: Reflector,
    @InjectDataSource() private readonly db: DataSource,
    private readonly runner: ProjectionRunner,
    @Inject(EVENT_STORE) private readonly store: EventStore,
  ) {}

  /**
   * Before the route's handler: a request with an Idempotency-Key claims it, or is refused, or gets the first request's
   * answer again (thrown as a ReplayedResponse, which the exception filter sends). An upload does so once its route has
   * read it (uploadRead).
   */
  async before(request: GatedRequest, reply: FastifyReply, handler: object): Promise<void> {
    const header = request.headers['idempotency-key'];
    if (header === undefined || request.method === 'GET' || request.method === 'HEAD' || !request.principal) return;
    if (sentMoreThanOnce(request.raw.rawHeaders, 'idempotency-key'))
      throw new DomainError('invalid', 'invalid-idempotency-key', 'Idempotency-Key is given more than once; give it once');
    if (typeof header !== 'string' || !KEY.test(header))
      throw new DomainError(
        'invalid',
        'invalid-idempotency-key',
        'Idempotency-Key must be 1 to 255 visible ASCII characters, with no space',
      );
    const principalId = request.principal.principalId;
    if (takesUpload(request)) {
      requestWrites(request).awaitingUpload = true;
      awaitingUpload.set(request, (upload) => {
        requestWrites(request).awaitingUpload = false;
        return this.gate(request, reply, handler, principalId, header, upload);
      });
      return;
    }
    await this.gate(request, reply, handler, principalId, header, request.body);
  }

  /** The key's claim for a request whose body (as parsed) is `body`. */
  private async gate(request: GatedRequest, reply: FastifyReply, handler: object, principalId: string, header: string, body: unknown) {
    const fingerprint = requestFingerprint(request.method, withoutMinPosition(request.url), body);
    const key = { principalId, idempotencyKey: header };
    const token = idempotencyToken(principalId, header);
    let finish!: () => void;
    const finished = new Promise<void>((resolve) => (finish = resolve));
    const slot = `${principalId}\n${header}`;
    const prior = this.inFlight.get(slot);
    this.inFlight.set(slot, finished);
    const pending: Pending = {
      key,
      slot,
      claimed: false,
      secrets: this.reflector.get<string[] | undefined>(SECRET_RESPONSE, handler as never) ?? null,
      finish,
      finished,
    };
    this.pending.set(request, pending); // from here on, the answer (whatever it is) ends it
    // A request with the same key waits for this one until it is answered, or until its connection closes without an
    // answer (a route that answered on the raw response): then the claim, not this wait, keeps the two apart.
    reply.raw.once('close', () => this.release(pending));
    await prior;
    const found = await this.db.getRepository(IdempotencyRecord).findOneBy(key);
    if (found) {
      if (found.fingerprint !== fingerprint)
        throw new DomainError('unprocessable', 'idempotency-key-reused', 'this Idempotency-Key was used with a different request');
      const kept = found.body === null ? undefined : withheldAnswer(found.body);
      if (kept) {
        // With the log position the first request reached, for a read to wait for (Min-Position) as its answer said.
        throw conflict(
          'idempotency-key-applied',
          'the request with this Idempotency-Key was carried out; its response held a secret, which is never kept: `answer` is that response without it',
          { ...kept, ...(found.position !== null ? { position: found.position } : {}) },
        );
      }
      if (found.body !== null) {
        // A record kept before answers were kept with their status has none: the route's own.
        const status: number = this.reflector.get(HTTP_CODE_METADATA, handler as never) ?? (request.method === 'POST' ? 201 : 200);
        // The replay answers the position the first request reached, as the first answer did (ReadYourWrites).
        if (found.position !== null) recordWrite(requestWrites(request), found.position);
        throw new ReplayedResponse(found.statusCode ?? status, found.body);
      }
      await this.resume(found, key, token);
    } else {
      await this.claim(key, fingerprint);
    }
    pending.claimed = true;
    requestWrites(request).idempotency = token; // the command's events carry it (LedgerWriter)
  }

  /**
   * Once the request is answered, before the answer is sent: a success is kept for repeats; a client error with nothing
   * appended frees the key as if the request had not been made. A server error may come after an append: the claim
   * stays, and a retry looks for the request's events before doing anything. When it is a refusal the server chose with
   * nothing appended (503 stale-time, which asks for the request again), the claim's lease is ended instead, so that the
   * retry looks at once rather than waiting it out. Null when there is nothing to do.
   */
  answered(request: object, reply: FastifyReply, payload: unknown): Promise<unknown> | null {
    const pending = this.pending.get(request);
    if (!pending) return null;
    this.pending.delete(request);
    const status = reply.statusCode;
    let work: Promise<unknown> | null = null;
    if (pending.claimed && status < 400) {
      const body = pending.secrets ? withheld(payload, pending.secrets) : typeof payload === 'string' && payload !== '' ? payload : 'null';
      const position = writtenPosition(request) || null;
      work = this.runner.exclusive((em) => em.update(IdempotencyRecord, pending.key, { statusCode: status, body, position }));
    } else if (pending.claimed && status < 500 && writtenPosition(request) === 0) {
      work = this.runner.exclusive((em) => em.delete(IdempotencyRecord, { ...pending.key, body: IsNull() }));
    } else if (pending.claimed && refusedOnPurpose(request) && writtenPosition(request) === 0) {
      // Not freed: another attempt with the key, one whose claim this request took over, may still append.
      work = this.runner.exclusive((em) => em.update(IdempotencyRecord, { ...pending.key, body: IsNull() }, { createdAt: LEASE_ENDED }));
    }
    if (!work) {
      this.release(pending);
      return null;
    }
    return work.finally(() => this.release(pending));
  }

  /** Lets a request with the same key go on (once: the answer and the connection's close both call it). */
  private release(pending: Pending): void {
    pending.finish();
    if (this.inFlight.get(pending.slot) === pending.finished) this.inFlight.delete(pending.slot);
  }

  /** Claims the key before the command runs, with the log size now; a claim made meanwhile elsewhere wins. */
  private async claim(key: RecordKey, fingerprint: string): Promise<void> {
    const logSize = await this.store.count();
    // The caller found no record, and requests with this key in this process wait for one another: a key taken
    // meanwhile was taken by another instance, whose insert wins.
    await this.runner
      .exclusive((em) =>
        em.insert(IdempotencyRecord, { ...key, fingerprint, statusCode: null, body: null, createdAt: new Date().toISOString(), logSize }),
      )
      .catch(async (err: unknown) => {
        if (await this.db.getRepository(IdempotencyRecord).findOneBy(key)) throw inProgress();
        throw err;
      });
  }

  /**
   * A claim without a response: the request is still running on another instance, or its process stopped before the
   * response was kept. Its events, if it appended any, carry the token: then the request was carried out and is not
   * done again. Otherwise the claim is taken over once it is older than the lease.
   */
  private async resume(claim: IdempotencyRecord, key: RecordKey, token: string): Promise<void> {
    const from = claim.logSize ?? 0;
    for (let at = from; ;) {
      const events = await this.store.readAll(at, { limit: SCAN_BATCH });
      if (events.length === 0) break;
      const mine = events.find((e) => e.meta.idempotency === token);
      if (mine) {
        if (mine.leafIndex !== from) {
          await this.runner.exclusive((em) => em.update(IdempotencyRecord, key, { logSize: mine.leafIndex }));
        }
        throw conflict(
          'idempotency-key-applied',
          `the request with this Idempotency-Key was carried out (event ${mine.leafIndex} of stream ${mine.stream}) but its response was not kept; read the resource instead`,
          { leafIndex: mine.leafIndex, stream: mine.stream, eventHash: mine.hash },
        );
      }
      at += events.length;
    }
    if (Date.now() - Date.parse(claim.createdAt) < CLAIM_LEASE_MS) throw inProgress();
    const logSize = await this.store.count();
    await this.runner.exclusive((em) => em.update(IdempotencyRecord, key, { createdAt: new Date().toISOString(), logSize }));
  }
}
