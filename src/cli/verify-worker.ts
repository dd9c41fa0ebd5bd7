// A worker thread of `verify`: checks each chunk it is handed on its own (src/verifier/export-chunk.ts) with Node's
// native SHA-256, and hands back the chunk's facts and its buffer, both transferred rather than copied.
import { parentPort } from 'node:worker_threads';
import { checkChunk, ChunkChecker } from '../verifier/export-chunk.js';
import { compiledSchemaCheck } from '../common/compiled-schemas.js';
import { bufferLines, nativeSha256, nativeSha256Text } from './native-crypto.js';
import type { CheckedChunk, ChunkRequest } from './verify-pool.js';

const port = parentPort;
if (!port) throw new Error('verify-worker runs as a worker thread of `sandbox-ledger verify`');
const checker = new ChunkChecker(
  { sha256: nativeSha256, sha256Text: nativeSha256Text, lines: bufferLines, schemaCheck: compiledSchemaCheck },
  4096,
);

port.on('message', ({ seq, buffer, length }: ChunkRequest) => {
  const facts = checkChunk(new Uint8Array(buffer, 0, length), checker);
  const reply: CheckedChunk = { seq, buffer, length, facts };
  port.postMessage(reply, [buffer, facts.records.buffer as ArrayBuffer]);
});
