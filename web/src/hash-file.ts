// SHA-256 of a local file, streamed through @noble/hashes: WebCrypto's digest is not streaming and is missing on plain
// HTTP (not a secure context), and the file must never leave the machine.
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { fileBytes } from './browser-failure.js';

/** How long hashing may hold the main thread before the page gets a turn to render and take input: about a frame. */
const SLICE_MS = 16;

/**
 * Resolves in a task of its own: the browser renders between tasks, never between microtasks, and a Blob's stream hands
 * over chunk after chunk without giving it that turn. A MessageChannel message, as a nested setTimeout would be clamped
 * to 4 ms a turn.
 */
function nextTask(): Promise<void> {
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      resolve();
    };
    channel.port2.postMessage(null);
  });
}

/**
 * The file's SHA-256 in hex. `signal` stops it between chunks (an AbortError): a page that no longer wants the hash
 * does not spend the machine on the rest of a large file.
 */
export async function sha256OfFile(file: Blob, onProgress?: (done: number, total: number) => void, signal?: AbortSignal): Promise<string> {
  const hash = sha256.create();
  const reader = fileBytes(file).getReader();
  let done = 0;
  let sliceStart = performance.now();
  for (;;) {
    if (signal?.aborted) {
      void reader.cancel().catch(() => undefined);
      throw new DOMException('the hash is no longer wanted', 'AbortError');
    }
    const chunk = await reader.read();
    if (chunk.done) break;
    hash.update(chunk.value);
    done += chunk.value.length;
    onProgress?.(done, file.size);
    // Hashing a large file whole would freeze the page: its progress bar would show only the start and the end.
    if (performance.now() - sliceStart > SLICE_MS) {
      await nextTask();
      sliceStart = performance.now();
    }
  }
  return bytesToHex(hash.digest());
}
