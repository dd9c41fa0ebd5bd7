// BENCH_ONLY=validation: what validating one filing body costs, in this process: Nest's ValidationPipe (class-transformer
// and class-validator reading the decorators for every body) against the pipe the API uses (each DTO compiled once).
// CPU time per call from process.cpuUsage, bytes allocated per call from V8's heap before and after every collection.
import { randomBytes } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { GCProfiler, getHeapStatistics } from 'node:v8';
import type { ValidationPipe } from '@nestjs/common';
import { interpretedValidationPipe, requestValidationPipe } from '../common/request-body.js';
import { FileWorkDto } from '../filing/filing.dto.js';

export interface ValidationFigure {
  pipe: 'class-validator' | 'compiled';
  calls: number;
  cpuMicrosPerCall: number;
  allocatedKbPerCall: number;
}

/** A filing body as the HTTP bench sends it, fresh from JSON as a request's would be. */
const filingJson = () =>
  JSON.stringify({
    contentHash: randomBytes(32).toString('hex'),
    contentType: 'image/png',
    title: 'Work 1',
    generation: {
      digitalSourceType: 'http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia',
      tool: { name: 'Stable Diffusion', version: '3.5', provider: 'Stability AI' },
      promptHash: randomBytes(32).toString('hex'),
      negativePromptHash: randomBytes(32).toString('hex'),
      parameters: { steps: 30, cfg: 7.5, sampler: 'euler' },
      seed: '18446744073709551615',
      iterations: 14,
      humanContribution: 'Wrote and refined the prompt over 14 iterations, selected one of 56 candidates and repainted the sky.',
    },
    processEvidence: [
      { sha256: randomBytes(32).toString('hex'), kind: 'draft', description: 'first draft', createdAt: '2026-11-28T10:00:00Z' },
    ],
    perceptualHash: { scheme: 'phash64', value: randomBytes(8).toString('hex') },
  });

const META = { type: 'body', metatype: FileWorkDto } as const;

async function round(pipe: ValidationPipe, bodies: unknown[]): Promise<{ cpu: number; bytes: number }> {
  const profiler = new GCProfiler();
  const heapBefore = getHeapStatistics().used_heap_size;
  profiler.start();
  const cpu = process.cpuUsage();
  for (const body of bodies) await pipe.transform(body, META);
  const used = process.cpuUsage(cpu);
  const heapAfter = getHeapStatistics().used_heap_size;
  const { statistics } = profiler.stop();
  // Allocated = growth between collections, summed: what each collection found, less what the previous one left.
  let bytes = 0;
  let last = heapBefore;
  for (const gc of statistics) {
    bytes += gc.beforeGC.heapStatistics.usedHeapSize - last;
    last = gc.afterGC.heapStatistics.usedHeapSize;
  }
  bytes += heapAfter - last;
  return { cpu: used.user + used.system, bytes };
}

/** Both pipes on the same bodies, alternated (old, new, new, old …) so that a drift of the machine weighs on both. */
export async function benchValidation(calls = 5000, rounds = 4): Promise<ValidationFigure[]> {
  const pipes = { 'class-validator': interpretedValidationPipe(), compiled: requestValidationPipe() } as const;
  const json = Array.from({ length: 64 }, filingJson);
  const bodies = () => Array.from({ length: calls }, (_, i) => JSON.parse(json[i % json.length]) as unknown);
  // The same DTO from both, or the figure compares different work.
  const [a, b] = [
    await pipes['class-validator'].transform(JSON.parse(json[0]), META),
    await pipes.compiled.transform(JSON.parse(json[0]), META),
  ];
  if (!isDeepStrictEqual(a, b)) throw new Error('the compiled pipe and the ValidationPipe disagree on the bench body');
  for (const pipe of Object.values(pipes)) await round(pipe, bodies()); // warm-up
  const totals = { 'class-validator': { cpu: 0, bytes: 0 }, compiled: { cpu: 0, bytes: 0 } };
  const order: Array<keyof typeof pipes> = [];
  for (let r = 0; r < rounds; r++)
    order.push(...(r % 2 ? (['compiled', 'class-validator'] as const) : (['class-validator', 'compiled'] as const)));
  for (const name of order) {
    const input = bodies();
    const { cpu, bytes } = await round(pipes[name], input);
    totals[name].cpu += cpu;
    totals[name].bytes += bytes;
  }
  return (['class-validator', 'compiled'] as const).map((pipe) => ({
    pipe,
    calls: calls * rounds,
    cpuMicrosPerCall: totals[pipe].cpu / (calls * rounds),
    allocatedKbPerCall: totals[pipe].bytes / 1024 / (calls * rounds),
  }));
}
