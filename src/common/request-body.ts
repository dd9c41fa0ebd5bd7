// Request bodies: what no field validation could accept, checked before any validator walks the body, and the one
// validation pipe every body goes through (JSON bodies and the JSON field of an upload alike).
import {
  applyDecorators,
  HttpException,
  HttpStatus,
  ValidationPipe,
  type ArgumentMetadata,
  type Type,
  type ValidationError,
  type ValidationPipeOptions,
} from '@nestjs/common';
import { RouteConfig } from '@nestjs/platform-fastify';
import { ApiConsumes, ApiExtension, type SchemaObject } from '@nestjs/swagger';
import { compiledValidation, FALLBACK } from './compiled-validation.js';
import { DomainError } from './domain-error.js';
import { flattenValidationErrors, ValidationProblem } from './problem.js';
import { repeatedKey } from '../verifier/repeated-key.js';
import './validation-metadata.js';

/** Far deeper than any request body of the API; the validation layer recurses, so depth must be bounded before it runs. */
export const MAX_JSON_DEPTH = 32;

// Events are hashed as RFC 8785 canonical JSON, which has no form for an unpaired surrogate.
const lone = () =>
  new DomainError('invalid', 'invalid-unicode', 'the JSON body contains an unpaired UTF-16 surrogate: strings must be well-formed Unicode');

/** UTF-8 that refuses what is not UTF-8: a lax decoder turns each such byte into U+FFFD, which was then written. */
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Request bytes as text, or `invalid-unicode` when they are not UTF-8 (the one encoding bodies are read in, JSON's own,
 * RFC 8259 §8.1). `what` names the bytes in the answer: the JSON body, or an upload's field.
 */
export function utf8Text(bytes: Uint8Array, what = 'the JSON body'): string {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    throw new DomainError('invalid', 'invalid-unicode', `${what} is not valid UTF-8: send its text encoded in UTF-8`);
  }
}

/**
 * Member names that JavaScript objects have already (Object.prototype's, and `prototype`): no field of the API has
 * one, and class-transformer and the ValidationPipe drop such keys without a word (a DTO's `toString` or `constructor`
 * was let through as if it had not been sent, a free-form map lost it), so a body holding one anywhere is refused.
 */
const RESERVED_NAMES: ReadonlySet<string> = new Set([...Object.getOwnPropertyNames(Object.prototype), 'prototype']);

const reserved = (name: string, where = 'the JSON body has a member') =>
  new DomainError(
    'invalid',
    'reserved-name',
    `${where} named "${name}": names of JavaScript's own object members (constructor, prototype, toString, valueOf, __proto__, …) are not accepted`,
  );

/**
 * Why a parsed JSON body cannot be accepted whatever its fields, or undefined. Iterative: a deeply nested body cannot
 * exhaust the stack. Every body of the API comes through here, so it allocates no more than a key list per object.
 */
function jsonBodyProblem(body: unknown): DomainError | undefined {
  const pending: unknown[] = [body];
  const depths: number[] = [0];
  while (pending.length > 0) {
    const v = pending.pop();
    const depth = depths.pop()!;
    if (typeof v === 'string') {
      if (!v.isWellFormed()) return lone();
    } else if (typeof v === 'number') {
      // A literal such as 1e400 parses to Infinity, which canonical JSON cannot represent either.
      if (!Number.isFinite(v))
        return new DomainError('invalid', 'invalid-number', 'the JSON body contains a number outside the IEEE 754 double range');
    } else if (v !== null && typeof v === 'object') {
      if (depth >= MAX_JSON_DEPTH)
        return new DomainError('invalid', 'too-deep', `the JSON body is nested more than ${MAX_JSON_DEPTH} levels deep`);
      if (Array.isArray(v)) {
        for (let i = 0; i < v.length; i++) {
          pending.push(v[i]);
          depths.push(depth + 1);
        }
      } else {
        const object = v as Record<string, unknown>;
        const keys = Object.keys(object);
        for (let i = 0; i < keys.length; i++) {
          if (!keys[i].isWellFormed()) return lone();
          if (RESERVED_NAMES.has(keys[i])) return reserved(keys[i]);
          pending.push(object[keys[i]]);
          depths.push(depth + 1);
        }
      }
    }
  }
  return undefined;
}

/** Request bodies found acceptable by `requestBodyProblem` (a request's body is not changed after it is parsed). */
const acceptable = new WeakSet<object>();

/**
 * `jsonBodyProblem` for a request's parsed body, remembered: the hook every request goes through checks the body, and
 * `validBody`, which a route may call on the same body, does not walk it again.
 */
export function requestBodyProblem(body: unknown): DomainError | ValidationProblem | undefined {
  // Every JSON body of the API is an object (a multipart body is not parsed into `body`, and no body is undefined): an
  // array's members were reported as unknown fields "0", "1", …, and null passed as an empty object.
  if (body === null || (body !== undefined && (typeof body !== 'object' || Array.isArray(body))))
    return new ValidationProblem([
      {
        field: 'body',
        message: `the request body must be a JSON object, not ${Array.isArray(body) ? 'an array' : body === null ? 'null' : `a ${typeof body}`}`,
      },
    ]);
  const object = typeof body === 'object' && body !== null;
  if (object && acceptable.has(body)) return undefined;
  const problem = jsonBodyProblem(body);
  if (object && problem === undefined) acceptable.add(body);
  return problem;
}

/** The options of the one validation pipe; the compiled path does what they ask, for every class it compiles. */
const VALIDATION_OPTIONS = {
  whitelist: true,
  forbidNonWhitelisted: true,
  forbidUnknownValues: true,
  transform: true,
  // Values stay on the errors (never sent back): the messages tell a missing field from one of the wrong type.
  validationError: { target: false, value: true },
  exceptionFactory: (errors: ValidationError[]) => new ValidationProblem(flattenValidationErrors(errors)),
} satisfies ValidationPipeOptions;

/**
 * Nest's ValidationPipe with each DTO's rules compiled once (compiled-validation.ts): a JSON object body is turned into
 * the DTO and checked by the class's compiled plan, with the same result as class-transformer and class-validator; the
 * rest (primitives, arrays, null, classes or values the plan does not know) goes through the ValidationPipe itself.
 */
class CompiledValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const metatype = metadata.metatype as (new () => object) | undefined;
    // A body's names were checked with the rest of it (requestBodyProblem); a query string's are flat.
    if (metadata.type === 'query' && value !== null && typeof value === 'object') {
      const name = Object.keys(value).find((key) => RESERVED_NAMES.has(key));
      if (name !== undefined) throw reserved(name, 'the query string has a parameter');
      // No query parameter of the API is a list: one given twice was told its value was not of its type.
      const twice = Object.entries(value as Record<string, unknown>).filter(([, v]) => Array.isArray(v));
      if (twice.length > 0)
        throw new ValidationProblem(twice.map(([field]) => ({ field, message: `${field} is given more than once; give it once` })));
    }
    if (
      metatype &&
      this.toValidate(metadata) &&
      value !== null &&
      typeof value === 'object' &&
      !Array.isArray(value) &&
      !this.isBinary(value)
    ) {
      // The compiled walk deletes __proto__, prototype and constructor keys as the ValidationPipe's stripProtoKeys does,
      // and leaves a sparse array (whose gaps the ValidationPipe would close) to the ValidationPipe.
      let result: ReturnType<typeof compiledValidation> | undefined;
      try {
        result = compiledValidation(metatype, value);
      } catch (err) {
        if (err !== FALLBACK) throw err;
      }
      if (result) {
        if (result.errors.length > 0) throw await this.exceptionFactory(result.errors);
        return result.instance;
      }
    }
    return super.transform(value, metadata);
  }
}

/** Unknown fields refused, values transformed to the DTO's types, failures as one 400 validation-failed listing every field. */
export const requestValidationPipe = (): ValidationPipe => new CompiledValidationPipe(VALIDATION_OPTIONS);
/** The same checks by class-validator and class-transformer alone: the reference the compiled pipe is tested against. */
export const interpretedValidationPipe = (): ValidationPipe => new ValidationPipe(VALIDATION_OPTIONS);

const pipe = requestValidationPipe();

/** A body that did not come through the route's own pipe (an upload's JSON field): the same checks, the same answers. */
export async function validBody<T extends object>(metatype: Type<T>, body: unknown): Promise<T> {
  const problem = requestBodyProblem(body);
  if (problem) throw problem;
  return (await pipe.transform(body, { type: 'body', metatype })) as T;
}

/** The media types a route's body may have, each with what it carries in that form. */
export type AcceptedBodies = Record<string, string>;
/** What a route takes when it says nothing: a JSON object. */
export const JSON_BODY: AcceptedBodies = { 'application/json': 'a JSON object' };
/** The bodies the request's route accepts (@Accepts), read from its config; JSON alone when it names none. */
export const acceptedBodies = (request: { routeOptions?: { config?: unknown } }): AcceptedBodies =>
  (request.routeOptions?.config as { accepts?: AcceptedBodies } | undefined)?.accepts ?? JSON_BODY;
export const MULTIPART = 'multipart/form-data';

/**
 * The bodies a route accepts, for the OpenAPI document and for the 415 answer to any other type (read from the route's
 * config before the body is parsed). Routes without it accept JSON alone. `multipart` is the parts' schema when the
 * route also takes JSON (whose schema @ApiBody gives).
 */
export const Accepts = (accepted: AcceptedBodies, multipart?: SchemaObject) =>
  applyDecorators(
    RouteConfig({ accepts: accepted }),
    ApiConsumes(...Object.keys(accepted)),
    ...(multipart ? [ApiExtension(MULTIPART_SCHEMA_EXTENSION, multipart)] : []),
  );
export const MULTIPART_SCHEMA_EXTENSION = 'x-multipart-schema';

/** The 415 for a body declared in a charset other than UTF-8, which every body of the API is read as. */
export function unsupportedCharset(charset: string): HttpException {
  return new HttpException(
    `charset ${charset || '(empty)'} is not accepted: send the body in UTF-8 (charset=utf-8, or no charset)`,
    HttpStatus.UNSUPPORTED_MEDIA_TYPE,
  );
}

/**
 * The refusal of a JSON text (a body, a multipart field) in which one object holds a member twice: JSON.parse keeps the
 * last value and another reader the first, so what was recorded could differ from what the sender's tools show. Null
 * when every object's members are distinct. `text` must be one JSON.parse accepted.
 */
export function repeatedMemberProblem(text: string): ValidationProblem | null {
  const key = repeatedKey(text);
  return key === undefined
    ? null
    : new ValidationProblem([{ field: key, message: `${key} is given more than once in one object of the JSON; give it once` }]);
}

/**
 * The 415 for a body sent compressed (RFC 9110 §15.5.16): the server reads bodies as they come, so a gzip body was
 * refused as JSON that is not UTF-8. `Accept-Encoding: identity` on the answer says what it takes.
 */
export function unsupportedContentEncoding(encoding: string): HttpException {
  return new HttpException(
    `content encoding ${encoding} is not accepted: send the body uncompressed (no Content-Encoding, or identity)`,
    HttpStatus.UNSUPPORTED_MEDIA_TYPE,
  );
}

/** The 415 for a body of a type the route does not take: what it takes, in each form, and how. */
export function unsupportedMediaType(type: string, accepted: AcceptedBodies = JSON_BODY): HttpException {
  const forms = Object.entries(accepted).map(([media, what]) => `${media} (${what})`);
  return new HttpException(
    `content type ${type || '(none)'} is not accepted here; send ${forms.join(' or ')}`,
    HttpStatus.UNSUPPORTED_MEDIA_TYPE,
  );
}
