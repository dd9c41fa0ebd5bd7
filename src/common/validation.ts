// Small validators the DTOs share.
import { IsISO8601, Matches, registerDecorator, type ValidationOptions } from 'class-validator';

export const SHA256_HEX = /^[0-9a-f]{64}$/;
export const IsSha256Hex = (opts?: ValidationOptions) =>
  Matches(SHA256_HEX, { message: '$property must be 64 lowercase hex characters (SHA-256)', ...opts });

/** An ISO-8601 instant with a time zone (a date alone, or a local time, is ambiguous). */
export const IsInstant = () => (target: object, property: string) => {
  IsISO8601({ strict: true, strictSeparator: true })(target, property);
  Matches(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/, {
    message: '$property must be an ISO-8601 instant with a time zone, e.g. 2027-01-01T00:00:00Z',
  })(target, property);
};

/** No control characters (C0, DEL, C1), no lone surrogates. */
export const PRINTABLE_TEXT = /^(?:[^\u0000-\u001f\u007f-\u009f\ud800-\udfff]|[\ud800-\udbff][\udc00-\udfff]|[\t\n\r])*$/;
export const IsPrintableText = (opts?: ValidationOptions) =>
  Matches(PRINTABLE_TEXT, { message: '$property must not contain control characters or unpaired surrogates', ...opts });

function custom(name: string, test: (value: unknown) => boolean, message: string, opts?: ValidationOptions) {
  return (target: object, propertyName: string) =>
    registerDecorator({ name, target: target.constructor, propertyName, options: { message, ...opts }, validator: { validate: test } });
}

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
