// Request validation compiled once per DTO class. class-validator and class-transformer read a class's decorator metadata
// anew for every object they see; here the metadata of a class is read once, the first time the class is met, into a
// plan of plain checks. Running the plan does what `plainToInstance` (default options) then `validate` (whitelist,
// forbidNonWhitelisted, forbidUnknownValues) do for that class, step for step: the same instance, the same
// ValidationError tree in the same order, the same messages (the decorators' own, or class-validator's default text).
// The decorators stay the only source of the rules.
//
// What the plan does not know falls back to the libraries (`FALLBACK`):
// - a class with a metadata type other than a constraint, @ValidateNested, @IsOptional or @ValidateIf (e.g. @IsDefined,
//   @Allow, @ValidatePromise), with a `context`, with more than one @ValidateNested on a property, with an async
//   constraint, or with class-transformer @Expose/@Exclude or a discriminated or Map @Type;
// - a value holding anything JSON does not make (a Date, a Map, a Buffer, an instance of a class): JSON bodies and
//   query strings never do;
// - a constraint that answers with a promise, and a field unknown to validation that class-transformer would transform;
// - a sparse array, and a key class-transformer skips without looking at its value (`toString`, `valueOf`, …: a name
//   the instance already has as a method).
// The body is changed as the ValidationPipe changes it (its __proto__, prototype and constructor keys deleted), object
// by object as the walk reaches it rather than all at once beforehand: the same for every rule that reads the field it
// is on (a @Transform or @Type function reading the raw fields of objects deeper down would see those keys still there).
import { defaultOptions } from 'class-transformer/cjs/constants/default-options.constant.js';
import { defaultMetadataStorage } from 'class-transformer/cjs/storage.js';
import {
  arrayMaxSize,
  arrayMinSize,
  arrayNotEmpty,
  getMetadataStorage,
  isArray,
  isBoolean,
  isIn,
  isInt,
  isISO8601,
  isNumber,
  isObject,
  isString,
  isUUID,
  length,
  matches,
  max,
  maxLength,
  min,
  ValidationError,
  ValidationTypes,
} from 'class-validator';
import { ValidationUtils } from 'class-validator/cjs/validation/ValidationUtils.js';

/** Thrown when a class or a value needs the libraries' own path. */
export class NeedsLibraries extends Error {}
/** One instance, thrown and caught as a signal (never shown): made once, so throwing it costs no stack trace. */
export const FALLBACK = new NeedsLibraries('validated by class-transformer and class-validator');

const PLAIN_TO_CLASS = 0; // class-transformer's TransformationType.PLAIN_TO_CLASS
const TRANSFORM_OPTIONS = { ...defaultOptions };

type Constraints = unknown[] | undefined;
/**
 * The exported check of each built-in constraint, called as the decorator's own validator calls it (keyed by the
 * constraint's name, which a custom decorator must not reuse: test/api/compiled-validation.spec.ts would show it).
 * Other constraints (the project's custom ones, ArrayUnique whose selector is not in its metadata) call their validator.
 */
const CHECKS: Record<string, (c: Constraints) => (value: unknown) => boolean> = {
  isString: () => isString,
  isInt: () => isInt,
  isBoolean: () => isBoolean,
  isArray: () => isArray,
  isObject: () => isObject,
  arrayNotEmpty: () => arrayNotEmpty,
  isNumber: (c) => (v) => isNumber(v, c![0] as object),
  isIn: (c) => (v) => isIn(v, c![0] as readonly unknown[]),
  isUuid: (c) => (v) => isUUID(v, c![0] as '4'),
  matches: (c) => (v) => matches(v as string, c![0] as string, c![1] as string),
  isLength: (c) => (v) => length(v, c![0] as number, c![1] as number),
  maxLength: (c) => (v) => maxLength(v, c![0] as number),
  min: (c) => (v) => min(v as number, c![0] as number),
  max: (c) => (v) => max(v as number, c![0] as number),
  arrayMaxSize: (c) => (v) => arrayMaxSize(v, c![0] as number),
  arrayMinSize: (c) => (v) => arrayMinSize(v, c![0] as number),
  isIso8601: (c) => (v) => isISO8601(v, c![0] as object),
};

interface Metadata {
  type: string;
  target: (new () => object) | string;
  propertyName: string;
  constraints: Constraints;
  constraintCls: object;
  message?: unknown;
  each?: boolean;
  context?: unknown;
  validateIf?: (object: object, value: unknown) => boolean;
}
interface ConstraintInstance {
  validate(value: unknown, args: object): unknown;
  defaultMessage?: (args: object) => string;
}
interface Storage {
  getTargetValidationMetadatas(target: object, schema: unknown, always: boolean, strictGroups: boolean, groups?: string[]): Metadata[];
  groupByPropertyName(metadata: Metadata[]): Record<string, Metadata[]>;
  getTargetValidatorConstraints(cls: object): Array<{ name?: string; async: boolean; instance: ConstraintInstance }>;
}
const storage = getMetadataStorage() as unknown as Storage;

interface Check {
  metadata: Metadata;
  type: string;
  instance: ConstraintInstance;
  /** The exported check when the constraint is a built-in one, else undefined (the constraint's own validator is called). */
  test?: (value: unknown) => boolean;
}
interface Property {
  name: string;
  conditions: Array<(object: object, value: unknown) => boolean>;
  checks: Check[];
  nested?: Metadata;
  /** class-transformer's view of the property. */
  type?: { typeFunction: (options: { newObject: unknown; object: unknown; property: string }) => unknown; reflectedType: unknown };
  arrayType?: unknown;
  transforms: Array<(params: object) => unknown>;
}
interface Plan {
  cls: new () => object;
  /** The storage's grouping, used as class-validator uses it (also for its whitelist look-up). */
  grouped: Record<string, Metadata[]>;
  properties: Property[];
  byName: Map<string, Property>;
  unknownValue: boolean;
}

let plans = new Map<object, Plan | typeof FALLBACK>();
// A rule added after a class was compiled (a module loaded later) is seen: every plan is made again.
const storageAdd = storage as unknown as Record<'addValidationMetadata' | 'addConstraintMetadata', (m: unknown) => void>;
for (const name of ['addValidationMetadata', 'addConstraintMetadata'] as const) {
  const add = storageAdd[name].bind(storage);
  storageAdd[name] = (m) => {
    plans = new Map();
    add(m);
  };
}

/** The plan of a class, compiled the first time; FALLBACK when it uses what the plan does not know. */
function planOf(cls: new () => object): Plan {
  let plan = plans.get(cls);
  if (plan === undefined) plans.set(cls, (plan = compile(cls)));
  if (plan instanceof NeedsLibraries) throw FALLBACK;
  return plan;
}

function compile(cls: new () => object): Plan | typeof FALLBACK {
  if (
    defaultMetadataStorage.getStrategy(cls) !== 'none' ||
    defaultMetadataStorage.getExposedProperties(cls, PLAIN_TO_CLASS).length > 0 ||
    defaultMetadataStorage.getExcludedProperties(cls, PLAIN_TO_CLASS).length > 0
  )
    return FALLBACK;
  const metadata = storage.getTargetValidationMetadatas(cls, undefined, false, false, undefined);
  const grouped = storage.groupByPropertyName(metadata);
  const properties: Property[] = [];
  for (const name of Object.keys(grouped)) {
    const property: Property = { name, conditions: [], checks: [], transforms: [] };
    for (const m of grouped[name]) {
      if (m.context !== undefined) return FALLBACK;
      if (m.type === ValidationTypes.CONDITIONAL_VALIDATION) property.conditions.push(m.constraints![0] as Property['conditions'][0]);
      else if (m.type === ValidationTypes.NESTED_VALIDATION) {
        if (property.nested) return FALLBACK;
        property.nested = m;
      } else if (m.type === ValidationTypes.CUSTOM_VALIDATION) {
        for (const c of storage.getTargetValidatorConstraints(m.constraintCls)) {
          if (c.async) return FALLBACK;
          const type = c.name ? c.name : m.type;
          const known = c.name !== undefined && Object.hasOwn(CHECKS, c.name) ? CHECKS[c.name](m.constraints) : undefined;
          property.checks.push({ metadata: m, type, instance: c.instance, test: known });
        }
      } else return FALLBACK;
    }
    const typed = defaultMetadataStorage.findTypeMetadata(cls, name);
    if (typed) {
      if (!typed.typeFunction || typed.options?.discriminator || typed.reflectedType === Map) return FALLBACK;
      property.type = typed;
      property.arrayType = typed.reflectedType;
      // class-transformer builds an array with `new arrayType()` unless that has no push: a Set or an array subclass would differ.
      const t = typed.reflectedType as { prototype?: unknown } | undefined;
      if (typeof t === 'function' && t !== Array && (t.prototype instanceof Set || t === Set || 'push' in (t.prototype as object)))
        return FALLBACK;
    }
    for (const t of defaultMetadataStorage.findTransformMetadatas(cls, name, PLAIN_TO_CLASS)) {
      if (t.options?.groups?.length) continue;
      property.transforms.push(t.transformFn as Property['transforms'][0]);
    }
    properties.push(property);
  }
  return { cls, grouped, properties, byName: new Map(properties.map((p) => [p.name, p])), unknownValue: metadata.length === 0 };
}

// ---- class-transformer's plainToInstance, for JSON values ----

const isBinary = (v: unknown) => ArrayBuffer.isView(v) || v instanceof ArrayBuffer;

/** A JSON object (a query string's may have no prototype); anything else is not for the plan. */
function jsonObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/** class-transformer's `transform` for a value of `type` (undefined: none), as plainToInstance reaches it. */
function convert(value: unknown, type: unknown, arrayType: unknown): unknown {
  if (Array.isArray(value)) {
    if (Object.getPrototypeOf(value) !== Array.prototype) throw FALLBACK;
    const out: unknown[] = []; // arrayType checked when compiled: `new arrayType()` is a plain array or has no push
    void arrayType;
    value.forEach((item) => out.push(convert(item, type, undefined)));
    if (out.length !== value.length) throw FALLBACK; // a sparse array: the ValidationPipe closes its gaps first
    return out;
  }
  if (type === String || type === Number || type === Boolean) {
    if (value === null || value === undefined) return value;
    if (typeof value === 'object') stripAll(value); // not walked below, but stripped by the pipe all the same
    return type === String ? String(value) : type === Number ? Number(value) : Boolean(value);
  }
  if (typeof value === 'object' && value !== null) {
    if (!jsonObject(value) || isBinary(value)) throw FALLBACK;
    if (type === undefined) return copy(value as Record<string, unknown>);
    if (typeof type !== 'function' || type === Object || type === Date || type === Buffer || type === Promise) throw FALLBACK;
    return toInstance(type as new () => object, value as Record<string, unknown>);
  }
  if (typeof value === 'function' || typeof value === 'symbol' || typeof value === 'bigint') throw FALLBACK;
  if (type === Date || type === Buffer) throw FALLBACK;
  return value;
}

/**
 * The ValidationPipe's stripProtoKeys, one object at a time as the walk reaches it: its __proto__, prototype and
 * constructor keys deleted (the pipe deletes them from the whole body before class-transformer sees it).
 */
const PROTO_KEYS = ['__proto__', 'prototype', 'constructor'];
function strip(value: Record<string, unknown>): void {
  for (const key of PROTO_KEYS) if (Object.hasOwn(value, key)) Reflect.deleteProperty(value, key);
}

/** `strip` on a JSON value and everything in it, for a value the walk converts without going into it. */
function stripAll(value: object): void {
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const current = stack.pop();
    if (typeof current !== 'object' || current === null) continue;
    if (!Array.isArray(current)) strip(current as Record<string, unknown>);
    stack.push(...Object.values(current));
  }
}

/** An object without a target type: copied into a plain object, as class-transformer does (Object.prototype's names skipped). */
function copy(value: Record<string, unknown>): Record<string, unknown> {
  strip(value);
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const descriptor = Object.getOwnPropertyDescriptor(Object.prototype, key);
    // class-transformer skips the key and never looks at its value, which stripProtoKeys would still have walked.
    if ((descriptor && !descriptor.set) || out[key] instanceof Function) throw FALLBACK;
    out[key] = convert(value[key], undefined, undefined);
  }
  return out;
}

function toInstance(cls: new () => object, value: Record<string, unknown>): object {
  const plan = planOf(cls);
  strip(value);
  const out = new cls() as Record<string, unknown>;
  for (const key of Object.keys(value)) {
    const property = plan.byName.get(key);
    let type: unknown;
    if (property) {
      if (property.type) type = property.type.typeFunction({ newObject: out, object: value, property: key });
    } else if (
      defaultMetadataStorage.findTypeMetadata(cls, key) ||
      defaultMetadataStorage.findTransformMetadatas(cls, key, PLAIN_TO_CLASS).length > 0
    )
      throw FALLBACK;
    const descriptor = Object.getOwnPropertyDescriptor(cls.prototype, key);
    if ((descriptor && !descriptor.set) || out[key] instanceof Function) throw FALLBACK; // as in copy()
    let final = convert(value[key], type, Array.isArray(value[key]) ? property?.arrayType : undefined);
    if (property)
      for (const transform of property.transforms)
        final = transform({ value: final, key, obj: value, type: PLAIN_TO_CLASS, options: TRANSFORM_OPTIONS });
    out[key] = final;
  }
  return out;
}

// ---- class-validator's ValidationExecutor, for the instances built above ----

function validationError(value: unknown, property: string | undefined): ValidationError {
  const e = new ValidationError();
  e.value = value;
  e.property = property as string;
  e.children = [];
  e.constraints = {};
  return e;
}

/** class-validator's message for a failed constraint: the decorator's `message`, else the constraint's default text. */
function message(object: object, value: unknown, metadata: Metadata, instance?: ConstraintInstance): string {
  const args = {
    targetName: object.constructor ? object.constructor.name : undefined,
    property: metadata.propertyName,
    object,
    value,
    constraints: metadata.constraints,
  };
  let text: unknown = metadata.message || '';
  if (!metadata.message && instance && instance.defaultMessage instanceof Function) text = instance.defaultMessage(args);
  return ValidationUtils.replaceMessageSpecialTokens(text, args);
}

/** Every error of an instance, appended to `errors` (class-validator's `execute`, empty errors already left out). */
function execute(object: object, errors: ValidationError[]): void {
  const plan = planOf(object.constructor as new () => object);
  if (plan.unknownValue) {
    const e = validationError(undefined, undefined);
    e.constraints = { unknownValue: 'an unknown value was passed to the validate function' };
    errors.push(e);
    return;
  }
  const fields = object as Record<string, unknown>;
  for (const key of Object.keys(object)) {
    const known = plan.grouped[key];
    if (!known || known.length === 0) {
      const e = validationError(fields[key], key);
      e.constraints = { [ValidationTypes.WHITELIST]: `property ${key} should not exist` };
      e.children = undefined;
      errors.push(e);
    }
  }
  for (const property of plan.properties) {
    const e = validateProperty(object, fields[property.name], property);
    if (e) errors.push(e);
  }
}

function validateProperty(object: object, value: unknown, property: Property): ValidationError | undefined {
  let go = true;
  for (const condition of property.conditions) go = condition(object, value) && go;
  if (!go) return undefined;
  let constraints: Record<string, string> | undefined;
  for (const check of property.checks) {
    const m = check.metadata;
    if (m.validateIf && !m.validateIf(object, value)) continue;
    let valid: unknown;
    if (!m.each || !Array.isArray(value)) valid = check.test ? check.test(value) : validate(check, object, value, value);
    else {
      const items = value.map((item) => (check.test ? check.test(item) : validate(check, object, value, item)));
      valid = items.every((ok) => ok);
    }
    if (!valid) (constraints ??= {})[check.type] = message(object, value, m, check.instance);
  }
  const children = property.nested && value !== undefined ? nested(value, property.nested) : undefined;
  if (!constraints && !children?.errors.length) return undefined;
  const e = validationError(value, property.name);
  if (children?.message !== undefined) (constraints ??= {})[ValidationTypes.NESTED_VALIDATION] = children.message;
  if (children) e.children = children.errors;
  if (constraints) e.constraints = constraints;
  else delete e.constraints;
  return e;
}

/** A constraint's own validator, for the constraints without a known exported check (the project's custom ones). */
function validate(check: Check, object: object, value: unknown, item: unknown): unknown {
  const m = check.metadata;
  const valid = check.instance.validate(item, {
    targetName: object.constructor ? object.constructor.name : undefined,
    property: m.propertyName,
    object,
    value,
    constraints: m.constraints,
  });
  if (valid instanceof Promise) throw FALLBACK;
  return valid;
}

/** class-validator's `nestedValidations`: the errors under a nested value, or the message when it is no object. */
function nested(value: unknown, metadata: Metadata): { errors: ValidationError[]; message?: string } {
  const errors: ValidationError[] = [];
  if (Array.isArray(value)) {
    value.forEach((item: unknown, index) => {
      if (item === undefined) return;
      const inner = nested(item, metadata);
      if (inner.message === undefined && inner.errors.length === 0) return;
      const e = validationError(item, index.toString());
      e.children = inner.errors;
      if (inner.message !== undefined) e.constraints = { [ValidationTypes.NESTED_VALIDATION]: inner.message };
      else delete e.constraints;
      errors.push(e);
    });
    return { errors };
  }
  if (value instanceof Object) {
    execute(value, errors);
    return { errors };
  }
  return { errors, message: message(metadata.target as object, value, metadata) };
}

/**
 * The DTO instance and its validation errors for a JSON object body, as `plainToInstance(cls, body)` then class-validator's
 * `validate(instance, { whitelist, forbidNonWhitelisted, forbidUnknownValues })` give them, for a body whose __proto__,
 * prototype and constructor keys are gone (as the ValidationPipe leaves it). Throws FALLBACK when the class
 * or the body needs the libraries.
 */
export function compiledValidation(cls: new () => object, body: object): { instance: object; errors: ValidationError[] } {
  if (!jsonObject(body)) throw FALLBACK;
  const instance = toInstance(cls, body as Record<string, unknown>);
  const errors: ValidationError[] = [];
  execute(instance, errors);
  return { instance, errors };
}
