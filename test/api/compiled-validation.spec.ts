// The compiled validation against class-transformer + class-validator (Nest's ValidationPipe with the same options), for
// every DTO class the API registers: the same DTO instance, or the same errors and the same problem.
import { inspect, isDeepStrictEqual } from 'node:util';
import { ValidationPipe } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { getMetadataStorage, validate } from 'class-validator';
import fc from 'fast-check';
import '../../src/auth/identity.dto.js';
import { compiledValidation, FALLBACK } from '../../src/common/compiled-validation.js';
import { ValidationProblem } from '../../src/common/problem.js';
import { interpretedValidationPipe, requestValidationPipe } from '../../src/common/request-body.js';
import '../../src/disputes/dispute.dto.js';
import { FileWorkUploadDto } from '../../src/filing/filing.dto.js';
import '../../src/labeling/labeling.dto.js';
import '../../src/ledger/ledger.controller.js';
import '../../src/settlement/settlement.dto.js';

type Cls = new () => object;
interface Meta {
  type: string;
  name?: string;
  propertyName: string;
  constraints?: unknown[];
  each?: boolean;
  target: unknown;
}
const storage = getMetadataStorage() as unknown as {
  validationMetadatas: Map<unknown, Meta[]>;
  getTargetValidationMetadatas(c: Cls, s: unknown, a: boolean, g: boolean): Meta[];
  getTargetValidatorConstraints(c: unknown): Array<{ name?: string }>;
};
const CLASSES = [...storage.validationMetadatas.keys(), FileWorkUploadDto].filter((k): k is Cls => typeof k === 'function');
const RUNS = Number(process.env.VALIDATION_DIFF_RUNS ?? 250);

const json = fc.jsonValue({ maxDepth: 2 });
const UNKNOWN = fc.constantFrom('extra', 'toString', 'hasOwnProperty', 'valueOf', '__proto__', 'prototype', 'constructor', 'then');
const HEX = fc.stringMatching(/^[0-9a-fA-F]{64}$/);

/** The type class-transformer builds for a nested property (read from the @Type the DTO declares). */
async function nestedClass(cls: Cls, property: string): Promise<Cls | undefined> {
  const { defaultMetadataStorage } = await import('class-transformer/cjs/storage.js');
  const t = defaultMetadataStorage.findTypeMetadata(cls, property);
  const type = t?.typeFunction?.({ newObject: {}, object: {}, property }) as Cls | undefined;
  return type && type !== Number && type !== String ? type : undefined;
}

/** Values a constraint says something about: on both sides of each limit, of the right and the wrong type. */
function samplesOf(m: Meta, name: string): fc.Arbitrary<unknown>[] {
  const c = m.constraints ?? [];
  const num = (n: number) => fc.constantFrom(n - 1, n, n + 1, n + 0.5, String(n), String(n + 1));
  switch (name) {
    case 'isIn':
      return [fc.constantFrom(...(c[0] as unknown[]), 'nope', '')];
    case 'matches': {
      const out: fc.Arbitrary<unknown>[] = [HEX, HEX.map((h) => h.toLowerCase())];
      try {
        out.push(fc.stringMatching(c[0] as RegExp));
      } catch {
        /* a pattern fast-check cannot generate from */
      }
      return out;
    }
    case 'isUuid':
      return [fc.uuid(), fc.uuid().map((u) => u.toUpperCase())];
    case 'isIso8601':
      return [fc.date({ noInvalidDate: true }).map((d) => d.toISOString()), fc.constantFrom('2027-01-01', '2027-01-01T00:00:00+01:00')];
    case 'min':
    case 'max':
      return [num(c[0] as number), fc.integer({ min: -3, max: 200 })];
    case 'isLength':
      return [
        fc
          .constantFrom(...[c[0], c[1]].flatMap((n) => [n as number, (n as number) + 1, (n as number) - 1]).filter((n) => n >= 0))
          .map((n) => 'x'.repeat(n)),
        fc.string({ maxLength: 12 }),
      ];
    case 'maxLength':
      return [fc.constantFrom(c[0] as number, (c[0] as number) + 1).map((n) => 'y'.repeat(n))];
    case 'isInt':
    case 'isNumber':
      return [fc.integer(), fc.double(), fc.constantFrom('12', 'abc', '')];
    case 'isBoolean':
      return [fc.boolean(), fc.constantFrom('true', 1)];
    case 'isArray':
    case 'arrayNotEmpty':
    case 'arrayMaxSize':
    case 'arrayMinSize':
    case 'arrayUnique':
      return [];
    default:
      return [fc.string({ maxLength: 20 }), fc.integer({ min: -2, max: 2 ** 60 })];
  }
}

const arbitraries = new Map<Cls, fc.Arbitrary<Record<string, unknown>>>();
async function bodyOf(cls: Cls, depth = 0): Promise<fc.Arbitrary<Record<string, unknown>>> {
  const known = arbitraries.get(cls);
  if (known && depth > 0) return known;
  const metadata = storage.getTargetValidationMetadatas(cls, undefined, false, false);
  const names = [...new Set(metadata.map((m) => m.propertyName))];
  const fields: Array<fc.Arbitrary<[string, unknown] | undefined>> = [];
  for (const name of names) {
    let items: fc.Arbitrary<unknown>[] = [];
    for (const m of metadata.filter((x) => x.propertyName === name && x.type === 'customValidation'))
      for (const c of storage.getTargetValidatorConstraints((m as unknown as { constraintCls: unknown }).constraintCls))
        items.push(...samplesOf(m, c.name ?? ''));
    const nested = metadata.some((m) => m.propertyName === name && m.type === 'nestedValidation')
      ? await nestedClass(cls, name)
      : undefined;
    if (nested && depth < 3) {
      const inner = await bodyOf(nested, depth + 1);
      items.push(inner, inner, fc.array(inner, { maxLength: 3 }), fc.array(fc.oneof(inner, json), { maxLength: 3 }), fc.constant([[{}]]));
    }
    if (items.length === 0) items = [json];
    const single = fc.oneof(...items);
    const value = fc.oneof(
      { weight: 6, arbitrary: single },
      { weight: 1, arbitrary: fc.array(single, { maxLength: 4 }) },
      { weight: 1, arbitrary: json },
    );
    fields.push(
      fc
        .option(
          value.map((v) => [name, v] as [string, unknown]),
          { freq: 4 },
        )
        .map((v) => v ?? undefined),
    );
  }
  const unknown = fc.array(fc.tuple(fc.oneof(UNKNOWN, fc.string({ maxLength: 6 })), json), { maxLength: 2 });
  const arb = fc.tuple(fc.tuple(...fields), fc.option(unknown, { freq: 3 }), fc.boolean()).map(([entries, extra, shuffle]) => {
    const list = [...entries.filter((e): e is [string, unknown] => e !== undefined), ...(extra ?? [])];
    if (shuffle) list.reverse();
    // Through JSON, as a request body arrives: an own "__proto__" key stays a key.
    return JSON.parse(JSON.stringify(Object.fromEntries(list))) as Record<string, unknown>;
  });
  if (depth === 0) arbitraries.set(cls, arb);
  return arb;
}

/** Bodies the hot DTOs accept, from which the generator strays a little (a field dropped, changed, added, deep down). */
const hex = (n: number, c = 'a') => c.repeat(n);
const FILING = {
  contentHash: hex(64),
  contentType: 'image/png',
  title: 'Work 1',
  generation: {
    digitalSourceType: 'http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia',
    tool: { name: 'Stable Diffusion', version: '3.5', provider: 'Stability AI' },
    promptHash: hex(64, 'B'),
    negativePromptHash: hex(64, 'c'),
    parameters: { steps: 30, cfg: 7.5, sampler: 'euler' },
    seed: '18446744073709551615',
    iterations: 14,
    humanContribution: 'Wrote and refined the prompt.',
  },
  processEvidence: [{ sha256: hex(64, 'd'), kind: 'draft', description: 'first draft', createdAt: '2024-11-28T10:00:00Z' }],
  perceptualHash: { scheme: 'phash64', value: hex(16, 'E') },
};
const SEEDS = new Map<string, object>([
  ['FileWorkDto', FILING],
  ['FileWorkUploadDto', { ...FILING, contentHash: undefined }],
  ['GenerationDto', FILING.generation],
  [
    'DeclareLabelsDto',
    {
      explicit: { text: 'AI生成', placement: ['bottom-right'], textHeightRatio: 0.06 },
      implicit: { AIGC: { Label: '1', ContentProducer: 'ACME-AI', ProduceID: 'gen-0001', ReservedCode1: 'r1', ReservedCode2: '' } },
    },
  ],
  ['CreatePrincipalDto', { name: 'Alice', roles: ['creator', 'reviewer'] }],
  ['PublishPolicyDto', { effectiveFrom: '2027-01-01T00:00:00Z', parameters: { responseDays: 10, similarity: { phash64: 8 } } }],
  [
    'FileComplaintDto',
    {
      type: 'copyright',
      filingId: '0b6f3c52-8a4e-4c1e-9a57-3f0a1d2b4c5d',
      claim: 'mine',
      evidence: [{ sha256: hex(64), description: 'the original', declaredAiGenerated: false }],
    },
  ],
]);
const change = fc.oneof(json, fc.constant(undefined), fc.constant('DROP'), UNKNOWN);
/** The seed with up to three changes, each at a path reached by walking its objects and arrays. */
const strayed = (seed: object) =>
  fc
    .array(fc.tuple(fc.array(fc.nat(), { maxLength: 3 }), change, fc.oneof(UNKNOWN, fc.string({ maxLength: 4 }))), { maxLength: 3 })
    .map((changes) => {
      const body = JSON.parse(JSON.stringify(seed)) as Record<string, unknown>;
      for (const [path, value, newKey] of changes) {
        let at: Record<string, unknown> = body;
        for (const step of path) {
          const keys = Object.keys(at);
          const next = keys.length ? at[keys[step % keys.length]] : undefined;
          if (next === null || typeof next !== 'object') break;
          at = next as Record<string, unknown>;
        }
        const keys = Object.keys(at);
        const key = keys.length && path.length % 2 === 0 ? keys[path.length % keys.length] : newKey;
        if (value === 'DROP') delete at[key];
        else if (value !== undefined) at[key] = value;
      }
      return JSON.parse(JSON.stringify(body)) as Record<string, unknown>;
    });

const interpreted = interpretedValidationPipe();
const compiled = requestValidationPipe();

async function outcome(pipe: ValidationPipe, cls: Cls, body: unknown) {
  try {
    return { value: await pipe.transform(body, { type: 'body', metatype: cls }) };
  } catch (err) {
    return { error: err as Error };
  }
}

/** The same outcome from both pipes, and the same instance or ValidationError tree from the compiled plan and the libraries. */
/** Whether the body has, at any depth, a key that objects inherit a method by (toString, valueOf, hasOwnProperty, …). */
const skipsAKey = (v: unknown): boolean =>
  v !== null &&
  typeof v === 'object' &&
  Object.entries(v).some(([k, x]) => (k !== '__proto__' && k !== 'constructor' && k in Object.prototype) || skipsAKey(x));

const tally = { accepted: 0, refused: 0, compiled: 0, fallback: 0 };
async function same(cls: Cls, body: unknown): Promise<void> {
  const raw = () => (body === undefined ? undefined : (JSON.parse(JSON.stringify(body)) as unknown));
  const [before, after] = [raw(), raw()];
  const [a, b] = [await outcome(interpreted, cls, before), await outcome(compiled, cls, after)];
  // The body itself is left as the ValidationPipe leaves it (its __proto__, prototype and constructor keys deleted).
  expect(inspect(after, { depth: 20 })).toBe(inspect(before, { depth: 20 }));
  if (a.error || b.error) {
    expect(b.error?.constructor).toBe(a.error?.constructor);
    if (!(a.error instanceof ValidationProblem)) {
      // e.g. Number() of an object whose own valueOf is no function: both throw the same TypeError.
      expect(b.error?.message).toBe(a.error?.message);
      let thrown: unknown;
      try {
        compiledValidation(cls, raw() as object);
      } catch (err) {
        thrown = err;
      }
      // The plan throws the same, unless a key class-transformer skips unread (toString, …) sent it to the libraries first.
      if (thrown === FALLBACK && skipsAKey(body)) return void tally.fallback++;
      expect((thrown as Error | undefined)?.message).toBe(a.error?.message);
      tally.compiled++;
      return;
    }
    expect((b.error as ValidationProblem).getStatus()).toBe(400);
    expect((b.error as ValidationProblem).fieldErrors).toEqual(a.error.fieldErrors);
    tally.refused++;
  } else {
    tally.accepted++;
    expect(isDeepStrictEqual(b.value, a.value)).toBe(true);
    expect(inspect(b.value, { depth: 10 })).toBe(inspect(a.value, { depth: 10 }));
  }
  // One level down: the ValidationError trees themselves, key order and values included, for the body as the pipe hands
  // it on (Nest's stripProtoKeys has taken out every __proto__, prototype and constructor key).
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return;
  const STRIPPED = new Set(['__proto__', 'prototype', 'constructor']);
  const copy = () => JSON.parse(JSON.stringify(body), (k, v: unknown) => (STRIPPED.has(k) ? undefined : v)) as object;
  let mine;
  try {
    mine = compiledValidation(cls, copy() as object);
  } catch (err) {
    // Only a key class-transformer skips unread (a method name such as toString) sends a JSON body to the libraries.
    expect(err === FALLBACK && skipsAKey(body)).toBe(true);
    return void tally.fallback++;
    throw err;
  }
  tally.compiled++;
  const instance = plainToInstance(cls, copy() as object);
  const errors = await validate(instance, {
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    validationError: { target: false, value: true },
  });
  expect(inspect(mine.errors, { depth: 20 })).toBe(inspect(errors, { depth: 20 }));
}

describe('compiled validation: the same outcome as class-transformer + class-validator', () => {
  it('covers every DTO class of the API', () => {
    expect(CLASSES.length).toBeGreaterThan(30);
  });

  it('strips the prototype keys of an object given where a string, number or boolean is expected, as the pipe does', async () => {
    const byName = (name: string) => CLASSES.find((c) => c.name === name)!;
    await same(byName('EntriesQuery'), { start: { prototype: false } });
    await same(byName('EntriesQuery'), { start: [{ constructor: 1 }, { a: { __proto__: null, prototype: 2 } }] });
    await same(byName('FileWorkDto'), { title: { constructor: 'x', deeper: [{ prototype: [] }] }, contentType: 'image/png' });
    // Number() of an object whose toString is no function throws; a toString key first sends the plan to the libraries.
    await same(byName('CheckpointsQuery'), { limit: { toString: false } });
    await same(byName('CheckpointsQuery'), { toString: {}, limit: { toString: false } });
  });

  it.each(CLASSES.map((c) => [c.name, c] as const))('%s', async (_name, cls) => {
    const seed = SEEDS.get(cls.name);
    const arb = seed ? fc.oneof(await bodyOf(cls), strayed(seed), strayed(seed)) : await bodyOf(cls);
    let compiledRuns = 0;
    const before = { ...tally };
    await fc.assert(
      fc.asyncProperty(arb, async (body) => {
        await same(cls, body);
        compiledRuns++;
      }),
      { numRuns: RUNS },
    );
    expect(compiledRuns).toBeGreaterThanOrEqual(RUNS);
    // The plan itself answered (no class of the API falls back, only odd bodies do), and the bodies reach both answers.
    expect(tally.compiled + tally.fallback - before.compiled - before.fallback).toBe(RUNS);
    expect(tally.compiled - before.compiled).toBeGreaterThan(RUNS * 0.6);
    if (process.env.VALIDATION_DIFF_TALLY)
      process.stdout.write(`${cls.name}: accepted ${tally.accepted - before.accepted}, refused ${tally.refused - before.refused}\n`);
    for (const odd of [null, undefined, [], [{}], 'text', 7, {}, { ['__proto__']: { a: 1 } }]) await same(cls, odd);
  });
});
