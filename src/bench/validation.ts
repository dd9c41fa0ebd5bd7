// BENCH_ONLY=validation: what validating one filing body costs, in this process: Nest's ValidationPipe (class-transformer
// and class-validator reading the decorators for every body) against the pipe the API uses (each DTO compiled once).
// CPU time per call from process.cpuUsage, bytes allocated per call from V8's heap before and after every collection.
import { isDeepStrictEqual } from 'node:util';
import { GCProfiler, getHeapStatistics } from 'node:v8';
import type { ValidationPipe } from '@nestjs/common';
import { interpretedValidationPipe, requestValidationPipe } from '../common/request-body.js';
import { FileWorkDto } from '../filing/filing.dto.js';
import { filingBody } from './http.js';

export interface ValidationFigure {
  pipe: 'class-validator' | 'compiled';
  calls: number;
  cpuMicrosPerCall: number;
  allocatedKbPerCall: number;
}

/** A filing body as the HTTP bench sends it, fresh from JSON as a request's would be. */
const filingJson = () => filingBody(1);

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
