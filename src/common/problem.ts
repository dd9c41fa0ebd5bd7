// One error shape: RFC 9457 problem+json, mapped once from every kind of error the service can meet.
import { STATUS_CODES } from 'node:http';
import { HttpException, HttpStatus, type ValidationError } from '@nestjs/common';
import { DomainError, type DomainErrorKind } from './domain-error.js';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export interface FieldError {
  field: string;
  message: string;
}
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  errors?: FieldError[];
  [extension: string]: unknown;
}

const STATUS_OF: Record<DomainErrorKind, number> = {
  invalid: 400,
  unauthorized: 401,
  forbidden: 403,
  'not-found': 404,
  timeout: 408,
  conflict: 409,
  gone: 410,
  'too-large': 413,
  unprocessable: 422,
  unavailable: 503,
};
const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  408: 'Request Timeout',
  409: 'Conflict',
  410: 'Gone',
  413: 'Content Too Large',
  414: 'URI Too Long',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  431: 'Request Header Fields Too Large',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};
/**
 * The reason phrase of a status line: the status's name in RFC 9110, as a problem's title gives it, where Node's table
 * still has older ones (413 Payload Too Large, 422 Unprocessable Entity); Node's for a status no problem has.
 */
export const reasonPhrase = (status: number): string => TITLES[status] ?? STATUS_CODES[status] ?? 'unknown';

/** The code of a refusal that names no problem of its own, by its HTTP status. */
export const CODES: Record<number, string> = {
  400: 'bad-request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not-found',
  405: 'method-not-allowed',
  406: 'not-acceptable',
  409: 'conflict',
  410: 'gone',
  413: 'body-too-large',
  414: 'uri-too-long',
  415: 'unsupported-media-type',
  422: 'unprocessable',
  429: 'rate-limited',
  500: 'internal',
  503: 'unavailable',
};

export const problemType = (code: string) => `urn:sandbox-ledger:problem:${code}`;

export function problem(status: number, code: string, detail: string, extensions: Record<string, unknown> = {}): Problem {
  return { type: problemType(code), title: TITLES[status] ?? 'Error', status, detail, ...extensions };
}

/** Raised by the ValidationPipe: every failing field with its message. */
export class ValidationProblem extends HttpException {
  constructor(readonly fieldErrors: FieldError[]) {
    super('request validation failed', HttpStatus.BAD_REQUEST);
  }
}

/** Constraints that say what type a value must have: when one fails, the others (length, range, …) are beside the point. */
const TYPE_CONSTRAINTS = ['isArray', 'isObject', 'nestedValidation', 'isString', 'isInt', 'isNumber', 'isBoolean'];

/** The message about a value's type: an array's first, then an object's (its shape), then a scalar's. */
function typeMessages(constraints: Record<string, string>): string[] | undefined {
  const failed = TYPE_CONSTRAINTS.filter((c) => c in constraints);
  if (failed.length === 0) return undefined;
  if (failed.includes('isArray')) return [constraints.isArray];
  if (failed.includes('isObject')) return [constraints.isObject];
  const scalar = failed.filter((c) => c !== 'nestedValidation');
  return scalar.length ? scalar.map((c) => constraints[c]) : ['$field must be an object'];
}

/**
 * A member named by the empty string (`{"": 1}`, `?=x`), as a message names it: its path alone would make a message
 * that begins with a blank, or a path that ends with a dot.
 */
const unnamedField = (parent: string) => (parent ? `a field without a name in ${parent}` : 'a field without a name');

/**
 * One message per field where one says it all, each naming the field by its path (`generation.tool`): a missing field
 * is required; a value of the wrong type says the type expected (an object: the fields it takes), and its length, range
 * or nested fields are not checked further; other values get every rule they break.
 */
export function flattenValidationErrors(errors: ValidationError[], parent = ''): FieldError[] {
  return errors.flatMap((e) => {
    const field = parent ? `${parent}.${e.property}` : e.property;
    const constraints = e.constraints ?? {};
    const named = (message: string) =>
      message.replace('$field', field).replace(new RegExp(`^(each item of |each value in )?${e.property}\\b`), `$1${field}`);
    if ('whitelistValidation' in constraints)
      return [
        {
          field,
          message: `${e.property === '' ? unnamedField(parent) : field} is not a field of this request (unknown fields are refused)`,
        },
      ];
    if (Object.keys(constraints).length > 0 && 'value' in e && e.value === undefined) return [{ field, message: `${field} is required` }];
    const types = typeMessages(constraints);
    if (types) return types.map((m) => ({ field, message: named(m) }));
    const own = Object.values(constraints).map((message) => ({ field, message: named(message) }));
    return [...own, ...flattenValidationErrors(e.children ?? [], field)];
  });
}

/** The longest path segment a route's parameter takes (the router's maxParamLength): a longer one is 414. */
export const MAX_PARAM_LENGTH = 200;

/** Why a path segment longer than a route's parameter takes is refused (414), as the router finds it or the console's catch-all. */
export const PARAM_TOO_LONG = `a path segment is longer than the ${MAX_PARAM_LENGTH} characters a route's parameter takes`;

/**
 * Maps any thrown value to a problem; `internal` is true when it is our fault (logged, details hidden). `bodyLimit`: the
 * bytes of body the request's route takes, named when the body is larger.
 */
export function toProblem(err: unknown, bodyLimit?: number): { problem: Problem; internal: boolean } {
  if (err instanceof DomainError) {
    const status = STATUS_OF[err.kind];
    return { problem: problem(status, err.code, err.detail, err.extensions), internal: status >= 500 };
  }
  if (err instanceof ValidationProblem) {
    return {
      problem: problem(400, 'validation-failed', err.fieldErrors.map((e) => e.message).join('; '), { errors: err.fieldErrors }),
      internal: false,
    };
  }
  // A JSON body that does not parse, or is empty, is `malformed-json`, as the API documents it (and as a multipart field
  // that does not parse is). Fastify's error for it reaches here as Nest hands it on, an HttpException with it as the
  // cause, which was answered as `bad-request` with Fastify's wording.
  const fastifyCode = ((err instanceof HttpException ? err.cause : err) as { code?: unknown } | undefined)?.code;
  if (fastifyCode === 'FST_ERR_CTP_INVALID_JSON_BODY')
    return { problem: problem(400, 'malformed-json', 'the request body is not valid JSON'), internal: false };
  if (fastifyCode === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    const detail = bodyLimit ? `the request body is larger than the ${bodyLimit} bytes this route takes` : 'the request body is too large';
    return { problem: problem(413, 'body-too-large', detail), internal: false };
  }
  if (fastifyCode === 'FST_ERR_MAX_PARAM_LENGTH') return { problem: problem(414, 'uri-too-long', PARAM_TOO_LONG), internal: false };
  if (fastifyCode === 'FST_ERR_CTP_EMPTY_JSON_BODY')
    return {
      problem: problem(400, 'malformed-json', 'the request body is empty: a JSON body was declared (Content-Type)'),
      internal: false,
    };
  if (err instanceof HttpException) {
    const status = err.getStatus();
    const body = err.getResponse();
    const message =
      typeof body === 'string'
        ? body
        : Array.isArray((body as { message?: unknown }).message)
          ? (body as { message: string[] }).message.join('; ')
          : String((body as { message?: unknown }).message ?? err.message);
    return { problem: problem(status, CODES[status] ?? 'error', message), internal: status >= 500 };
  }
  // Errors raised by Fastify itself (body parsing, limits, media types) carry a 4xx statusCode.
  const e = err as { statusCode?: number; code?: string; message?: string };
  if (typeof e?.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    const status = e.statusCode;
    return { problem: problem(status, CODES[status] ?? 'bad-request', e.message ?? 'bad request'), internal: false };
  }
  if (err instanceof SyntaxError) return { problem: problem(400, 'malformed-json', 'the request body is not valid JSON'), internal: false };
  return { problem: problem(500, 'internal', 'an internal error occurred; it has been logged'), internal: true };
}
