// A worker thread of `verify`: checks each chunk it is handed on its own (src/verifier/export-chunk.ts) with Node's
// native SHA-256, and hands back the chunk's facts and its buffer, both transferred rather than copied.
import { parentPort, workerData } from 'node:worker_threads';
import { checkChunk } from '../verifier/export-chunk.js';
import { type CheckedChunk, type ChunkRequest, nativeChunkChecker, type WorkerOptions } from './verify-pool.js';

const port = parentPort;
if (!port) throw new Error('verify-worker runs as a worker thread of `sandbox-ledger verify`');
const checker = nativeChunkChecker((workerData as WorkerOptions).maxLineBytes);

port.on('message', ({ seq, buffer, length }: ChunkRequest) => {
  const facts = checkChunk(new Uint8Array(buffer, 0, length), checker);
  const reply: CheckedChunk = { seq, buffer, length, facts };
  port.postMessage(reply, [buffer, facts.records.buffer as ArrayBuffer]);
});
