// Small validators the DTOs share.
import { BadRequestException, ParseUUIDPipe, type ArgumentMetadata } from '@nestjs/common';
import { Transform, Type } from 'class-transformer';
import { ApiProperty } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  getMetadataStorage,
  IsArray,
  IsInt,
  IsObject,
  IsOptional,
  IsUUID,
  Matches,
  Max,
  Min,
  registerDecorator,
  ValidateNested,
  type ValidationArguments,
  type ValidationOptions,
} from 'class-validator';
import { invalid } from './domain-error.js';
import { onTheCalendar, twoDigits } from '../verifier/event-time.js';

/** A null read as the field left out, for a field whose checks another rule makes conditional (OptionalField otherwise). */
export const NullAsLeftOut = () => Transform(({ value }: { value: unknown }) => (value === null ? undefined : value));

/**
 * A field that may be left out, or given as null, which is read as left out (as the events record a member left out:
 * null). class-validator's IsOptional skips the checks for null but passes the null on, and the commands read a field
 * left out as `undefined`: a null reached them as a value (`new Date(null)` is 1970, `null.map` throws).
 */
export const OptionalField = () => (target: object, property: string) => {
  NullAsLeftOut()(target, property);
  IsOptional()(target, property);
};

/** Hashes are stored and compared in lowercase hex. */
export const SHA256_HEX = /^[0-9a-f]{64}$/;
/** Hex arrives in either case (Windows `Get-FileHash` prints uppercase) and is kept in lowercase. */
export const lowerHex = (value: unknown) => (typeof value === 'string' && /^[0-9A-Fa-f]+$/.test(value) ? value.toLowerCase() : value);
export const LowerHex = () => Transform(({ value }) => lowerHex(value));
export const SHA256_MESSAGE = 'must be a SHA-256: 64 hex characters';
export const IsSha256Hex = (opts?: ValidationOptions) => (target: object, property: string) => {
  LowerHex()(target, property);
  Matches(SHA256_HEX, { message: `$property ${SHA256_MESSAGE}`, ...opts })(target, property);
};

/** `{name, version?, provider?}`: the fields an object of this class takes, the optional ones marked with `?`. */
export function shapeOf(cls: new () => object): string {
  const metadata = getMetadataStorage().getTargetValidationMetadatas(cls, '', true, false);
  const fields = [...new Set(metadata.map((m) => m.propertyName))];
  const optional = new Set(metadata.filter((m) => m.type === 'conditionalValidation').map((m) => m.propertyName));
  return `{${fields.map((f) => (optional.has(f) ? `${f}?` : f)).join(', ')}}`;
}

/** A nested object: validated as `cls`, and a value of another type is told which fields the object takes. */
export const NestedObject = (cls: () => new () => object) => (target: object, property: string) => {
  ValidateNested()(target, property);
  Type(cls)(target, property);
  IsObject({ message: (a) => `${a.property} must be an object ${shapeOf(cls())}` })(target, property);
};

/** An array of at most `max` nested objects, each validated as `cls`. */
export const NestedArray = (cls: () => new () => object, max: number) => (target: object, property: string) => {
  ValidateNested({ each: true })(target, property);
  Type(cls)(target, property);
  IsArray({ message: (a) => `${a.property} must be an array of objects ${shapeOf(cls())}` })(target, property);
  IsObject({ each: true, message: (a) => `each item of ${a.property} must be an object ${shapeOf(cls())}` })(target, property);
  ArrayMaxSize(max)(target, property);
};

/** `me` (the principal asking) or a principal id, in either case (a query filter by principal). */
const ME_OR_ID = /^(me|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})$/;
export const MeOrId = (property: string) => (target: object, key: string) => {
  LowerId()(target, key);
  Matches(ME_OR_ID, { message: `${property} must be me or a principal id` })(target, key);
  ApiProperty({ type: 'string', pattern: ME_OR_ID.source, required: false })(target, key);
};
/** A MeOrId filter as the principal id it names: `me` is the principal asking. */
export const principalNamed = (value: string | undefined, asking: string): string | undefined => (value === 'me' ? asking : value);

/**
 * A whole number given in a query string: plain decimal digits within the safe-integer range, at least `min` (and at
 * most `max`). Number() took `0x10`, `1e1`, ` 5` and an empty string (as 0) and rounded what is past 2^53, so a request
 * was answered for a number it did not write; anything else stays a string, which IsInt refuses. A number out of the
 * range is refused with the same message, which names the range: `limit=0` as `limit=-1`.
 */
export const QueryInteger = (min: number, max?: number) => (target: object, property: string) => {
  Transform(({ value }: { value: unknown }) =>
    typeof value === 'string' && /^[0-9]+$/.test(value) && Number.isSafeInteger(Number(value)) ? Number(value) : value,
  )(target, property);
  const message = `$property must be a whole number in decimal digits, from ${min} to ${max ?? Number.MAX_SAFE_INTEGER}`;
  IsInt({ message })(target, property);
  Min(min, { message })(target, property);
  if (max !== undefined) Max(max, { message })(target, property);
  // The OpenAPI document's bounds (the plugin reads @Min/@Max only where a class names them itself).
  ApiProperty({ type: 'integer', minimum: min, ...(max !== undefined && { maximum: max }) })(target, property);
};

/**
 * UUIDs compare without regard to case and are written in lowercase (RFC 9562 §4); the ids the server makes are, and
 * lookups compare them as text, so an id a client gives (in a path, a query or a body) is kept in lowercase.
 */
export const lowerId = (value: unknown) => (typeof value === 'string' ? value.toLowerCase() : value);
export const LowerId = () => Transform(({ value }: { value: unknown }) => lowerId(value));
/** An id of an existing entity, in either case, kept in lowercase. */
export const IsId = (opts?: ValidationOptions) => (target: object, property: string) => {
  LowerId()(target, property);
  IsUUID('all', opts)(target, property);
};
/** A path parameter that is an id: a UUID in either case (400 naming the parameter otherwise), kept in lowercase. */
export class IdPipe extends ParseUUIDPipe {
  constructor() {
    // Nest's own message ("Validation failed (uuid is expected)") named neither the parameter nor the form; see transform.
    super({ exceptionFactory: () => new BadRequestException() });
  }

  override async transform(value: string, metadata: ArgumentMetadata): Promise<string> {
    try {
      return (await super.transform(value, metadata))!.toLowerCase();
    } catch {
      // The parameter is a member too, so that a client can word the refusal in its own language.
      const parameter = metadata.data ?? 'the id';
      throw invalid('bad-request', `${parameter} in the path must be a UUID (8-4-4-4-12 hexadecimal digits)`, { pathParameter: parameter });
    }
  }
}

/** An instant's form: a date, a time of day (seconds and their fraction optional) and a zone. */
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

/** Four digits of a year: the ledger writes every time as ISO-8601 UTC in this form, which has no other years. */
const FOUR_DIGIT_YEAR = /^\d{4}-/;

/**
 * An ISO-8601 instant with a time zone (a date alone, or a local time, is ambiguous), on a day of the calendar and a
 * time of the clock (no 24:00, which Date reads as the next day's midnight; no 30 February, which it reads as 2 March),
 * with a zone offset of less than a day, in the years 0000 to 9999 once in UTC (a later one, 9999-12-31T23:00:00-05:00,
 * would be written +010000-…, which no reader of the ledger's times takes).
 */
export function isInstant(value: unknown): value is string {
  if (typeof value !== 'string' || !INSTANT.test(value) || !onTheCalendar(value, value.charCodeAt(16) === 58 /* : */)) return false;
  const zone = value.length - 6;
  if (!value.endsWith('Z') && !(twoDigits(value, zone + 1) <= 23 && twoDigits(value, zone + 4) <= 59)) return false;
  return FOUR_DIGIT_YEAR.test(new Date(value).toISOString());
}

const INSTANT_MESSAGE = 'must be an ISO-8601 instant with a time zone, in the years 0000 to 9999, e.g. 2027-01-01T00:00:00Z';

/**
 * What an instant refused says. A query string reads `+` as a space, so `?asOf=2027-01-01T08:00:00+08:00` arrives
 * with a space before its zone: that one is told how to write the `+`, which the plain message would not show.
 */
export function instantMessage(property: string, value: unknown): string {
  const plusReadAsSpace = typeof value === 'string' && isInstant(value.replace(/ (\d{2}:\d{2})$/, '+$1')) && value.includes(' ');
  return `${property} ${INSTANT_MESSAGE}${plusReadAsSpace ? ' (a + in a URL query reads as a space: write it %2B)' : ''}`;
}

/** `isInstant`: one check with one message, where two checks named one mistake twice. */
export const IsInstant = () =>
  custom('isInstant', isInstant, ({ property, value }: ValidationArguments) => instantMessage(property, value));

function custom(name: string, test: (value: unknown) => boolean, message: ValidationOptions['message'], opts?: ValidationOptions) {
  return (target: object, propertyName: string) =>
    registerDecorator({ name, target: target.constructor, propertyName, options: { message, ...opts }, validator: { validate: test } });
}

/** No control characters (C0, DEL, C1), no lone surrogates. */
export const PRINTABLE_TEXT = /^(?:[^\u0000-\u001f\u007f-\u009f\ud800-\udfff]|[\ud800-\udbff][\udc00-\udfff]|[\t\n\r])*$/;
export const IsPrintableText = (opts?: ValidationOptions) =>
  Matches(PRINTABLE_TEXT, { message: '$property must not contain control characters or unpaired surrogates', ...opts });

/** PRINTABLE_TEXT on one line: no tab or line break either, nor Unicode's line and paragraph separators (U+2028, U+2029). */
export const SINGLE_LINE_TEXT = /^(?:[^\u0000-\u001f\u007f-\u009f\u2028\u2029\ud800-\udfff]|[\ud800-\udbff][\udc00-\udfff])*$/;
/** Text shown on one line (a name, a title): no control character, tab or line break (U+2028, U+2029 either), no unpaired surrogate. */
export const IsOneLineText = (opts?: ValidationOptions) =>
  Matches(SINGLE_LINE_TEXT, {
    message: '$property must be one line without control characters (no tab or line break)',
    ...opts,
  });

/**
 * Whitespace and characters drawn as nothing (zero-width spaces and joiners, the Hangul fillers, …), and the Braille
 * pattern blank (U+2800), a symbol that is drawn as an empty cell.
 */
const BLANK = /^[\s\p{Default_Ignorable_Code_Point}\u2800]*$/u;

/**
 * Text that says something (a statement, a reasoning, a contribution): not only whitespace or invisible characters. An
 * empty string is its Length's to report, and a value of another type its IsString's.
 */
export const IsNotBlank = (opts?: ValidationOptions) =>
  custom(
    'isNotBlank',
    (v) => typeof v !== 'string' || v.length === 0 || !BLANK.test(v),
    '$property must not be blank (only whitespace or invisible characters)',
    opts,
  );

/** Explicit bidirectional embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069). */
const BIDI_CONTROLS = /[\u202a-\u202e\u2066-\u2069]/;

/**
 * Text that names something and is shown as it is, to others (a principal's name, a work's title): not blank, and
 * without the characters that reorder what follows them, with which "Alice\u202e gpj.exe" reads as "Alice exe.jpg".
 * The marks a right-to-left script uses (U+200E, U+200F, U+061C) are not among them. An empty string is its Length's
 * to report, and a value of another type its IsString's.
 */
export const IsShownText = (opts?: ValidationOptions) => (target: object, property: string) => {
  IsNotBlank(opts)(target, property);
  custom(
    'hasNoBidiControls',
    (v) => typeof v !== 'string' || !BIDI_CONTROLS.test(v),
    '$property must not contain bidirectional embedding, override or isolate characters (U+202A–U+202E, U+2066–U+2069), which make it read as other text',
    opts,
  )(target, property);
};

/** A seed: a non-negative safe integer or a short token (seeds often exceed 2^53, so strings are allowed). */
export const IsSeed = (opts?: ValidationOptions) =>
  custom(
    'isSeed',
    (v) => (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) || (typeof v === 'string' && /^[0-9A-Za-z_.:-]{1,128}$/.test(v)),
    '$property must be a non-negative integer or a token of at most 128 characters [0-9A-Za-z_.:-]',
    opts,
  );

/** A flat map of at most 50 generation parameters with scalar values. */
export const IsParameterMap = (opts?: ValidationOptions) =>
  custom(
    'isParameterMap',
    (v) => {
      if (typeof v !== 'object' || v === null || Array.isArray(v) || Object.getPrototypeOf(v) !== Object.prototype) return false;
      const entries = Object.entries(v);
      return (
        entries.length <= 50 &&
        entries.every(
          ([k, x]) =>
            /^[A-Za-z0-9_.-]{1,64}$/.test(k) &&
            ((typeof x === 'string' && x.length <= 256 && PRINTABLE_TEXT.test(x)) ||
              (typeof x === 'number' && Number.isFinite(x)) ||
              typeof x === 'boolean'),
        )
      );
    },
    '$property must be an object of at most 50 keys [A-Za-z0-9_.-] with string (≤ 256), number or boolean values',
    opts,
  );
