// The OpenAPI document's one mechanism for what a route answers: @ApiRoute names its summary, its success body and the
// problems it may answer besides those every route of its kind may (authentication, bodies, rate limits), and
// documentProblems() turns them into problem+json responses, one per status, each listing its problem types.
import { applyDecorators, HttpStatus, RequestMethod, type Type } from '@nestjs/common';
import { HTTP_CODE_METADATA, METHOD_METADATA } from '@nestjs/common/constants.js';
import {
  ApiExtension,
  ApiProduces,
  ApiResponse,
  type HeaderObject,
  type OpenAPIObject,
  type OperationObject,
  type ParameterObject,
  type ResponseObject,
  type SchemaObject,
} from '@nestjs/swagger';
import { PROBLEM_CONTENT_TYPE, problemType } from './problem.js';
import { MULTIPART, MULTIPART_SCHEMA_EXTENSION } from './request-body.js';

/** Every problem type a route may answer, with its status (or statuses, where one code is thrown in two cases). */
export const PROBLEM_STATUS = {
  // any request
  'bad-request': 400,
  'validation-failed': 400,
  'malformed-json': 400,
  'invalid-unicode': 400,
  'invalid-number': 400,
  'too-deep': 400,
  'reserved-name': 400,
  'body-too-large': 413,
  'unsupported-media-type': 415,
  'rate-limited': 429,
  unavailable: 503,
  // a request that arrived once the server began to close
  'shutting-down': 503,
  // a write whose commit came too long after the time it read (src/ledger/event-store/event-admission.ts)
  'stale-time': 503,
  // refused by the HTTP parser, before any route: headers too large, a request not received in time
  'headers-too-large': 431,
  'request-timeout': 408,
  // reads that wait for the read models (Min-Position, or the log as it was when the request arrived)
  'invalid-min-position': 400,
  'min-position-ahead': 400,
  'read-models-behind': 503,
  // keys and roles
  'missing-key': 401,
  'invalid-key': 401,
  'key-expired': 401,
  'role-required': 403,
  // Idempotency-Key
  'invalid-idempotency-key': 400,
  'idempotency-key-applied': 409,
  'idempotency-key-in-progress': 409,
  'idempotency-key-reused': 422,
  // identity
  'expiry-beyond-key': 400,
  'expiry-not-in-future': 400,
  'invalid-roles': 400,
  'principal-not-found': 404,
  'key-not-found': 404,
  'principal-exists': 409,
  'key-revoked': 409,
  'last-admin-key': 409,
  // filings
  'invalid-hash': 400,
  'empty-amendment': 400,
  'not-owner': 403,
  'filing-not-found': 404,
  'not-filed': 404,
  'filing-exists': 409,
  'duplicate-content': 409,
  'content-is-registered-copy': 409,
  'already-withdrawn': 409,
  'filing-withdrawn': 409,
  'dispute-open': 409,
  'right-transferred': 409,
  'right-revoked': 409,
  'right-expired': 409,
  'amendment-limit': 409,
  // uploads
  'file-required': 400,
  'metadata-required': 400,
  'unexpected-part': 400,
  'malformed-multipart': 400,
  'file-too-large': 413,
  'metadata-too-large': 413,
  'too-many-files': 413,
  'too-many-parts': 413,
  'empty-content': 422,
  'evidence-made-later': 422,
  'content-hash-mismatch': 422,
  'content-type-mismatch': 422,
  'perceptual-hash-mismatch': 422,
  'image-too-large': 422,
  'image-unreadable': 422,
  // labels and copies
  'label-rules-not-met': 422,
  'labels-unchanged': 409,
  'labels-not-declared': 409,
  'no-computed-hash': 409,
  'copy-is-filed-content': 409,
  'copy-already-registered': 409,
  'copy-label-missing': 422,
  'copy-label-malformed': 422,
  'copy-label-differs': 422,
  'copy-not-an-image': 422,
  'copy-not-the-same-work': 422,
  // disputes
  'own-filing': 400,
  'basis-is-target': 400,
  'claim-required': 400,
  'statement-required': 400,
  'grounds-required': 400,
  'reasoning-required': 400,
  'remedy-required': 400,
  'remedy-not-allowed': 400,
  'remedy-not-applicable': 400,
  'remedy-unchanged': 400,
  'duplicate-evidence': 400,
  'duplicate-evidence-file': 400,
  'evidence-filename-required': 400,
  'evidence-file-missing': 400,
  'evidence-file-undescribed': 400,
  'unknown-reviewer': 400,
  'not-a-reviewer': 400,
  'basis-not-owned': 403,
  'not-a-party': 403,
  'not-complainant': 403,
  'not-respondent': 403,
  'not-assigned-reviewer': 403,
  'assign-self-only': 403,
  // 400 when an admin assigns a party as reviewer; 403 when a reviewer who is a party acts
  'reviewer-is-party': [400, 403],
  'same-reviewer': 403,
  'dispute-not-found': 404,
  'basis-filing-not-found': 404,
  'dispute-exists': 409,
  'basis-filing-withdrawn': 409,
  'already-assigned': 409,
  'not-assigned': 409,
  'already-responded': 409,
  'response-window-closed': 409,
  'awaiting-response': 409,
  'already-decided': 409,
  'not-decided': 409,
  'already-appealed': 409,
  'nothing-to-appeal': 409,
  'appeal-window-closed': 409,
  'not-appealed': 409,
  'appeal-already-decided': 409,
  'dispute-final': 409,
  'dispute-returned': 409,
  'dispute-withdrawn': 409,
  'evidence-hash-mismatch': 422,
  'evidence-type-mismatch': 422,
  // rights, policy, settlements
  'right-not-yet-open': 404,
  'reviewer-is-creator': 403,
  'flag-not-raised': 409,
  'flag-already-reviewed': 409,
  'flag-decided-by-dispute': 409,
  'right-closed': 409,
  'effective-from-not-after-latest': 409,
  'effective-from-not-future': 422,
  'effective-from-too-far': 422,
  'policy-unchanged': 422,
  'settlement-out-of-order': 409,
  'as-of-in-future': 422,
  // the policy holds a version under rules newer than this build's: whatever uses the rules is refused
  'ruleset-unknown': 503,
  // the log
  'out-of-range': 400,
} as const satisfies Record<string, number | readonly number[]>;
export type ProblemCode = keyof typeof PROBLEM_STATUS;

/** What a route returns on success: a class (its schema comes from its properties), or a schema with its media type. */
export type RouteAnswer = Type<unknown> | [Type<unknown>] | { schema: SchemaObject; mediaType: string };

export interface RouteDoc {
  /** One line: what the route does. (Its doc comment is the description.) */
  summary: string;
  /** The body of the success answer. */
  answer: RouteAnswer;
  /** Another media type the same answer may take (e.g. text/plain with Accept). */
  alternative?: { schema: SchemaObject; mediaType: string };
  /** Another success status with the same body (e.g. 200 for a filing the caller already holds). */
  alsoStatus?: number;
  /** The problems this route may answer besides those of every route of its kind. */
  problems?: ProblemCode[];
}

const PROBLEMS_EXTENSION = 'x-problems';

/**
 * Documents a route: place it above the route's method decorator (@Get, @Post, …), whose metadata it reads to know
 * the success status (201 for a POST unless @HttpCode says otherwise).
 */
export function ApiRoute(doc: RouteDoc): MethodDecorator {
  return (target, key, descriptor) => {
    const handler = descriptor.value as object;
    const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
    if (method === undefined) throw new Error(`@ApiRoute on ${String(key)} must be placed above its route decorator`);
    const status =
      (Reflect.getMetadata(HTTP_CODE_METADATA, handler) as number | undefined) ??
      (method === RequestMethod.POST ? HttpStatus.CREATED : HttpStatus.OK);
    const answer = doc.answer;
    const responses = [status, ...(doc.alsoStatus ? [doc.alsoStatus] : [])].map((s) =>
      'schema' in answer
        ? ApiResponse({ status: s, description: doc.summary, schema: answer.schema })
        : ApiResponse({
            status: s,
            description: doc.summary,
            type: Array.isArray(answer) ? answer[0] : answer,
            isArray: Array.isArray(answer),
          }),
    );
    // A class answers JSON; a second media type (doc.alternative) is added by documentProblems.
    const mediaTypes = 'schema' in answer ? [answer.mediaType] : [];
    // The summary travels with the problems: the CLI plugin's ApiOperation (the doc comment as description) would reset it.
    applyDecorators(
      ...responses,
      ...(mediaTypes.length ? [ApiProduces(...mediaTypes)] : []),
      ApiExtension(PROBLEMS_EXTENSION, { summary: doc.summary, codes: doc.problems ?? [], alternative: doc.alternative ?? null }),
    )(target, key, descriptor);
  };
}

/** The problems every route of a kind may answer. */
const AUTHENTICATED: ProblemCode[] = ['missing-key', 'invalid-key', 'key-expired', 'role-required', 'rate-limited'];
const WITH_BODY: ProblemCode[] = [
  'validation-failed',
  'malformed-json',
  'invalid-unicode',
  'invalid-number',
  'too-deep',
  'reserved-name',
  'body-too-large',
  'unsupported-media-type',
];
const IDEMPOTENT_WRITE: ProblemCode[] = [
  'invalid-idempotency-key',
  'idempotency-key-applied',
  'idempotency-key-in-progress',
  'idempotency-key-reused',
  'unavailable',
  'stale-time',
];
const WITH_PARAMETERS: ProblemCode[] = ['validation-failed', 'reserved-name'];
/**
 * A route that takes no query parameters refuses any it is given (src/common/query-parameters.ts); any request that
 * arrives once the server began to close is refused (src/common/closing.ts).
 */
const EVERY_ROUTE: ProblemCode[] = ['validation-failed', 'shutting-down'];
/** A path parameter that must be a UUID answers bad-request when it is not one. */
const WITH_ID: ProblemCode[] = ['bad-request'];
/** Every request may name a position for the read models to reach first, and waits for it (docs/consistency.md). */
const READS_AFTER: ProblemCode[] = ['invalid-min-position', 'min-position-ahead', 'read-models-behind'];

const POSITION_SCHEMA: SchemaObject = { type: 'integer', minimum: 0 };
/** The parameters every route takes besides its own: a minimum log position, as a header or in the query. */
const MIN_POSITION: ParameterObject[] = [
  {
    name: 'Min-Position',
    in: 'header',
    required: false,
    description:
      'Answer only once the read models cover this many events of the log (e.g. the Ledger-Position of an earlier answer); at most once.',
    schema: POSITION_SCHEMA,
  },
  {
    name: 'minPosition',
    in: 'query',
    required: false,
    description: 'As the Min-Position header; at most once (the larger of the two counts when both are given).',
    schema: POSITION_SCHEMA,
  },
];
/** The header every authenticated write takes. */
const IDEMPOTENCY_KEY: ParameterObject = {
  name: 'Idempotency-Key',
  in: 'header',
  required: false,
  description: 'The same key with the same request answers the first response again instead of writing twice.',
  schema: { type: 'string', minLength: 1, maxLength: 255, pattern: '^[\\x21-\\x7e]+$' },
};
/** The headers of a write's success, and of a refusal that asks for a retry. */
const WRITE_HEADERS: Record<string, HeaderObject> = {
  'Ledger-Position': {
    description: 'When the request appended events: the log size its commits reached (every event below it is durable).',
    schema: { type: 'integer', minimum: 1 },
  },
  'Idempotent-Replayed': {
    description: '`true` when this is the kept answer of an earlier request with the same Idempotency-Key.',
    schema: { type: 'string', enum: ['true'] },
  },
};
const RETRY_AFTER: Record<string, HeaderObject> = {
  'Retry-After': {
    description: 'Seconds to wait before trying again, when the refusal names them.',
    schema: { type: 'integer', minimum: 0 },
  },
};

const PROBLEM_SCHEMA: SchemaObject = {
  type: 'object',
  description: 'An RFC 9457 problem: `type` names it (urn:sandbox-ledger:problem:<code>); extensions may follow.',
  required: ['type', 'title', 'status', 'detail'],
  properties: {
    type: { type: 'string', example: problemType('validation-failed') },
    title: { type: 'string', example: 'Bad Request' },
    status: { type: 'integer', example: 400 },
    detail: { type: 'string' },
    errors: {
      type: 'array',
      description: 'Each field refused and why (validation-failed and some upload problems).',
      items: {
        type: 'object',
        required: ['field', 'message'],
        properties: { field: { type: 'string', example: 'generation.tool' }, message: { type: 'string' } },
      },
    },
  },
  additionalProperties: true,
};

/**
 * Completes the document: each operation's problem responses (its own and those of its kind, grouped by status, as
 * application/problem+json with the Problem schema and the enum of its types, Retry-After on 429 and 503), the Problem
 * schema, the second media type of answers that have one, the parts of a multipart body, the minimum position every
 * route takes, and a write's Idempotency-Key and the headers of its success. `rateLimited` tells which public paths
 * answer 429.
 */
export function documentProblems(document: OpenAPIObject, rateLimited: (path: string) => boolean): OpenAPIObject {
  document.components = { ...document.components, schemas: { ...document.components?.schemas, Problem: PROBLEM_SCHEMA } };
  for (const [path, item] of Object.entries(document.paths)) {
    for (const [method, op] of Object.entries(item) as Array<[string, OperationObject & Record<string, unknown>]>) {
      if (typeof op !== 'object' || op === null || !('responses' in op)) continue;
      const own = op[PROBLEMS_EXTENSION] as
        { summary: string; codes: ProblemCode[]; alternative: RouteDoc['alternative'] | null } | undefined;
      delete op[PROBLEMS_EXTENSION];
      if (own) op.summary = own.summary;
      const authenticated = (op.security?.length ?? 0) > 0;
      const parameters = (op.parameters ?? []) as Array<{ in?: string; name?: string }>;
      const codes = new Set<ProblemCode>([
        ...(own?.codes ?? []),
        ...EVERY_ROUTE,
        ...(authenticated ? AUTHENTICATED : []),
        ...(!authenticated && method === 'get' && rateLimited(path) ? (['rate-limited'] as const) : []),
        ...(op.requestBody ? WITH_BODY : []),
        ...(authenticated && method !== 'get' ? IDEMPOTENT_WRITE : []),
        ...READS_AFTER,
        ...(parameters.some((p) => p.in === 'query') ? WITH_PARAMETERS : []),
        ...(parameters.some((p) => p.in === 'path' && /id$/i.test(p.name ?? '')) ? WITH_ID : []),
      ]);
      const byStatus = new Map<number, ProblemCode[]>();
      for (const code of codes)
        for (const status of [PROBLEM_STATUS[code]].flat()) byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
      for (const [status, list] of [...byStatus].sort(([a], [b]) => a - b)) {
        const response: ResponseObject = {
          description: `${list.join(', ')}`,
          content: {
            [PROBLEM_CONTENT_TYPE]: {
              schema: {
                allOf: [
                  { $ref: '#/components/schemas/Problem' },
                  { type: 'object', properties: { type: { type: 'string', enum: list.map(problemType) } } },
                ],
              },
            },
          },
        };
        if (status === 429 || status === 503) response.headers = RETRY_AFTER;
        op.responses[String(status)] = response;
      }
      const write = authenticated && method !== 'get';
      op.parameters = [...(op.parameters ?? []), ...MIN_POSITION, ...(write ? [IDEMPOTENCY_KEY] : [])];
      if (write)
        for (const [status, response] of Object.entries(op.responses) as Array<[string, ResponseObject]>)
          if (status.startsWith('2')) response.headers = { ...response.headers, ...WRITE_HEADERS };
      const multipart = op[MULTIPART_SCHEMA_EXTENSION] as SchemaObject | undefined;
      delete op[MULTIPART_SCHEMA_EXTENSION];
      const body = op.requestBody as { content?: Record<string, { schema?: unknown }> } | undefined;
      if (multipart && body?.content?.[MULTIPART]) body.content[MULTIPART] = { schema: multipart };
      if (own?.alternative) {
        for (const [status, response] of Object.entries(op.responses) as Array<[string, ResponseObject]>) {
          if (status.startsWith('2') && response.content) response.content[own.alternative.mediaType] = { schema: own.alternative.schema };
        }
      }
    }
  }
  return document;
}
